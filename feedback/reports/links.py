"""Admin links for a page in a feedback report or panel."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class PageLinks:
    edit_url: str | None  # only for people who may edit the page
    live_url: str | None  # only while the page is live


def page_links(page, request):
    """Where a report row may link for `page`: its editor and its live address."""
    if page is None:
        return PageLinks(None, None)
    edit_url = (
        reverse("wagtailadmin_pages:edit", args=[page.pk])
        if page.permissions_for_user(request.user).can_edit()
        else None
    )
    live_url = page.get_url(request=request) if page.live else None
    return PageLinks(edit_url, live_url)
