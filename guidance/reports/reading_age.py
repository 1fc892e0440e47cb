"""Reports → "Reading age": every live guidance page against its topic's target.

At /admin/reports/reading-age/ (`guidance_reports:reading_age`, guidance/admin_urls.py).
One row per live guidance page the user may edit, with its stored reading
age (guidance/reading_age.py), its topic and target, how far above or below
the target it is, and the share of its page feedback that said "useful"
(counts only, as editors see on the dashboard). Everything comes from one
query (`with_figures`). Sorted by default with the page most
over its target first; filterable by topic; sortable by every figure.
`?export=csv` and `?export=xlsx` download the filtered rows through
`portal.reports.SafeSpreadsheetExportMixin`.

Who may see it (`can_view_reading_age`):

- anyone who may add, edit or publish pages (Editors, Moderators,
  Safeguarding reviewers), like "Guidance due for review": the pages they
  may edit;
- anyone who may read page feedback (`feedback.view_feedbackresponse`:
  Feedback analysts, Moderators), since the report sets "Found it useful"
  beside the reading age: every live guidance page of the forces they work
  for.

"Found it useful" counts only the responses of the forces the user works
for (`feedback.forces`), as every feedback screen does.

A page's title links to its editor only for those who may edit it. Anyone
else (staff with other rights only, or none) is refused. The menu entry
(guidance/wagtail_hooks.py) is shown to the same people.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Length, NullIf, Substr
from django.urls import reverse
from django.utils.dateformat import format as format_date
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, NumberColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from feedback.forces import scope_of
from feedback.permissions import can_view_feedback
from portal.reports import (
    InvalidFiltersGiveNoRowsMixin,
    ModelChoiceFilter,
    SafeSpreadsheetExportMixin,
)

from ..models import EDITING_ACTIONS, GuidancePage, TopicPage
from ..reading_age import DEFAULT_TARGET, FORMULA, rounded
from .review_due import can_edit_pages


def _parent_topics():
    """The topic that is the parent of the outer page (by tree path), for subqueries."""
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Page.steplen)
    return TopicPage.objects.filter(path=parent_path)


def _count(responses):
    return Coalesce(
        Subquery(responses.order_by().values("page").annotate(n=Count("pk")).values("n")),
        0,
    )


def with_figures(pages, responses):
    """`pages` (guidance pages) with their topic, target and feedback, all in one query.

    Adds `topic_title`, `target`, `over_target` (years above the target,
    negative below; None without an estimate), `responses`, `useful` and
    `percent_useful` (None without responses), counted from `responses`
    (the user's forces' responses).
    """
    topics = _parent_topics()
    responses = responses.filter(page=OuterRef("pk"))
    return pages.annotate(
        topic_title=Subquery(topics.values("title")[:1]),
        target=Coalesce(Subquery(topics.values("target_reading_age")[:1]), DEFAULT_TARGET),
        over_target=F("reading_age") - F("target"),
        responses=_count(responses),
        useful=_count(responses.filter(useful=True)),
        percent_useful=Value(100.0)
        * Cast("useful", FloatField())
        / NullIf(Cast("responses", FloatField()), 0.0),
    )


def can_view_reading_age(user):
    """Those who edit pages, and those who read page feedback (see the module's docstring)."""
    return can_edit_pages(user) or can_view_feedback(user)


def _years(value):
    return "" if value is None else f"{value:.1f}"


def _over_target_label(page):
    if page.over_target is None:
        return "Not worked out yet"
    if page.over_target > 0:
        return f"{page.over_target:.1f} over"
    return "Within target"


def _useful_label(page):
    if not page.responses:
        return "No responses"
    return f"{page.percent_useful:.0f}% of {page.responses}"


class ReadingAgeFilterSet(WagtailFilterSet):
    topic = ModelChoiceFilter(
        label="Topic",
        queryset=TopicPage.objects.order_by("title"),
        method="filter_topic",
        empty_label="All topics",
    )

    class Meta:
        model = GuidancePage
        fields = []

    def filter_topic(self, queryset, name, value):
        return queryset.child_of(value) if value else queryset


class ReadingAgeReportView(InvalidFiltersGiveNoRowsMixin, SafeSpreadsheetExportMixin, ReportView):
    page_title = "Reading age"
    header_icon = "glasses"
    results_template_name = "guidance/admin/reading_age_results.html"
    model = GuidancePage
    filterset_class = ReadingAgeFilterSet
    index_url_name = "guidance_reports:reading_age"
    index_results_url_name = "guidance_reports:reading_age_results"
    verbose_name_plural = "live guidance pages"
    default_ordering = "-over_target"
    export_filename = "reading-age"
    list_export = [
        "title",
        "topic_title",
        "reading_age_export",
        "target",
        "over_target_export",
        "responses",
        "useful",
        "percent_useful_export",
        "reading_age_words",
        "computed_at_export",
        "admin_url",
    ]
    export_headings = {
        "title": "Page",
        "topic_title": "Topic",
        "reading_age_export": "Reading age (years)",
        "target": "Target reading age",
        "over_target_export": "Years over target",
        "responses": "Feedback responses",
        "useful": "Useful",
        "percent_useful_export": "% useful",
        "reading_age_words": "Words measured",
        "computed_at_export": "Worked out",
        "admin_url": "Edit at",
    }
    columns = [
        TitleColumn(
            "title",
            label="Page",
            sort_key="title",
            get_url=lambda page: (
                reverse("wagtailadmin_pages:edit", args=[page.pk]) if page.user_can_edit else None
            ),
        ),
        Column("topic_title", label="Topic", sort_key="topic_title"),
        NumberColumn(
            "reading_age",
            label="Reading age",
            sort_key="reading_age",
            accessor=lambda page: _years(page.reading_age),
        ),
        NumberColumn("target", label="Target", sort_key="target"),
        Column(
            "over_target", label="Over target", sort_key="over_target", accessor=_over_target_label
        ),
        Column(
            "percent_useful",
            label="Found it useful",
            sort_key="percent_useful",
            accessor=_useful_label,
        ),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not can_view_reading_age(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        """The live guidance pages of the user's forces for those who read feedback; else
        those the user may edit. Feedback is counted for the user's forces only."""
        user = self.request.user
        scope = scope_of(self.request)
        pages = GuidancePage.objects.live()
        if can_view_feedback(user):
            pages = pages.filter(scope.page_filter())
        else:
            pages = pages.editable_by(user)
        editable = PagePermissionPolicy().instances_user_has_any_permission_for(
            user, EDITING_ACTIONS
        )
        return with_figures(pages, scope.responses()).annotate(
            user_can_edit=ExpressionWrapper(
                Q(pk__in=editable.values("pk")), output_field=BooleanField()
            )
        )

    def order_queryset(self, queryset):
        """The chosen order, pages without a figure last, then by title."""
        ordering = self.ordering or self.default_ordering
        key = ordering.lstrip("-")
        expression = (
            F(key).desc(nulls_last=True)
            if ordering.startswith("-")
            else F(key).asc(nulls_last=True)
        )
        return queryset.order_by(expression, "title", "pk")

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["formula"] = FORMULA
        return context

    def to_row_dict(self, item):
        item.reading_age_export = rounded(item.reading_age)
        item.over_target_export = rounded(item.over_target)
        item.percent_useful_export = rounded(item.percent_useful)
        item.computed_at_export = (
            format_date(item.reading_age_computed_at, "Y-m-d H:i")
            if item.reading_age_computed_at
            else ""
        )
        item.admin_url = (
            self.base_url + reverse("wagtailadmin_pages:edit", args=[item.pk])
            if item.user_can_edit
            else ""
        )
        return super().to_row_dict(item)

    @property
    def base_url(self):
        return self.request.build_absolute_uri("/").rstrip("/")
