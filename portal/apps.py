from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The shared layer (below `guidance` and `feedback`) as an installed app.

    It holds the recovery codes of staff two-step sign-in (`portal/models.py`)
    and their admin hooks (`portal/wagtail_hooks.py`). `ready()` registers the
    project's system checks (`portal/checks.py`) and connects the shared
    receivers (`portal/signals.py`).
    """

    name = "portal"
    label = "portal"
    verbose_name = "Portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import (
            checks,  # noqa: F401 - registers the project's system checks
            signals,
        )

        signals.connect()
