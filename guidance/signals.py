"""Every receiver of the guidance app, connected once by `GuidanceConfig.ready()`.

- A guidance page published: its reading age is worked out and stored
  (`store_estimate_on_publish`, guidance/reading_age.py).
- A page or a signposting contact published, unpublished, moved or
  deleted: the page cache drops what showed it (guidance/cache_purging.py).
- A signposting contact published, unpublished or deleted: the site-wide
  help contacts are read afresh (guidance/help_contacts.py), since it may be
  one of them.
- The safety settings saved (`safety_settings_saved`, sent once their help
  contacts are saved too): quick exit learns the new address, the help
  contacts are read afresh and every cached page is dropped.
"""

import logging

from django.db.models.signals import post_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move, published, unpublished

from . import cache_purging, help_contacts, quick_exit
from .models import GuidancePage, SignpostingContact, safety_settings_saved
from .reading_age import store_estimate

logger = logging.getLogger(__name__)


def store_estimate_on_publish(sender, instance, **kwargs):
    """`page_published`: store the estimate of the guidance page just published.

    A publish never fails because of the estimate: a fault is logged and the
    page keeps its previous figures.
    """
    if not isinstance(instance, GuidancePage):
        return
    try:
        store_estimate(instance)
    except Exception:
        logger.exception("Reading age not worked out for page %s", instance.pk)


def help_contacts_changed(sender, **kwargs):
    """A contact may be one of the site-wide help contacts: read them afresh."""
    help_contacts.changed()


def safety_settings_changed(sender, instance, **kwargs):
    """Quick exit, the help contacts and every cached page follow the new settings."""
    quick_exit.settings_saved(instance.site, instance.neutral_exit_url)
    help_contacts.changed()
    cache_purging.everything_changed(sender)


def connect():
    """Connect the receivers above (once, from `GuidanceConfig.ready()`)."""
    # The estimate is stored before the page cache is purged, so the page
    # served next has its figures.
    page_published.connect(store_estimate_on_publish, dispatch_uid="guidance_reading_age")

    # A contact may be one of the site-wide help contacts: read them afresh
    # before any page is rendered again.
    for signal in (published, unpublished):
        signal.connect(help_contacts_changed, sender=SignpostingContact)
    post_delete.connect(help_contacts_changed, sender=SignpostingContact)

    # Visitors see every publish at once: drop what the page cache holds.
    page_published.connect(cache_purging.page_changed, dispatch_uid="purge_published")
    page_unpublished.connect(cache_purging.page_changed, dispatch_uid="purge_unpublished")
    post_page_move.connect(cache_purging.everything_changed, dispatch_uid="purge_moved")
    post_delete.connect(cache_purging.everything_changed, sender=Page, dispatch_uid="purge_deleted")
    for signal in (published, unpublished):
        signal.connect(cache_purging.contact_changed, sender=SignpostingContact)
    post_delete.connect(cache_purging.everything_changed, sender=SignpostingContact)

    safety_settings_saved.connect(safety_settings_changed, dispatch_uid="safety_settings_saved")
