from django.apps import AppConfig
from django.db.models.signals import post_delete


def help_contacts_changed(sender, **kwargs):
    from .help_contacts import changed

    changed()


class GuidanceConfig(AppConfig):
    name = "guidance"
    verbose_name = "Guidance"

    def ready(self):
        from wagtail.models import Page
        from wagtail.signals import (
            page_published,
            page_unpublished,
            post_page_move,
            published,
            unpublished,
        )

        from portal import checks  # noqa: F401 - registers the project's system checks
        from portal.mail import defer_workflow_notifications

        from . import cache_purging
        from .models import SignpostingContact

        # Review e-mails go after the step commits, and a failure never breaks it.
        defer_workflow_notifications()

        # Saving the safety settings tells quick exit, the help contacts and the
        # page cache itself (SafetySettings.save), once its help contacts are saved.

        # A contact may be one of the site-wide help contacts: read them afresh
        # before any page is rendered again.
        for signal in (published, unpublished):
            signal.connect(help_contacts_changed, sender=SignpostingContact)
        post_delete.connect(help_contacts_changed, sender=SignpostingContact)

        # Visitors see every publish at once: drop what the page cache holds.
        page_published.connect(cache_purging.page_changed, dispatch_uid="purge_published")
        page_unpublished.connect(cache_purging.page_changed, dispatch_uid="purge_unpublished")
        post_page_move.connect(cache_purging.everything_changed, dispatch_uid="purge_moved")
        post_delete.connect(
            cache_purging.everything_changed, sender=Page, dispatch_uid="purge_deleted"
        )
        for signal in (published, unpublished):
            signal.connect(cache_purging.contact_changed, sender=SignpostingContact)
        post_delete.connect(cache_purging.everything_changed, sender=SignpostingContact)
