"""The two feedback reports in the admin's Reports menu.

- `FeedbackReportView` ("Page feedback", /admin/reports/feedback/): one row
  per response, newest first, filtered and searched; `?export=csv` and
  `?export=xlsx` download exactly the filtered rows through
  `feedback.exports`. Needs `feedback.view_feedbackresponse`; downloads
  need `feedback.export_feedbackresponse` too.
- `FeedbackSummaryView` ("Feedback by page", /admin/reports/feedback-summary/):
  one row per page for a period, counted in the database, with a weekly
  chart. Needs `feedback.view_feedbackresponse`; its CSV and XLSX downloads
  (one row per page) need `feedback.export_feedbackresponse` too.
- `FeedbackHistoryView` ("Feedback by version",
  /admin/reports/feedback-summary/<page id>/versions/): one page's published
  versions, oldest first, each with its feedback and whether it did better
  than the version before (`history`). Needs the view permission; its CSV
  and XLSX downloads need the export permission too.

URLs and menu items are registered in `feedback/wagtail_hooks.py`.
"""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from wagtail.admin.ui.tables import Column, NumberColumn, StatusFlagColumn
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets.button import HeaderButton
from wagtail.models import Page

from portal.reports import InvalidFiltersGiveNoRowsMixin, SafeSpreadsheetExportMixin

from .. import exports
from ..audit import log_export
from ..models import DisclosurePhrase, FeedbackResponse
from ..permissions import can_export_feedback, feedback_permission_policy
from . import figures, history
from .chart import weekly_chart
from .columns import (
    CommentColumn,
    DateTimeColumn,
    HistoryLinkColumn,
    PageColumn,
    PercentColumn,
    ReasonsColumn,
    ResponsesColumn,
)
from .filters import FeedbackResponseFilterSet, FeedbackSummaryFilterSet
from .links import page_links

# Query parameters that are not filters: left out of audit records.
NOT_FILTERS = {"export", "p", "ordering", "_w_filter_fragment"}


def admin_xlsx_max_rows():
    """The most rows the admin writes as XLSX in one request.

    openpyxl writes about 15,000 to 20,000 rows a second here, so a bigger
    workbook would outlast the app server's worker timeout (30 s) and end
    in an error page. CSV streams at ten times that and has no limit.
    """
    return settings.FEEDBACK_ADMIN_XLSX_MAX_ROWS


class FeedbackPermissionMixin(InvalidFiltersGiveNoRowsMixin):
    """Feedback reports: readable with the view permission; bad filters list nothing."""

    permission_policy = feedback_permission_policy
    permission_required = "view"

    @cached_property
    def show_export_buttons(self):
        return can_export_feedback(self.request.user)

    def filter_parameters(self):
        """The filters and search exactly as given, for the audit record."""
        return {
            name: ", ".join(values)
            for name, values in self.request.GET.lists()
            if name not in NOT_FILTERS and any(values)
        }

    def back_to_report(self):
        query = self.request.GET.copy()
        query.pop("export", None)
        return redirect(f"{self.index_url}?{query.urlencode()}")


class FeedbackReportView(FeedbackPermissionMixin, ReportView):
    """Every response, newest first, with filters, a comment search and downloads."""

    page_title = "Page feedback"
    header_icon = "comment"
    model = FeedbackResponse
    filterset_class = FeedbackResponseFilterSet
    index_url_name = "feedback_reports:responses"
    index_results_url_name = "feedback_reports:responses_results"
    template_name = "feedback/admin/responses.html"
    results_template_name = "feedback/admin/responses_results.html"
    is_searchable = True
    search_fields = ["comment"]
    search_backend_name = None  # FeedbackResponse is not indexed: search with icontains
    default_ordering = "-submitted_at"
    verbose_name_plural = "feedback responses"
    columns = [
        DateTimeColumn("submitted_at", label="Date and time", sort_key="submitted_at"),
        PageColumn("page", label="Page", sort_key="page_title"),
        StatusFlagColumn("useful", label="Useful", true_label="Yes", false_label="No"),
        Column("reason", label="Reason for visit", accessor="reason.label"),
        CommentColumn("comment", label="Comment"),
    ]

    def get_base_queryset(self):
        return FeedbackResponse.objects.select_related("page", "reason")

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        descending = (self.ordering or "").startswith("-")
        return queryset.order_by(*queryset.query.order_by, "-pk" if descending else "pk")

    def decorate_paginated_queryset(self, object_list):
        reads_like_disclosure = DisclosurePhrase.objects.matcher()  # one query for the page
        for response in object_list:
            page = response.page
            response.page_label = page.title if page else response.page_title
            response.deleted = page is None
            response.possible_disclosure = reads_like_disclosure(response.comment)
            links = page_links(page, self.request)
            response.edit_url, response.live_url = links.edit_url, links.live_url
        return object_list

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                "Feedback by page",
                url=reverse("feedback_reports:by_page"),
                icon_name="table",
            )
        ]

    def get(self, request, *args, **kwargs):
        if self.is_export:
            return self.export(request.GET["export"])
        return super().get(request, *args, **kwargs)

    def export(self, export_format):
        """Download the filtered responses, logging who took how many and how."""
        if not can_export_feedback(self.request.user):
            raise PermissionDenied
        if self.filters_are_invalid:
            messages.error(self.request, "Correct the filters before downloading.")
            return self.back_to_report()
        responses = self.search_queryset(self.filter_queryset(FeedbackResponse.objects.all()))
        # Count and pin the selection, so the audit record and the file agree.
        snapshot = responses.aggregate(rows=Count("pk"), last=Max("pk"))
        rows = snapshot["rows"]
        if rows:
            responses = responses.filter(pk__lte=snapshot["last"])
        if export_format == self.FORMAT_XLSX and rows > exports.XLSX_MAX_ROWS:
            messages.error(self.request, str(exports.TooManyRowsError(rows)))
            return self.back_to_report()
        if export_format == self.FORMAT_XLSX and rows > admin_xlsx_max_rows():
            messages.error(
                self.request,
                f"{rows:,} responses are more than the admin builds as XLSX "
                f"({admin_xlsx_max_rows():,}) before the server's time limit. Choose a "
                "shorter period, download CSV (no limit), or ask for a run of "
                "manage.py export_feedback --format xlsx.",
            )
            return self.back_to_report()
        log_export(
            user=self.request.user,
            export_format=export_format,
            filters=self.filter_parameters(),
            rows=rows,
            source="admin",
        )
        filename = self.get_filename()
        if export_format == self.FORMAT_CSV:
            response = StreamingHttpResponse(
                exports.iter_csv(responses), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        else:
            # Spooled to a temporary file, not memory; removed when the response closes.
            workbook = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
            exports.write_xlsx(responses, workbook, row_count=rows)
            workbook.seek(0)
            response = FileResponse(
                workbook,
                as_attachment=True,
                filename=f"{filename}.xlsx",
                content_type=exports.XLSX_CONTENT_TYPE,
            )
        response["Cache-Control"] = "no-store"
        return response

    def get_filename(self):
        dates = None
        if self.filters and self.filters.is_valid():
            dates = self.filters.form.cleaned_data.get("date")
        parts = ["page-feedback"]
        if dates and dates.start:
            parts.append(f"from-{timezone.localtime(dates.start).date()}")
        if dates and dates.stop:
            parts.append(f"to-{timezone.localtime(dates.stop).date()}")
        if len(parts) == 1:
            parts.append(f"to-{timezone.localdate()}")
        return "_".join(parts)


class FeedbackSummaryView(FeedbackPermissionMixin, SafeSpreadsheetExportMixin, ReportView):
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
    columns = [
        PageColumn("title", label="Page", sort_key="title"),
        ResponsesColumn("responses", label="Responses", sort_key="responses"),
        PercentColumn("percent_useful", label="% useful", sort_key="percent_useful"),
        NumberColumn("not_useful", label="Not useful", sort_key="not_useful"),
        Column("reason", label="Most common reason for visit"),
        HistoryLinkColumn("history", label="Versions", accessor="history_url"),
    ]
    list_export = [
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
    }

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
        """The responses in the chosen period and pages (none if the filters are wrong)."""
        return self.filter_queryset(FeedbackResponse.objects.all())

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
        return figures.sort_pages(pages, self.ordering)

    def get_filtered_queryset(self):
        return self.get_queryset()

    def get(self, request, *args, **kwargs):
        if self.is_export:
            return self.export(request.GET["export"])
        return super().get(request, *args, **kwargs)

    def export(self, export_format):
        """Download the rows on screen (all of them, not one screen's worth), logged."""
        if not can_export_feedback(self.request.user):
            raise PermissionDenied
        if self.filters_are_invalid:
            messages.error(self.request, "Correct the filters before downloading.")
            return self.back_to_report()
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
            row.edit_url = row.live_url = row.responses_url = row.history_url = None
            page = pages.get(row.page_id)
            if page is None:
                continue
            row.export_path = page.get_url(request=self.request) or ""
            if not with_links:
                continue
            query = {**dates, "page": row.page_id, "scope": "only"}
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


class FeedbackHistoryView(FeedbackPermissionMixin, SafeSpreadsheetExportMixin, ReportView):
    """One page's published versions, oldest first: did each edit help?"""

    page_title = "Feedback by version"
    header_icon = "history"
    template_name = "feedback/admin/history.html"
    results_template_name = "feedback/admin/history_results.html"
    index_url_name = "feedback_reports:page_history"
    index_results_url_name = "feedback_reports:page_history_results"
    paginate_by = None  # a page has tens of versions, not thousands
    verbose_name_plural = "published versions"
    columns = [
        Column("version", label="Version", accessor="version_label"),
        Column("went_live", label="Went live", accessor="went_live_label"),
        NumberColumn("responses", label="Responses"),
        Column("useful", label="Found it useful", accessor="useful_label"),
        Column("change", label="Compared with the version before", accessor="change_label"),
        ReasonsColumn("reasons", label="Reasons for visit", accessor="reason_list"),
    ]
    list_export = [
        "number",
        "revision_id",
        "went_live_at",
        "published_by",
        "live_now",
        "responses",
        "useful",
        "not_useful",
        "percent_useful",
        "useful_low",
        "useful_high",
        "change_label",
        "reasons_text",
    ]
    export_headings = {
        "number": "Version",
        "revision_id": "Revision ID",
        "went_live_at": "Went live",
        "published_by": "Published by",
        "live_now": "Live now",
        "responses": "Responses",
        "useful": "Useful",
        "not_useful": "Not useful",
        "percent_useful": "% useful",
        "useful_low": "% useful, 95% range from",
        "useful_high": "% useful, 95% range to",
        "change_label": "Compared with the version before",
        "reasons_text": "Reasons for visit",
    }
    custom_field_preprocess = {
        "went_live_at": {
            ReportView.FORMAT_CSV: lambda when: when and local_time(when).isoformat(" ", "minutes"),
            ReportView.FORMAT_XLSX: lambda when: when and local_time(when).replace(tzinfo=None),
        }
    }

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.page = get_object_or_404(Page, pk=kwargs["page_id"])

    def get_index_url(self):
        return reverse(self.index_url_name, args=[self.page.pk])

    def get_index_results_url(self):
        return reverse(self.index_results_url_name, args=[self.page.pk])

    def get_page_subtitle(self):
        return self.page.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("feedback_reports:by_page"), "label": "Feedback by page"},
            {"url": "", "label": self.page_title, "sublabel": self.page.title},
        ]

    @cached_property
    def history(self):
        return history.page_history(self.page)

    def get_queryset(self):
        return self.history.versions

    def get_filtered_queryset(self):
        return self.get_queryset()

    def get_filename(self):
        return f"feedback-by-version_{self.page.slug}_to-{timezone.localdate()}"

    def get(self, request, *args, **kwargs):
        if self.is_export:
            if not can_export_feedback(request.user):
                raise PermissionDenied
            log_export(
                user=request.user,
                export_format=request.GET["export"],
                filters={"page": f"{self.page.title} (id {self.page.pk})", "by": "version"},
                rows=self.history.responses,
                source="admin, feedback by version",
            )
        return super().get(request, *args, **kwargs)

    def decorate_paginated_queryset(self, object_list):
        labels = {pk: label for pk, (label, _order) in figures.reason_labels().items()}
        for version in object_list:
            describe_version(version, labels)
        return object_list

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        links = page_links(self.page, self.request)
        context.update(
            {
                "page": self.page,
                "history": self.history,
                "comparison_rule": history.COMPARISON_RULE,
                "edit_url": links.edit_url,
                "live_url": links.live_url,
            }
        )
        return context


def local_time(when):
    return timezone.localtime(when)


def describe_version(version, reason_labels):
    """Give a `history.VersionFigures` the words the table and the download show."""
    version.version_label = f"Version {version.number}" + (" (live now)" if version.is_live else "")
    version.live_now = "Yes" if version.is_live else "No"
    if version.went_live_at is None:
        version.went_live_label = "Not recorded"
    else:
        when = local_time(version.went_live_at).strftime("%-d %B %Y, %H:%M")
        version.went_live_label = f"{when} by {version.published_by}"
    interval = version.interval_percent
    version.useful_low, version.useful_high = interval or ("", "")
    if interval is None:
        version.useful_label = "No responses"
    else:
        version.useful_label = (
            f"{version.percent_useful}% ({version.useful} of {version.responses}); "
            f"95% range {interval[0]}% to {interval[1]}%"
        )
    if not version.responses:
        version.change_label = "No responses yet"
    elif version.compared_with is None:
        version.change_label = "First version with responses"
    else:
        version.change_label = (
            f"{version.change.capitalize()} than version {version.compared_with.number}"
            if version.change != history.NO_CLEAR_CHANGE
            else f"No clear change from version {version.compared_with.number}"
        )
    version.reason_list = version.reasons(reason_labels)
    version.reasons_text = "; ".join(f"{label}: {count}" for label, count in version.reason_list)
