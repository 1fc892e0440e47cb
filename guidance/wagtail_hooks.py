"""Admin registration for the guidance app."""

from django.urls import include, path, reverse
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, LiveStatusTagColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from .models import SignpostingContact
from .reports import ReviewDueDashboardPanel, ReviewDueReportView, can_edit_pages
from .review import SentBackPanel, SignpostingContactEditView


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
    # so every search failed there (issue 14, T7).
    search_backend_name = None
    inspect_view_enabled = True
    # Reviewers who approve or send back from the editor save nothing (guidance/review.py).
    edit_view_class = SignpostingContactEditView
    index_view_class = SignpostingContactIndexView
    index_template_name = "guidance/admin/contacts_index.html"
    edit_template_name = "guidance/admin/contact_edit.html"  # with the hidden page heading


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


# Search reports (guidance/search_reports.py, docs/search_and_seo.md): "Search
# terms" and "Searches with no results" for analysts and moderators. Imported
# where used, so this block stands alone at the end of the file.


@hooks.register("register_admin_urls", order=-1)
def register_search_report_urls():
    """Ours at Wagtail's "Search terms" address (found first: order=-1); the no-results report."""
    from .search_reports import NoResultsReport, SearchTermsReport

    no_results = [
        path("searches-with-no-results/", NoResultsReport.as_view(), name="no_results"),
        path(
            "searches-with-no-results/results/",
            NoResultsReport.as_view(results_only=True),
            name="no_results_results",
        ),
    ]
    return [
        path("searchpicks/reports/search-terms/", SearchTermsReport.as_view()),
        path(
            "searchpicks/reports/search-terms/results/",
            SearchTermsReport.as_view(results_only=True),
        ),
        path(
            "reports/",
            include((no_results, "guidance_search_reports"), namespace="guidance_search_reports"),
        ),
    ]


class SearchTermsMenuItem(MenuItem):
    def is_shown(self, request):
        from .search_reports import can_view_search_terms

        return can_view_search_terms(request.user)


class NoResultsMenuItem(MenuItem):
    def is_shown(self, request):
        from .search_reports import can_view_no_results

        return can_view_no_results(request.user)


@hooks.register("register_reports_menu_item")
def register_search_terms_menu_item():
    return SearchTermsMenuItem(
        "Search terms",
        reverse("wagtailsearchpromotions:search_terms"),
        name="search-terms-report",
        icon_name="search",
        order=1300,
    )


@hooks.register("register_reports_menu_item")
def register_no_results_menu_item():
    return NoResultsMenuItem(
        "Searches with no results",
        reverse("guidance_search_reports:no_results"),
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
    """So that Settings → Groups can give these reports to other groups too."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    return Permission.objects.filter(
        Q(content_type__app_label="wagtailsearchpromotions", codename="view_query")
        | Q(content_type__app_label="guidance", codename="view_noresultssearch")
    )


# Review before publishing (guidance/review.py, docs/governance.md): every
# publish that skips the "Safeguarding review" workflow is in the audit log.
# Imported where used, so this block stands alone at the end of the file.


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    from .review import register_log_actions

    register_log_actions(actions)


@hooks.register("before_edit_page")
def approve_or_send_back_without_saving(request, page):
    from .review import act_without_saving, say_why_page_sent_back

    say_why_page_sent_back(request, page)
    return act_without_saving(request, page)


@hooks.register("construct_homepage_panels")
def add_sent_back_dashboard_panel(request, panels):
    panels.append(SentBackPanel(request.user))


@hooks.register("after_publish_page")
def record_page_published_without_review(request, page):
    from .review import record_publish_without_review

    record_publish_without_review(request, page)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def record_contact_published_without_review(request, instance):
    from .review import record_snippet_publish_without_review

    record_snippet_publish_without_review(request, instance)


# Reading age (guidance/reading_age.py, guidance/reading_age_report.py,
# docs/reading_age.md): Reports → Reading age, for those who edit pages or
# read page feedback.
# Imported where used, so this block stands alone at the end of the file.


@hooks.register("register_admin_urls")
def register_reading_age_report_urls():
    from .reading_age_report import ReadingAgeReportView

    urls = [
        path("", ReadingAgeReportView.as_view(), name="report"),
        path("results/", ReadingAgeReportView.as_view(results_only=True), name="results"),
    ]
    return [path("reports/reading-age/", include((urls, "guidance_reading_age")))]


@hooks.register("register_reports_menu_item")
def register_reading_age_menu_item():
    from .reading_age_report import ReadingAgeMenuItem

    return ReadingAgeMenuItem(  # those who edit pages or read page feedback
        "Reading age",
        reverse("guidance_reading_age:report"),
        name="reading-age",
        icon_name="glasses",
        order=1060,
    )


# Settings → Roles (guidance/roles.py, docs/roles.md): each group's rights in plain words.
# Imported where used, so this block stands alone at the end of the file.


@hooks.register("register_admin_urls")
def register_roles_urls():
    from .roles import admin_urls

    return admin_urls()


@hooks.register("register_settings_menu_item")
def register_roles_menu_item():
    from .roles import roles_menu_item

    return roles_menu_item()
