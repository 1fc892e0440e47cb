"""Public views of the guidance app that are not Wagtail pages."""

import logging

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import DatabaseError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.models import Page, Site

from .models import SafetySettings
from .quick_exit import neutral_exit_url
from .search import (
    QUERY_MAX_LENGTH,
    clean_query,
    pages_of_force,
    promotions_for,
    record_search,
    searchable_text,
)

logger = logging.getLogger(__name__)

SEARCH_RESULTS_PER_PAGE = 10


@require_safe
def quick_exit(request):
    """Send the visitor to a neutral site and wipe what our origin left behind.

    Works without JavaScript: the "Leave site" link points here. Answers
    even while the database and the cache are down (guidance/quick_exit.py).
    See docs/quick_exit.md.
    """
    response = HttpResponseRedirect(neutral_exit_url(request), status=303)
    response["Clear-Site-Data"] = '"cache", "storage"'
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
def search(request):
    """Search of this force's live, public pages, editors' promoted results first.

    Only the pages of the request's force (its Site's home page and the
    pages below it) are searched, and only its pages are promoted
    (docs/multi_force.md). Wagtail's database backend (PostgreSQL
    full-text search on PostgreSQL).
    The first page of results for a query is counted (guidance/search.py);
    a page with a query string is sent `no-store` and never kept by the page
    cache, so every search is counted and a shared device's browser keeps
    no copy of what was searched. See docs/search_and_seo.md.
    """
    query = clean_query(request.GET.get("q", ""))
    promotions, results = [], Page.objects.none()
    if query:
        force_pages = pages_of_force(Site.find_for_request(request))
        promotions = promotions_for(query, force_pages)
        if words := searchable_text(query):
            promoted_pages = [promotion.page_id for promotion in promotions if promotion.page_id]
            results = force_pages.exclude(pk__in=promoted_pages).specific().search(words)
    paginator = Paginator(results, SEARCH_RESULTS_PER_PAGE)
    try:
        page_of_results = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page_of_results = paginator.page(1)
    found = bool(promotions) or paginator.count > 0
    if query and request.method == "GET" and page_of_results.number == 1:
        record_search(query, found=found)
    context = {
        "query": query,
        "query_max_length": QUERY_MAX_LENGTH,
        "promotions": promotions,
        "results": page_of_results,
        "found": found,
        "canonical_url": _site_url(request, reverse("search")),
    }
    response = render(request, "guidance/search.html", context)
    if request.GET:
        response["Cache-Control"] = "no-store"
    return response


def _site_url(request, path):
    """`path` on the site's own address (the Wagtail Site), as page canonicals are."""
    site = Site.find_for_request(request)
    return site.root_url + path if site else request.build_absolute_uri(path)


@require_safe
def robots_txt(request):
    """robots.txt: the endpoints crawlers should leave alone, and where the sitemap is.

    The sitemap's address is on the host the crawler asked (the sitemaps
    protocol wants it on the same host as robots.txt), with the scheme the
    request came in on (https behind the load balancer).
    """
    return render(
        request,
        "robots.txt",
        {"sitemap_url": request.build_absolute_uri(reverse("sitemap"))},
        content_type="text/plain; charset=utf-8",
    )


@require_safe
def sitemap(request):
    """/sitemap.xml (Wagtail's): live, public pages not hidden from search engines.

    Sent `no-cache`: the page cache keeps only HTML, and a CDN must ask again
    each time, so a publish shows at once with nothing to purge.
    """
    response = wagtail_sitemap(request)
    response["Cache-Control"] = "no-cache"
    return response


def security_contacts(request):
    """The security contacts of the request's force (its Safety settings), or [] for the install's.

    Given to portal/security_txt.py by the URLconf: its security.txt and
    policy list them, else `SECURITY_TXT_CONTACT`. With the database
    failing, the install's contact is listed rather than an error page.
    """
    site = Site.find_for_request(request)
    if site is None:
        return []
    try:
        return SafetySettings.for_site(site).security_contacts()
    except DatabaseError as error:
        logger.warning("Force's security contact not read (%s)", type(error).__name__)
        return []
