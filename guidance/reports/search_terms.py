"""Reports → "Search terms", for analysts and moderators, and what the search reports share.

`SearchTermsReport` is Wagtail's own "Search terms" report (every counted
search, from `Query` and its daily hits), served at Wagtail's address
(`wagtailsearchpromotions:search_terms`, /admin/searchpicks/reports/search-terms/)
by the URLs in guidance/admin_urls.py, which Django finds before Wagtail's
(the `register_admin_urls` hook runs first: order=-1). Wagtail's view is for
superusers only, sums every day whatever the date filter says, and writes
its CSV without neutralising formulas; this one needs
`wagtailsearchpromotions.view_query`, counts only the chosen days, and
downloads through `portal.reports.SafeSpreadsheetExportMixin`.

`SearchCountsView` is shared with "Searches with no results"
(guidance/reports/no_results.py): one row per search (the stored words, see
guidance/search.py) with its count and the last day searched, for a date
range in the site's time zone (both ends included), the most searched first,
sortable by the last day searched. `?export=csv` and `?export=xlsx` download
exactly the filtered rows (formula cells neutralised in CSV, which starts
with a byte-order mark; text cells in XLSX). The permissions are given to
"Feedback analysts" and "Moderators" by
guidance/migrations/0007_search_reports_permissions.py.
"""

from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.functional import cached_property
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, NumberColumn
from wagtail.admin.views.reports import ReportView
from wagtail.contrib.search_promotions.models import Query
from wagtail.contrib.search_promotions.views.reports import SearchTermsReportView
from wagtail.permission_policies import ModelPermissionPolicy

from portal.reports import (
    DateRangeFilter,
    InvalidFiltersGiveNoRowsMixin,
    SafeSpreadsheetExportMixin,
)

from ..models import NoResultsSearch

query_permission_policy = ModelPermissionPolicy(Query)


def can_view_search_terms(user):
    return query_permission_policy.user_has_permission(user, "view")


def search_term_counts(first=None, last=None):
    """Every counted search with its searches from `first` to `last` (None: open-ended).

    Queries with no search in the period (such as a promotion's own query,
    never searched) are left out.
    """
    days = Q()
    if first:
        days &= Q(daily_hits__date__gte=first)
    if last:
        days &= Q(daily_hits__date__lte=last)
    return (
        Query.objects.annotate(
            searches=Sum("daily_hits__hits", filter=days or None),
            last_searched=Max("daily_hits__date", filter=days or None),
        )
        .filter(searches__gt=0)
        .values("query_string", "searches", "last_searched")
    )


class SearchPeriodFilterSet(WagtailFilterSet):
    """Days searched (site's time zone), applied inside the counts: `SearchCountsView.period`."""

    date = DateRangeFilter(label="Date", method="within_counts")

    class Meta:
        model = NoResultsSearch
        fields = []

    def within_counts(self, queryset, name, value):
        return queryset


def last_searched_label(row):
    return format_date(row["last_searched"], "j F Y") if row["last_searched"] else ""


class SearchCountsView(InvalidFiltersGiveNoRowsMixin, SafeSpreadsheetExportMixin, ReportView):
    """One row per search for a period, the most searched first, with safe downloads."""

    filterset_class = SearchPeriodFilterSet
    default_ordering = "-searches"
    paginate_by = 100
    is_searchable = True
    search_backend_name = None  # the words are matched with icontains
    text_field = ""  # the row key holding the search words
    export_basename = ""

    @cached_property
    def columns(self):
        return [
            Column(self.text_field, label="Search words", sort_key=self.text_field),
            NumberColumn("searches", label="Searches", sort_key="searches"),
            Column(
                "last_searched",
                label="Last searched",
                sort_key="last_searched",
                accessor=last_searched_label,
            ),
        ]

    @cached_property
    def search_fields(self):
        return [self.text_field]

    @property
    def list_export(self):
        return [self.text_field, "searches", "last_searched"]

    @property
    def export_headings(self):
        return {
            self.text_field: "Search words",
            "searches": "Searches",
            "last_searched": "Last searched",
        }

    @cached_property
    def period(self):
        """(first day, last day) chosen in the filters; either may be None."""
        if not self.filters or not self.filters.is_valid():
            return None, None
        dates = self.filters.form.cleaned_data.get("date")
        if not dates:
            return None, None
        return tuple(
            timezone.localtime(moment).date() if moment else None
            for moment in (dates.start, dates.stop)
        )

    def counts(self, first, last):
        raise NotImplementedError

    def get_base_queryset(self):
        return self.counts(*self.period)

    def order_queryset(self, queryset):
        """The chosen order, then the most searched, the latest and the words."""
        ordering = [self.ordering] if self.ordering else []
        for tie_break in ("-searches", "-last_searched", self.text_field):
            if tie_break.lstrip("-") not in {key.lstrip("-") for key in ordering}:
                ordering.append(tie_break)
        return queryset.order_by(*ordering)

    def get_filename(self):
        first, last = self.period
        parts = [self.export_basename]
        if first:
            parts.append(f"from-{first}")
        parts.append(f"to-{last or timezone.localdate()}")
        return "_".join(parts)


class SearchTermsReport(SearchCountsView, SearchTermsReportView):
    """Wagtail's "Search terms" for anyone with `wagtailsearchpromotions.view_query`."""

    model = Query
    permission_policy = query_permission_policy
    permission_required = "view"
    index_url_name = "wagtailsearchpromotions:search_terms"
    index_results_url_name = "wagtailsearchpromotions:search_terms_results"
    text_field = "query_string"
    export_basename = "search-terms"
    verbose_name_plural = "search terms"

    def get_filterset_kwargs(self):
        return ReportView.get_filterset_kwargs(self)

    def dispatch(self, request, *args, **kwargs):
        # Past SearchTermsReportView.dispatch (superusers only) to the permission check.
        return super(SearchTermsReportView, self).dispatch(request, *args, **kwargs)

    def counts(self, first, last):
        return search_term_counts(first, last)
