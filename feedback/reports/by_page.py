"""Reports → "Feedback by page" (/admin/reports/feedback-summary/, `feedback_reports:by_page`).

One row per page for a period, counted in the database, with a weekly chart.
Needs `feedback.view_feedbackresponse`; its CSV and XLSX downloads (one row
per page) need `feedback.export_feedbackresponse` too. Everything counts the
user's forces' responses only (`feedback.forces`); when they see several
forces, the rows are per page and force, grouped by force, with a "Force"
column (and filter).
"""

from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from wagtail.admin.ui.tables import Column, NumberColumn
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets.button import HeaderButton
from wagtail.models import Page

from portal.reports import SafeSpreadsheetExportMixin

from ..audit import log_export
from . import figures
from .base import CheckedDownloadMixin, FeedbackPermissionMixin
from .chart import weekly_chart
from .columns import HistoryLinkColumn, PageColumn, PercentColumn, ResponsesColumn
from .filters import FeedbackSummaryFilterSet
from .links import page_links


class FeedbackSummaryView(
    CheckedDownloadMixin, FeedbackPermissionMixin, SafeSpreadsheetExportMixin, ReportView
):
    """One row per page for a period, least useful first, under a weekly chart.

    `?export=csv` and `?export=xlsx` download the rows the filters select,
    in the report's order, through the safe path every report shares
    (`SafeSpreadsheetExportMixin`); each download is written to the audit log.
    """

    page_title = "Feedback by page"
    header_icon = "table"
    filterset_class = FeedbackSummaryFilterSet
    index_url_name = "feedback_reports:by_page"
    index_results_url_name = "feedback_reports:by_page_results"
    template_name = "feedback/admin/summary.html"
    results_template_name = "feedback/admin/summary_results.html"
    default_ordering = "percent_useful"
    paginate_by = 100
    verbose_name_plural = "pages with feedback"
    base_columns = [
        PageColumn("title", label="Page", sort_key="title"),
        ResponsesColumn("responses", label="Responses", sort_key="responses"),
        PercentColumn("percent_useful", label="% useful", sort_key="percent_useful"),
        NumberColumn("not_useful", label="Not useful", sort_key="not_useful"),
        Column("reason", label="Most common reason for visit"),
        HistoryLinkColumn("history", label="Versions", accessor="history_url"),
    ]
    base_list_export = [
        "page_id",
        "page_label",
        "export_path",
        "page_deleted",
        "responses",
        "useful",
        "not_useful",
        "percent_useful",
        "reason",
        "period_from",
        "period_to",
    ]
    export_headings = {
        "page_id": "Page ID",
        "page_label": "Page",
        "export_path": "Path",
        "page_deleted": "Page deleted",
        "responses": "Responses",
        "useful": "Useful",
        "not_useful": "Not useful",
        "percent_useful": "% useful",
        "reason": "Most common reason for visit",
        "period_from": "From",
        "period_to": "To",
        "force_hostname": "Force",
    }

    @cached_property
    def columns(self):
        if not self.scope.several:
            return self.base_columns
        return [Column("force", label="Force"), *self.base_columns]

    @cached_property
    def list_export(self):
        if not self.scope.several:
            return self.base_list_export
        return ["force_hostname", *self.base_list_export]

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                "All responses",
                url=reverse("feedback_reports:responses"),
                icon_name="comment",
            )
        ]

    @cached_property
    def responses(self):
        """The user's forces' responses in the chosen period and pages (none on wrong filters)."""
        return self.filter_queryset(self.scope.responses())

    @cached_property
    def period(self):
        return self.filters.period

    @cached_property
    def page_figures(self):
        """`figures.PageFigures` for each page with responses in the selection."""
        return figures.by_page(self.responses)

    @cached_property
    def totals(self):
        pages = self.page_figures
        return figures.Totals(
            sum(page.responses for page in pages), sum(page.useful for page in pages)
        )

    def get_queryset(self):
        """The page figures, filtered and sorted (a list: pages are few)."""
        pages = self.page_figures
        min_responses = None
        if self.filters.is_valid():
            min_responses = self.filters.form.cleaned_data.get("min_responses")
        if min_responses:
            pages = [page for page in pages if page.responses >= min_responses]
        force_order = None
        if self.scope.several:
            force_order = {site.pk: place for place, site in enumerate(self.scope.sites)}
        return figures.sort_pages(pages, self.ordering, force_order)

    def get_filtered_queryset(self):
        return self.get_queryset()

    def download(self, export_format):
        """Download the rows on screen (all of them, not one screen's worth), logged."""
        rows = self.describe_rows(self.get_queryset(), with_links=False)
        first, last = self.period
        log_export(
            user=self.request.user,
            export_format=export_format,
            filters={
                **self.filter_parameters(),
                "by": "page",
                "period": f"{first or 'the first response'} to {last}",
            },
            rows=sum(row.responses for row in rows),
            source="admin, feedback by page",
            forces=self.forces_selected(),
        )
        response = self.as_spreadsheet(rows, export_format)
        response["Cache-Control"] = "no-store"
        return response

    def get_filename(self):
        first, last = self.period
        return "_".join(["feedback-by-page", *([f"from-{first}"] if first else []), f"to-{last}"])

    def decorate_paginated_queryset(self, object_list):
        return self.describe_rows(object_list)

    def describe_rows(self, object_list, *, with_links=True):
        """Give each row the words the table and the download show.

        The table's links ask about each page's permissions (a query or
        more a page); the download has no links, so it goes without.
        """
        rows = list(object_list)
        reasons = figures.reason_labels()
        first, last = self.period
        dates = {"date_from": first or "", "date_to": last or ""}
        responses_url = reverse("feedback_reports:responses")
        pages = Page.objects.in_bulk([row.page_id for row in rows if row.page_id])
        for row in rows:
            row.reason = row.most_common_reason(reasons)
            row.page_label = row.title
            row.page_path = row.export_path = row.deleted_path
            row.page_deleted = "Yes" if row.deleted else "No"
            row.period_from, row.period_to = first, last
            row.force = self.scope.name(row.site_id)
            row.force_hostname = self.scope.hostname(row.site_id)
            row.edit_url = row.live_url = row.responses_url = row.history_url = None
            page = pages.get(row.page_id)
            if page is None:
                continue
            row.export_path = page.get_url(request=self.request) or ""
            if not with_links:
                continue
            query = {**dates, "page": row.page_id, "scope": "only"}
            if self.scope.several and row.site_id:
                query["force"] = row.site_id
            row.responses_url = f"{responses_url}?{urlencode(query)}"
            row.history_url = reverse("feedback_reports:page_history", args=[row.page_id])
            links = page_links(page, self.request)
            row.edit_url, row.live_url = links.edit_url, links.live_url
        return rows

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        first, last = self.period
        weekly = figures.weekly(self.responses, first, last)
        context.update(
            {
                "first_day": first,
                "last_day": last,
                "default_period": self.filters.uses_default_period,
                "totals": self.totals,
                "chart": weekly_chart(weekly),
                "filter_errors": self.filters.errors if self.filters_are_invalid else None,
            }
        )
        return context
