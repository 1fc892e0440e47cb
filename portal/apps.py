from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project's shared layer as an installed app, so it can hold models.

    It holds the recovery codes of staff two-step sign-in (`portal/models.py`)
    and their admin hooks (`portal/wagtail_hooks.py`). System checks are still
    registered from `guidance.apps`.
    """

    name = "portal"
    label = "portal"
    verbose_name = "Portal"
    default_auto_field = "django.db.models.BigAutoField"
