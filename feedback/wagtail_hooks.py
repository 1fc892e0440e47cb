"""Admin registration for the feedback app: snippets, reports, audit action, dashboard panel."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.auth import user_has_any_page_permission
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import audit
from .models import DisclosurePhrase, VisitReason
from .permissions import can_view_feedback
from .reports.panels import FeedbackDashboardPanel
from .reports.views import FeedbackHistoryView, FeedbackReportView, FeedbackSummaryView


class VisitReasonViewSet(SnippetViewSet):
    """Reasons offered under "What best describes the reason for your visit today?"."""

    model = VisitReason
    icon = "list-ul"
    menu_label = "Visit reasons"
    list_display = ["label", "slug", "active"]
    list_filter = ["active"]


class DisclosurePhraseViewSet(SnippetViewSet):
    """Phrases that make the thank-you lead with help contacts."""

    model = DisclosurePhrase
    icon = "warning"
    menu_label = "Disclosure phrases"
    list_display = ["phrase"]
    search_fields = ["phrase"]


class FeedbackViewSetGroup(SnippetViewSetGroup):
    menu_label = "Page feedback"
    menu_icon = "comment"
    menu_order = 300
    items = (VisitReasonViewSet, DisclosurePhraseViewSet)


register_snippet(FeedbackViewSetGroup)


# Reports: "Page feedback" and "Feedback by page" (feedback/reports/).


class FeedbackReportMenuItem(MenuItem):
    """Shown to people who may read feedback (analysts, moderators)."""

    def is_shown(self, request):
        return can_view_feedback(request.user)


@hooks.register("register_admin_urls")
def register_feedback_report_urls():
    # Under /admin/reports/, beside Wagtail's own reports; Django tries
    # Wagtail's "reports/" include first and falls through to these.
    urls = [
        path("feedback/", FeedbackReportView.as_view(), name="responses"),
        path(
            "feedback/results/",
            FeedbackReportView.as_view(results_only=True),
            name="responses_results",
        ),
        path("feedback-summary/", FeedbackSummaryView.as_view(), name="by_page"),
        path(
            "feedback-summary/results/",
            FeedbackSummaryView.as_view(results_only=True),
            name="by_page_results",
        ),
        path(
            "feedback-summary/<int:page_id>/versions/",
            FeedbackHistoryView.as_view(),
            name="page_history",
        ),
        path(
            "feedback-summary/<int:page_id>/versions/results/",
            FeedbackHistoryView.as_view(results_only=True),
            name="page_history_results",
        ),
    ]
    return [path("reports/", include((urls, "feedback_reports"), namespace="feedback_reports"))]


@hooks.register("register_reports_menu_item")
def register_feedback_report_menu_item():
    return FeedbackReportMenuItem(
        "Page feedback",
        reverse("feedback_reports:responses"),
        name="page-feedback",
        icon_name="comment",
        order=1300,
    )


@hooks.register("register_reports_menu_item")
def register_feedback_summary_menu_item():
    return FeedbackReportMenuItem(
        "Feedback by page",
        reverse("feedback_reports:by_page"),
        name="feedback-by-page",
        icon_name="table",
        order=1310,
    )


@hooks.register("register_log_actions")
def register_feedback_log_actions(actions):
    audit.register_log_actions(actions)


@hooks.register("construct_homepage_panels")
def add_feedback_dashboard_panel(request, panels):
    """Counts for anyone who edits pages or reads feedback; never comments."""
    if can_view_feedback(request.user) or user_has_any_page_permission(request.user):
        panels.append(FeedbackDashboardPanel())
