"""What the feedback reports share: the view permission, the user's forces, bad
filters listing nothing, the audit record's filters and forces, and the admin's
XLSX size limit.

Every report reads responses through `self.scope.responses()` (the user's
forces only, `feedback/forces.py`), never `FeedbackResponse.objects` itself:
tests/feedback/test_feedback_per_force.py fails on a report module that does.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.functional import cached_property

from portal.reports import InvalidFiltersGiveNoRowsMixin

from ..forces import scope_of
from ..permissions import can_export_feedback, feedback_permission_policy

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
    """Feedback reports: readable with the view permission, the user's forces only;
    bad filters list nothing."""

    permission_policy = feedback_permission_policy
    permission_required = "view"

    @cached_property
    def scope(self):
        """The user's forces (`feedback.forces.ForceScope`): where every report starts."""
        return scope_of(self.request)

    def forces_selected(self):
        """The host names of the forces a download covers, for its audit record."""
        chosen = getattr(self.filters, "chosen_force", None) if self.filters else None
        return self.scope.hostnames(None if chosen is None else [chosen])

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


class CheckedDownloadMixin:
    """`?export=csv|xlsx`: refused without the export permission, sent back on bad filters.

    The view's `download(export_format)` writes the file and its audit record.
    """

    def get(self, request, *args, **kwargs):
        if not self.is_export:
            return super().get(request, *args, **kwargs)
        if not can_export_feedback(request.user):
            raise PermissionDenied
        if self.filters_are_invalid:
            messages.error(request, "Correct the filters before downloading.")
            return self.back_to_report()
        return self.download(request.GET["export"])
