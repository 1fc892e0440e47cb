"""Feedback figures where editors already look: the dashboard and the page editor.

Both show counts only, never comments (comments can hold disclosures and
are for the people in "Feedback analysts" and "Moderators"), and count only
the responses of the forces the user works for (`feedback.forces`).

- `FeedbackDashboardPanel`: last 30 days across the user's forces: responses,
  % useful, the five least useful pages. Added to the admin dashboard by
  the `construct_homepage_panels` hook in `feedback/wagtail_hooks.py`.
- `PageFeedbackPanel`: a read-only panel for `GuidancePage`'s editor with
  the page's last 90 days, its newest version with feedback against the
  version before (`history`), and links to its responses and its feedback
  by version. Added to the page's panels in `guidance/models.py` with the
  "Ask for page feedback" switch by `feedback_panels()`.
"""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from wagtail.admin.panels import FieldPanel, Panel
from wagtail.admin.ui.components import Component
from wagtail.models import Page

from ..forces import scope_of
from ..permissions import can_view_feedback
from . import figures, history
from .links import page_links

DASHBOARD_DAYS = 30
EDITOR_DAYS = 90
LEAST_USEFUL_COUNT = 5


def _first_day(days):
    """The first day of the last `days` days, today included."""
    return timezone.localdate() - datetime.timedelta(days=days - 1)


class FeedbackDashboardPanel(Component):
    name = "page_feedback"
    template_name = "feedback/admin/dashboard_panel.html"
    order = 260  # after the user's own recent edits

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        first = _first_day(DASHBOARD_DAYS)
        responses = scope_of(request).responses().since(first)
        pages = figures.by_page(responses)
        totals = figures.Totals(
            sum(page.responses for page in pages), sum(page.useful for page in pages)
        )
        rows = figures.sort_pages([page for page in pages if not page.deleted], "percent_useful")
        rows = rows[:LEAST_USEFUL_COUNT]
        live_pages = Page.objects.in_bulk([row.page_id for row in rows])
        for row in rows:
            row.edit_url = page_links(live_pages.get(row.page_id), request).edit_url
        can_view = can_view_feedback(request.user)
        return {
            "days": DASHBOARD_DAYS,
            "first_day": first,
            "totals": totals,
            "least_useful": rows,
            "summary_url": reverse("feedback_reports:by_page") if can_view else None,
        }


class PageFeedbackPanel(Panel):
    """This page's feedback over the last `days` days: counts and reasons, no comments.

    Read-only: it adds no form fields, so it is safe on any page model.
    """

    def __init__(self, days=EDITOR_DAYS, **kwargs):
        kwargs.setdefault("heading", "Page feedback")
        kwargs.setdefault("icon", "comment")
        super().__init__(**kwargs)
        self.days = days

    def clone_kwargs(self):
        kwargs = super().clone_kwargs()
        kwargs["days"] = self.days
        return kwargs

    class BoundPanel(Panel.BoundPanel):
        template_name = "feedback/admin/page_feedback_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            days = self.panel.days
            first = _first_day(days)
            context.update({"days": days, "first_day": first, "totals": None})
            if self.instance.pk is None:
                return context  # a page being created has no feedback yet
            visible = scope_of(self.request).responses()
            responses = visible.since(first).filter(page_id=self.instance.pk)
            context["totals"] = figures.totals(responses)
            context["reasons"] = figures.reason_counts(responses)[:3]
            context["version"] = history.page_history(self.instance, visible).latest_comparison
            context["comparison_rule"] = history.COMPARISON_RULE
            if can_view_feedback(self.request.user):
                context["history_url"] = reverse(
                    "feedback_reports:page_history", args=[self.instance.pk]
                )
                query = {
                    "page": self.instance.pk,
                    "scope": "only",
                    "date_from": first.isoformat(),
                }
                context["report_url"] = (
                    f"{reverse('feedback_reports:responses')}?{urlencode(query)}"
                )
            return context


def feedback_panels():
    """For a `FeedbackPageMixin` page's editor: the switch, and its recent feedback (counts)."""
    return [FieldPanel("show_feedback_form"), PageFeedbackPanel()]
