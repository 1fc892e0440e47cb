"""Reports → "Searches with no results" (/admin/reports/searches-with-no-results/).

The searches that found nothing, from `guidance.models.NoResultsSearch`, in
the shape of "Search terms" (`SearchCountsView`, guidance/reports/search_terms.py).
Needs `guidance.view_noresultssearch`, given to "Feedback analysts" and
"Moderators".
"""

from django.db.models import Max, Sum
from wagtail.permission_policies import ModelPermissionPolicy

from ..models import NoResultsSearch
from .search_terms import SearchCountsView

no_results_permission_policy = ModelPermissionPolicy(NoResultsSearch)


def can_view_no_results(user):
    return no_results_permission_policy.user_has_permission(user, "view")


def no_results_counts(first=None, last=None):
    """Every search that found nothing, with its count from `first` to `last`."""
    return (
        NoResultsSearch.objects.between(first, last)
        .values("query_text")
        .annotate(searches=Sum("hits"), last_searched=Max("date"))
        .order_by()
    )


class NoResultsReport(SearchCountsView):
    """Searches that found nothing: what visitors looked for and this site does not answer."""

    page_title = "Searches with no results"
    header_icon = "search"
    model = NoResultsSearch
    permission_policy = no_results_permission_policy
    permission_required = "view"
    index_url_name = "guidance_reports:no_results"
    index_results_url_name = "guidance_reports:no_results_results"
    text_field = "query_text"
    export_basename = "searches-with-no-results"
    verbose_name_plural = "searches with no results"

    def counts(self, first, last):
        return no_results_counts(first, last)
