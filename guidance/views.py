"""Public views of the guidance app that are not Wagtail pages."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_safe
from wagtail.models import Page

from .quick_exit import neutral_exit_url

SEARCH_RESULTS_PER_PAGE = 10
SEARCH_QUERY_MAX_LENGTH = 200


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
    """Site search over live, public pages (Wagtail's database backend)."""
    query = request.GET.get("q", "").strip()[:SEARCH_QUERY_MAX_LENGTH]
    results = Page.objects.none()
    if query:
        results = Page.objects.live().public().filter(depth__gt=1).specific().search(query)
    paginator = Paginator(results, SEARCH_RESULTS_PER_PAGE)
    try:
        page_of_results = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page_of_results = paginator.page(1)
    return render(
        request,
        "guidance/search.html",
        {"query": query, "results": page_of_results},
    )
