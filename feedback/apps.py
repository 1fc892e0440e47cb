from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """Page feedback: the public form, its storage, the analysts' reports and exports.

    `ready()` connects the app's receivers, all in feedback/signals.py.
    """

    name = "feedback"
    verbose_name = "Feedback"

    def ready(self):
        from . import signals

        signals.connect()
