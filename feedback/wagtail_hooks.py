"""Admin registration for the feedback app: snippets, reports, audit action, dashboard panel."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.auth import user_has_any_page_permission
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal.admin_menu import PermissionMenuItem

from . import audit
from .models import DisclosurePhrase, VisitReason
from .permissions import can_view_feedback
from .reports.panels import FeedbackDashboardPanel


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


# Reports (feedback/reports/, one module each): their URLs and menu entries.


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("", include("feedback.admin_urls"))]


@hooks.register("register_reports_menu_item")
def page_feedback_menu_item():
    return PermissionMenuItem(
        "Page feedback",
        reverse("feedback_reports:responses"),
        is_shown=can_view_feedback,
        name="page-feedback",
        icon_name="comment",
        order=1300,
    )


@hooks.register("register_reports_menu_item")
def feedback_by_page_menu_item():
    return PermissionMenuItem(
        "Feedback by page",
        reverse("feedback_reports:by_page"),
        is_shown=can_view_feedback,
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
