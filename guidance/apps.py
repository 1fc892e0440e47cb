from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    """Pages, blocks, signposting contacts, safety settings, quick exit and their reports.

    `ready()` connects the app's receivers, all in guidance/signals.py.
    """

    name = "guidance"
    verbose_name = "Guidance"

    def ready(self):
        from . import signals

        signals.connect()
