"""Reports → "Feedback by version" (/admin/reports/feedback-summary/<page id>/versions/).

One page's published versions, oldest first, each with its feedback and
whether it did better than the version before (`history`). Opened from
"Feedback by page" (`feedback_reports:page_history`). Needs the view
permission; its CSV and XLSX downloads need the export permission too.
Only pages of the user's forces have one here (another force's page id is a
404), and only their forces' responses are counted (`feedback.forces`).
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.ui.tables import Column, NumberColumn
from wagtail.admin.views.reports import ReportView

from portal.reports import SafeSpreadsheetExportMixin

from ..audit import log_export
from ..permissions import can_export_feedback
from . import figures, history
from .base import FeedbackPermissionMixin
from .columns import ReasonsColumn
from .links import page_links


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

    @cached_property
    def page(self):
        """The page, read once the permission is checked (`dispatch`).

        Another force's page is not found: its versions and publishers are
        not the user's to see.
        """
        return get_object_or_404(self.scope.pages(), pk=self.kwargs["page_id"])

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
        return history.page_history(self.page, self.scope.responses())

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
                forces=self.scope.hostnames(self.scope.sites_of_page(self.page)),
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
