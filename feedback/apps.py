from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def purge_pages_with_the_form(sender, **kwargs):
    """The reasons appear in the form on every page: drop every cached page."""
    from portal.page_cache import purge_all

    purge_all()


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self):
        from .models import VisitReason

        for signal in (post_save, post_delete):
            signal.connect(purge_pages_with_the_form, sender=VisitReason)
