"""Reports → "Guidance due for review": guidance pages to review and contacts to verify.

At /admin/reports/review-due/ (`guidance_reports:review_due`, guidance/admin_urls.py);
its menu entry and dashboard panel are registered in `guidance/wagtail_hooks.py`.
Safety guidance goes stale (a helpline changes its number, the law
changes), so every guidance page carries a review date and every signposting
contact a "last verified" date. The report lists the pages an editor may
change, those never given a date first, then by date, so the longest overdue
come next; beside them, for those who may edit contacts, the contacts in the
same order (a contact is due `CONTACT_VERIFY_EVERY_DAYS` after it was last
verified). One filter serves both; the CSV and XLSX downloads hold both,
one row each, through `SafeSpreadsheetExportMixin`.
"""

from dataclasses import dataclass

import django_filters
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.snippets.permissions import get_permission_name

from portal.reports import InvalidFiltersGiveNoRowsMixin, SafeSpreadsheetExportMixin

from ..models import EDITING_ACTIONS, GuidancePage, SignpostingContact

page_permission_policy = PagePermissionPolicy()
DUE_CHOICES = [
    ("overdue", "Overdue"),
    ("30", "Overdue or due within 30 days"),
    ("90", "Overdue or due within 90 days"),
    ("unset", "No review date"),
]


def can_edit_pages(user):
    return page_permission_policy.user_has_any_permission(user, EDITING_ACTIONS)


def can_edit_contacts(user):
    return user.has_perm(get_permission_name("change", SignpostingContact))


def _due_label(due, never="No review date"):
    """'Overdue since 1 September 2026', 'Due 1 September 2027', or `never`."""
    if due is None:
        return never
    words = "Overdue since" if due < timezone.localdate() else "Due"
    return f"{words} {format_date(due, 'j F Y')}"


def review_due_label(page):
    return _due_label(page.next_review_due)


def verification_due_label(contact):
    return _due_label(contact.verification_due, never="Never verified")


def _filtered_by_due(queryset, value):
    """The same `due` filter for pages and contacts (their querysets share the methods)."""
    if value == "unset":
        return queryset.undated()
    if value == "overdue":
        return queryset.overdue()
    if value:
        return queryset.due_within(int(value))
    return queryset


def contacts_due_for_verification(user, due=""):
    """Contacts `user` may edit, filtered like the pages, the most urgent first."""
    if not can_edit_contacts(user):
        return SignpostingContact.objects.none()
    contacts = SignpostingContact.objects.select_related("verified_by")
    return _filtered_by_due(contacts, due).most_urgent_first()


@dataclass
class ReviewRow:
    """One row of the download: a page to review or a contact to verify."""

    kind: str
    name: str
    due: str
    last_checked: str
    checked_by: str
    status: str
    admin_url: str

    @classmethod
    def for_page(cls, page, base_url):
        return cls(
            kind="Page",
            name=page.title,
            due=review_due_label(page),
            last_checked=page.last_reviewed.isoformat(),
            checked_by="",
            status=page.status_string,
            admin_url=base_url + reverse("wagtailadmin_pages:edit", args=[page.pk]),
        )

    @classmethod
    def for_contact(cls, contact, base_url):
        verifier = contact.verified_by
        return cls(
            kind="Contact",
            name=contact.name,
            due=verification_due_label(contact),
            last_checked=contact.last_verified.isoformat() if contact.last_verified else "",
            checked_by=verifier.get_full_name() or verifier.get_username() if verifier else "",
            status="live" if contact.live else "draft",
            admin_url=base_url + contact_edit_url(contact),
        )


def contact_edit_url(contact):
    return reverse("wagtailsnippets_guidance_signpostingcontact:edit", args=[contact.pk])


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
        contacts = None
        if can_edit_contacts(self.user):
            contacts = SignpostingContact.objects.verification_counts(soon_days=30)
        return {
            **counts,
            "contacts": contacts,
            "report_url": reverse("guidance_reports:review_due"),
        }


class ReviewDueFilterSet(WagtailFilterSet):
    due = django_filters.ChoiceFilter(
        label="Review", choices=DUE_CHOICES, method="filter_due", empty_label="Any date"
    )

    class Meta:
        model = GuidancePage
        fields = []

    def filter_due(self, queryset, name, value):
        return _filtered_by_due(queryset, value)


class ReviewDueReportView(InvalidFiltersGiveNoRowsMixin, SafeSpreadsheetExportMixin, ReportView):
    page_title = "Guidance due for review"
    results_template_name = "guidance/admin/review_due_results.html"
    list_export = ["kind", "name", "due", "last_checked", "checked_by", "status", "admin_url"]
    export_headings = {
        "kind": "Kind",
        "name": "Page or contact",
        "due": "Review or verification",
        "last_checked": "Last reviewed or verified",
        "checked_by": "Verified by",
        "status": "Status",
        "admin_url": "Edit at",
    }
    export_filename = "review-and-verification-due"
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

    @property
    def due_filter(self):
        if self.filters_are_invalid or not self.filters:
            return ""
        return self.filters.form.cleaned_data.get("due") or ""

    @property
    def contacts(self):
        if self.filters_are_invalid:
            return SignpostingContact.objects.none()
        return contacts_due_for_verification(self.request.user, self.due_filter)

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["contacts"] = [
            (contact, verification_due_label(contact), contact_edit_url(contact))
            for contact in self.contacts
        ]
        context["can_edit_contacts"] = can_edit_contacts(self.request.user)
        return context

    def as_spreadsheet(self, queryset, spreadsheet_format):
        base_url = self.request.build_absolute_uri("/").rstrip("/")
        rows = [ReviewRow.for_page(page, base_url) for page in queryset]
        rows += [ReviewRow.for_contact(contact, base_url) for contact in self.contacts]
        return super().as_spreadsheet(rows, spreadsheet_format)
