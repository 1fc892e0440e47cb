"""What to drop from the page cache when content changes (portal/page_cache.py).

Connected in guidance/signals.py; each handler is exact where the change is:

- a page published or unpublished: the page, its parent (which lists it)
  and the home page;
- a page moved or deleted: every page, since the addresses of its
  descendants change too;
- a signposting contact published or unpublished: every page that shows it,
  found through Wagtail's reference index, or every page if it is one of
  the site-wide help contacts (footer, help box, feedback form);
- a signposting contact deleted: every page;
- the safety settings saved: every page (the emergency box, the site-wide
  help contacts, quick exit).

The same addresses are purged from the CDN or proxy in front, through
Wagtail's frontend-cache module when one is configured (settings:
`FRONTEND_CACHE_*`); Wagtail itself purges only the page on publish and
unpublish. A failure here is logged and never stops the publish.
"""

import logging

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, ReferenceIndex

from portal import page_cache

from .models import SiteHelpContact

logger = logging.getLogger(__name__)


def _pages_around(page):
    """The page, its parent and the home page of its site."""
    pages = [page, page.get_parent()]
    site = page.get_site()
    if site is not None:
        pages.append(site.root_page)
    return [p.specific_deferred for p in pages if p]


def _safely(purge):
    def handler(*args, **kwargs):
        try:
            purge(*args, **kwargs)
        except Exception:  # a publish must never fail because of a cache
            logger.exception("Page cache purge failed")

    return handler


@_safely
def page_changed(sender, instance, **kwargs):
    page_cache.purge_pages(_pages_around(instance))


@_safely
def contact_changed(sender, instance, **kwargs):
    if SiteHelpContact.objects.filter(contact=instance).exists():
        page_cache.purge_all()  # in every page's footer or help box
        return
    page_type = ContentType.objects.get_for_model(Page)
    page_ids = (
        ReferenceIndex.get_references_to(instance)
        .filter(base_content_type=page_type)
        .values_list("object_id", flat=True)
    )
    page_cache.purge_pages(Page.objects.filter(pk__in=[int(pk) for pk in page_ids]).specific())


@_safely
def everything_changed(sender, **kwargs):
    page_cache.purge_all()
