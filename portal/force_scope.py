"""Staff who work for some forces only see only their own forces' pages in the page chooser.

Wagtail already keeps a force's staff to the pages their page permissions
(given on their force's home page, guidance/forces.py) let them explore:
the explorer lists only those, and opening another page's listing sends
them to their own; edit, preview and the other page actions refuse. Its
page chooser does not: it lists every page, of every force, to anyone who
may choose a page (a link in rich text, a related page).

`chooser_pages` (the `construct_page_chooser_queryset` hook, in
portal/wagtail_hooks.py) narrows the chooser's listing and search to the
pages the user may explore, for users whose forces are limited
(`forces_of` is not None: every group they belong to has a `ForceGroup`).
Browsing the chooser below a page outside them (by its id in the address)
answers 404, so not even that page's title shows. National staff and
superusers choose from every page, as before.
"""

from django.http import Http404
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from .models import forces_of

page_permission_policy = PagePermissionPolicy()


def chooser_pages(pages, request):
    """`pages` as the chooser may list them to `request.user` (see the module docstring)."""
    if forces_of(request.user) is None:
        return pages
    explorable = page_permission_policy.explorable_instances(request.user)
    match = request.resolver_match
    parent_id = match.kwargs.get("parent_page_id") if match is not None else None
    if parent_id is not None:
        parent_path = Page.objects.filter(pk=parent_id).values_list("path", flat=True).first()
        # The parent must be one of the explorable pages or above one (the root).
        if parent_path is None or not explorable.filter(path__startswith=parent_path).exists():
            raise Http404("No page here that you may choose from.")
    return pages.filter(pk__in=explorable.values("pk"))
