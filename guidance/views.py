"""Public views of the guidance app that are not Wagtail pages."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.models import Page, Site

from .quick_exit import neutral_exit_url
from .search import (
    QUERY_MAX_LENGTH,
    clean_query,
    promotions_for,
    record_search,
    searchable_text,
)

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
    """Site search over live, public pages, editors' promoted results first.

    Wagtail's database backend (PostgreSQL full-text search on PostgreSQL).
    The first page of results for a query is counted (guidance/search.py);
    a page with a query string is sent `no-store` and never kept by the page
    cache, so every search is counted and a shared device's browser keeps
    no copy of what was searched. See docs/search_and_seo.md.
    """
    query = clean_query(request.GET.get("q", ""))
    promotions = promotions_for(query) if query else []
    results = Page.objects.none()
    words = searchable_text(query)
    if words:
        promoted_pages = [promotion.page_id for promotion in promotions if promotion.page_id]
        results = (
            Page.objects.live()
            .public()
            .filter(depth__gt=1)
            .exclude(pk__in=promoted_pages)
            .specific()
            .search(words)
        )
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
