"""Reports → "Guidance due for review": guidance pages by their next review date.

Registered in `guidance/wagtail_hooks.py` under /admin/reports/review-due/.
Safety guidance goes stale (a helpline changes its hours, the law changes),
so every guidance page carries a review date; this lists the pages an
editor may change: those never given a date first, then by date, so the
longest overdue come next.
"""

import django_filters
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies.pages import PagePermissionPolicy

from portal.reports import InvalidFiltersGiveNoRowsMixin

from .models import EDITING_ACTIONS, GuidancePage

page_permission_policy = PagePermissionPolicy()
DUE_CHOICES = [
    ("overdue", "Overdue"),
    ("30", "Overdue or due within 30 days"),
    ("90", "Overdue or due within 90 days"),
    ("unset", "No review date"),
]


def can_edit_pages(user):
    return page_permission_policy.user_has_any_permission(user, EDITING_ACTIONS)


def review_due_label(page):
    """'Overdue since 1 September 2026', 'Due 1 September 2027' or 'No review date'."""
    due = page.next_review_due
    if due is None:
        return "No review date"
    words = "Overdue since" if due < timezone.localdate() else "Due"
    return f"{words} {format_date(due, 'j F Y')}"


def pages_due_for_review(user):
    """Guidance pages `user` may edit, the most urgent first."""
    return GuidancePage.objects.editable_by(user).most_urgent_first()


class ReviewDueDashboardPanel(Component):
    """On the admin dashboard of anyone who edits pages: how many need review now."""

    name = "guidance_review_due"
    template_name = "guidance/admin/review_due_panel.html"
    order = 250  # before the page feedback panel

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        counts = GuidancePage.objects.editable_by(self.user).review_counts(soon_days=30)
        return {**counts, "report_url": reverse("guidance_reports:review_due")}


class ReviewDueFilterSet(WagtailFilterSet):
    due = django_filters.ChoiceFilter(
        label="Review", choices=DUE_CHOICES, method="filter_due", empty_label="Any date"
    )

    class Meta:
        model = GuidancePage
        fields = []

    def filter_due(self, queryset, name, value):
        if value == "unset":
            return queryset.undated()
        if value == "overdue":
            return queryset.overdue()
        return queryset.due_within(int(value))


class ReviewDueReportView(InvalidFiltersGiveNoRowsMixin, ReportView):
    page_title = "Guidance due for review"
    header_icon = "time"
    model = GuidancePage
    permission_policy = page_permission_policy
    any_permission_required = EDITING_ACTIONS
    filterset_class = ReviewDueFilterSet
    index_url_name = "guidance_reports:review_due"
    index_results_url_name = "guidance_reports:review_due_results"
    verbose_name_plural = "guidance pages"
    columns = [
        TitleColumn(
            "title",
            label="Page",
            get_url=lambda page: reverse("wagtailadmin_pages:edit", args=[page.pk]),
        ),
        Column("next_review_due", label="Next review", accessor=review_due_label),
        Column(
            "last_reviewed",
            label="Last reviewed",
            accessor=lambda page: format_date(page.last_reviewed, "j F Y"),
        ),
        Column("status_string", label="Status"),
    ]

    def get_base_queryset(self):
        return pages_due_for_review(self.request.user)
