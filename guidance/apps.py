from django.apps import AppConfig
from django.db.models.signals import post_save


def remember_neutral_exit_url(sender, instance, **kwargs):
    from .quick_exit import settings_saved

    settings_saved(instance.site, instance.neutral_exit_url)


class GuidanceConfig(AppConfig):
    name = "guidance"
    verbose_name = "Guidance"

    def ready(self):
        from .models import SafetySettings

        # Quick exit uses a saved destination at once, on this server and (through
        # the shared cache) on the others.
        post_save.connect(remember_neutral_exit_url, sender=SafetySettings)
