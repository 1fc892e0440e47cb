"""Admin registration for the guidance app."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import SignpostingContact
from .reports import ReviewDueDashboardPanel, ReviewDueReportView, can_edit_pages


class SignpostingContactViewSet(SnippetViewSet):
    """Signposting contacts at /admin/snippets/guidance/signpostingcontact/."""

    model = SignpostingContact
    icon = "group"
    menu_label = "Signposting contacts"
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "phone", "phone_hours", "is_emergency", "live"]
    list_filter = ["is_emergency", "live"]
    search_fields = ["name", "helps_with"]
    inspect_view_enabled = True


register_snippet(SignpostingContactViewSet)


class ReviewDueMenuItem(MenuItem):
    """Shown to anyone who may add, edit or publish pages."""

    def is_shown(self, request):
        return can_edit_pages(request.user)


@hooks.register("register_admin_urls")
def register_review_due_report_urls():
    urls = [
        path("review-due/", ReviewDueReportView.as_view(), name="review_due"),
        path(
            "review-due/results/",
            ReviewDueReportView.as_view(results_only=True),
            name="review_due_results",
        ),
    ]
    return [path("reports/", include((urls, "guidance_reports"), namespace="guidance_reports"))]


@hooks.register("register_reports_menu_item")
def register_review_due_menu_item():
    return ReviewDueMenuItem(
        "Guidance due for review",
        reverse("guidance_reports:review_due"),
        name="guidance-review-due",
        icon_name="time",
        order=1050,
    )


@hooks.register("construct_homepage_panels")
def add_review_due_dashboard_panel(request, panels):
    if can_edit_pages(request.user):
        panels.append(ReviewDueDashboardPanel(request.user))


# Safeguarding content checks (guidance/content_checks.py, docs/content_checks.md).
# Imported where used, so this block stands alone.


@hooks.register("construct_wagtail_userbar")
def use_safeguarding_content_checker(request, items, page):
    """Our rules in Wagtail's checker: user bar, preview and the editor's Checks panel."""
    from .content_checks import use_safeguarding_checker

    use_safeguarding_checker(items)


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def warn_about_safeguarding_content(request, page):
    """After saving or publishing: the same rules as a warning; never blocks the save."""
    from .content_checks import warn_after_save

    warn_after_save(request, page)


# Review before publishing (guidance/review.py, docs/governance.md): every
# publish that skips the "Safeguarding review" workflow is in the audit log.
# Imported where used, so this block stands alone at the end of the file.


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    from .review import register_log_actions

    register_log_actions(actions)


@hooks.register("after_publish_page")
def record_page_published_without_review(request, page):
    from .review import record_publish_without_review

    record_publish_without_review(request, page)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def record_contact_published_without_review(request, instance):
    from .review import record_snippet_publish_without_review

    record_snippet_publish_without_review(request, instance)
