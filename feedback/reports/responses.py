"""Reports → "Page feedback" (/admin/reports/feedback/, `feedback_reports:responses`).

One row per response, newest first, filtered and searched; `?export=csv` and
`?export=xlsx` download exactly the filtered rows through `feedback.exports`.
Needs `feedback.view_feedbackresponse`; downloads need
`feedback.export_feedbackresponse` too, and each is written to the audit log.
Only the responses of the user's forces are listed, searched and downloaded
(`feedback.forces`); with several forces, a "Force" column and filter too.
"""

import tempfile

from django.contrib import messages
from django.db.models import Count, Max
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.ui.tables import Column, StatusFlagColumn
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets.button import HeaderButton

from .. import exports, exports_xlsx
from ..audit import log_export
from ..models import DisclosurePhrase, FeedbackResponse
from .base import CheckedDownloadMixin, FeedbackPermissionMixin, admin_xlsx_max_rows
from .columns import CommentColumn, DateTimeColumn, PageColumn
from .filters import FeedbackResponseFilterSet
from .links import page_links


class FeedbackReportView(CheckedDownloadMixin, FeedbackPermissionMixin, ReportView):
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
    base_columns = [
        DateTimeColumn("submitted_at", label="Date and time", sort_key="submitted_at"),
        PageColumn("page", label="Page", sort_key="page_title"),
        StatusFlagColumn("useful", label="Useful", true_label="Yes", false_label="No"),
        Column("reason", label="Reason for visit", accessor="reason.label"),
        CommentColumn("comment", label="Comment"),
    ]

    @cached_property
    def columns(self):
        if not self.scope.several:
            return self.base_columns
        return [*self.base_columns[:2], Column("force", label="Force"), *self.base_columns[2:]]

    def get_base_queryset(self):
        return self.scope.responses().select_related("page", "reason")

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
            response.force = self.scope.name(response.site_id)
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

    def download(self, export_format):
        """Download the filtered responses, logging who took how many and how."""
        responses = self.search_queryset(self.filter_queryset(self.scope.responses()))
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
            forces=self.forces_selected(),
        )
        filename = self.get_filename()
        with_force = self.scope.several
        if export_format == self.FORMAT_CSV:
            response = StreamingHttpResponse(
                exports.iter_csv(responses, with_force=with_force),
                content_type="text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        else:
            # Spooled to a temporary file, not memory; removed when the response closes.
            workbook = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
            exports_xlsx.write_xlsx(responses, workbook, row_count=rows, with_force=with_force)
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
