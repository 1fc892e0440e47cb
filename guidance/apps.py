from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def remember_neutral_exit_url(sender, instance, **kwargs):
    from .quick_exit import settings_saved

    settings_saved(instance.site, instance.neutral_exit_url)


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

        from . import cache_purging
        from .models import SafetySettings, SignpostingContact

        # Quick exit uses a saved destination at once, on this server and (through
        # the shared cache) on the others.
        post_save.connect(remember_neutral_exit_url, sender=SafetySettings)

        # Visitors see every publish at once: drop what the page cache holds.
        page_published.connect(cache_purging.page_changed, dispatch_uid="purge_published")
        page_unpublished.connect(cache_purging.page_changed, dispatch_uid="purge_unpublished")
        post_page_move.connect(cache_purging.everything_changed, dispatch_uid="purge_moved")
        post_delete.connect(
            cache_purging.everything_changed, sender=Page, dispatch_uid="purge_deleted"
        )
        for signal in (published, unpublished):
            signal.connect(cache_purging.contact_changed, sender=SignpostingContact)
        post_save.connect(cache_purging.everything_changed, sender=SafetySettings)
