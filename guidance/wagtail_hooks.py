"""Admin registration for the guidance app: the contacts snippet, reports, checks, review.

The reports' URLs are in guidance/admin_urls.py, included by one hook below;
each report's menu entry is one `PermissionMenuItem` (portal/admin_menu.py)
naming the check its view makes.
"""

from django.contrib.auth.models import Permission
from django.db.models import Q
from django.urls import include, path, reverse
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, LiveStatusTagColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from portal.admin_menu import PermissionMenuItem

from .content_checks import use_safeguarding_checker, warn_after_save
from .models import SignpostingContact
from .reports.no_results import can_view_no_results
from .reports.reading_age import can_view_reading_age
from .reports.review_due import ReviewDueDashboardPanel, can_edit_pages
from .reports.search_terms import can_view_search_terms
from .review import (
    SentBackPanel,
    SignpostingContactEditView,
    act_without_saving,
    record_publish_without_review,
    record_snippet_publish_without_review,
    register_log_actions,
    say_why_page_sent_back,
)
from .roles import URL_NAME as ROLES_URL_NAME
from .roles import RolesView, can_view_roles


class SignpostingContactIndexView(IndexView):
    """The contacts list: bulk actions (only "Delete") only for those who may delete contacts."""

    @cached_property
    def can_delete(self):
        return self.permission_policy.user_has_permission(self.request.user, "delete")

    @cached_property
    def columns(self):
        columns = super().columns
        if self.can_delete:
            return columns
        return [c for c in columns if not isinstance(c, BulkActionsCheckboxColumn)]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "show_bulk_actions": self.can_delete}


class SignpostingContactViewSet(SnippetViewSet):
    """Signposting contacts at /admin/snippets/guidance/signpostingcontact/."""

    model = SignpostingContact
    icon = "group"
    menu_label = "Signposting contacts"
    menu_order = 200
    add_to_admin_menu = True
    list_display = [
        "name",
        "phone",
        "phone_hours",
        Column(
            "is_emergency",
            label="Emergency number",
            accessor=lambda contact: "Yes" if contact.is_emergency else "No",
        ),
        "last_verified",
        LiveStatusTagColumn(),
    ]
    list_filter = ["is_emergency", "live"]
    search_fields = ["name", "helps_with"]
    # Matched with icontains, not the search index: contacts are few, and the
    # index's autocomplete asked SQLite's FTS5 for a `name` column it lacks,
    # so every search failed there (T7).
    search_backend_name = None
    inspect_view_enabled = True
    # Reviewers who approve or send back from the editor save nothing (guidance/review.py).
    edit_view_class = SignpostingContactEditView
    index_view_class = SignpostingContactIndexView
    index_template_name = "guidance/admin/contacts_index.html"
    edit_template_name = "guidance/admin/contact_edit.html"  # with the hidden page heading


register_snippet(SignpostingContactViewSet)


# Reports (guidance/reports/, one module each): their URLs, first so that
# "Search terms" at Wagtail's address is ours (order=-1), and menu entries.


@hooks.register("register_admin_urls", order=-1)
def register_admin_urls():
    return [path("", include("guidance.admin_urls"))]


@hooks.register("register_reports_menu_item")
def review_due_menu_item():
    return PermissionMenuItem(
        "Guidance due for review",
        reverse("guidance_reports:review_due"),
        is_shown=can_edit_pages,
        name="guidance-review-due",
        icon_name="time",
        order=1050,
    )


@hooks.register("register_reports_menu_item")
def reading_age_menu_item():
    return PermissionMenuItem(  # those who edit pages or read page feedback
        "Reading age",
        reverse("guidance_reports:reading_age"),
        is_shown=can_view_reading_age,
        name="reading-age",
        icon_name="glasses",
        order=1060,
    )


@hooks.register("register_reports_menu_item")
def search_terms_menu_item():
    return PermissionMenuItem(
        "Search terms",
        reverse("wagtailsearchpromotions:search_terms"),
        is_shown=can_view_search_terms,
        name="search-terms-report",
        icon_name="search",
        order=1300,
    )


@hooks.register("register_reports_menu_item")
def no_results_menu_item():
    return PermissionMenuItem(
        "Searches with no results",
        reverse("guidance_reports:no_results"),
        is_shown=can_view_no_results,
        name="searches-with-no-results",
        icon_name="search",
        order=1310,
    )


@hooks.register("construct_reports_menu")
def drop_wagtails_superuser_only_search_terms_item(request, menu_items):
    """Wagtail's own entry (superusers only) leads to the same report as ours."""
    menu_items[:] = [item for item in menu_items if item.name != "search-terms"]


@hooks.register("register_permissions")
def register_search_report_permissions():
    """So that Settings → Groups can give the search reports to other groups too."""
    return Permission.objects.filter(
        Q(content_type__app_label="wagtailsearchpromotions", codename="view_query")
        | Q(content_type__app_label="guidance", codename="view_noresultssearch")
    )


@hooks.register("construct_homepage_panels")
def add_review_due_dashboard_panel(request, panels):
    if can_edit_pages(request.user):
        panels.append(ReviewDueDashboardPanel(request.user))


# Safeguarding content checks (guidance/content_checks.py, docs/content_checks.md).


@hooks.register("construct_wagtail_userbar")
def use_safeguarding_content_checker(request, items, page):
    """Our rules in Wagtail's checker: user bar, preview and the editor's Checks panel."""
    use_safeguarding_checker(items)


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def warn_about_safeguarding_content(request, page):
    """After saving or publishing: the same rules as a warning; never blocks the save."""
    warn_after_save(request, page)


# Review before publishing (guidance/review.py, docs/governance.md): every
# publish that skips the "Safeguarding review" workflow is in the audit log.


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    register_log_actions(actions)


@hooks.register("before_edit_page")
def approve_or_send_back_without_saving(request, page):
    say_why_page_sent_back(request, page)
    return act_without_saving(request, page)


@hooks.register("construct_homepage_panels")
def add_sent_back_dashboard_panel(request, panels):
    panels.append(SentBackPanel(request.user))


@hooks.register("after_publish_page")
def record_page_published_without_review(request, page):
    record_publish_without_review(request, page)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def record_contact_published_without_review(request, instance):
    record_snippet_publish_without_review(request, instance)


# Settings → Roles (guidance/roles.py, docs/roles.md): each group's rights in plain words.


@hooks.register("register_admin_urls")
def register_roles_urls():
    return [path("roles/", RolesView.as_view(), name=ROLES_URL_NAME)]


@hooks.register("register_settings_menu_item")
def roles_menu_item():
    """Settings → Roles, beside Users and Groups."""
    return PermissionMenuItem(
        "Roles",
        reverse(ROLES_URL_NAME),
        is_shown=can_view_roles,
        name="roles",
        icon_name="group",
        order=601,
    )
