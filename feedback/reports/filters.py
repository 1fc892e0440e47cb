"""Filters for the feedback reports (the admin's filter drawer).

`FeedbackResponseFilterSet` serves the "Page feedback" report and its
downloads (so "has a comment" narrows both); `FeedbackSummaryFilterSet`
the "Feedback by page" report. Both take a date range in the site's time
zone (whole days, both ends included, as `export_feedback --since/--until`)
and a page with, by default, the pages below it.

Both serve one member of staff's forces (`feedback.forces.scope_of`): the
page list holds only their forces' pages (another force's page id is an
invalid choice, so it lists nothing), and a "Force" filter appears when
they may see several forces. The view has already kept their responses
only; the filters narrow those.
"""

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django_filters.fields import ModelChoiceField, ModelChoiceIterator
from wagtail.admin.filters import WagtailFilterSet
from wagtail.models import Page

from portal.reports import DateRangeFilter

from ..forces import scope_of
from ..models import FeedbackResponse, VisitReason

SUBTREE = ""
PAGE_ONLY = "only"
SUMMARY_DEFAULT_DAYS = 90


class IndentedPageIterator(ModelChoiceIterator):
    def choice(self, obj):
        return (self.field.prepare_value(obj), "\u2003" * (obj.depth - 2) + obj.title)


class PageField(ModelChoiceField):
    """Pages in tree order, indented by depth in the list (plain titles elsewhere)."""

    iterator = IndentedPageIterator

    def label_from_instance(self, obj):
        return obj.title


class ReasonField(ModelChoiceField):
    def label_from_instance(self, obj):
        if obj == self.null_value:
            return self.null_label
        return super().label_from_instance(obj)


class PageFilter(django_filters.ModelChoiceFilter):
    field_class = PageField


class ReasonFilter(django_filters.ModelChoiceFilter):
    field_class = ReasonField


def site_pages(request):
    """The pages of the forces the user works for (all of them without a request)."""
    pages = Page.objects.filter(depth__gt=1).order_by("path")
    if request is None:
        return pages
    return pages.filter(scope_of(request).page_filter())


class PageFilterMixin(django_filters.FilterSet):
    """The force (for those who see several), a page, and whether to include the pages below it.

    Subclasses list their filters' display order in `filter_order`.
    """

    filter_order = ()

    force = django_filters.ChoiceFilter(
        label="Force",
        choices=[],  # the user's forces, set per request
        empty_label="All forces",
        method="filter_force",
    )

    page = PageFilter(
        label="Page",
        queryset=site_pages,
        method="filter_page",
        empty_label="All pages",
    )
    scope = django_filters.ChoiceFilter(
        label="Pages below the chosen page",
        choices=[(PAGE_ONLY, "Leave them out")],
        empty_label="Include them",
        widget=forms.RadioSelect,
        method="keep",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_of(self.request) if self.request is not None else None
        if scope is not None and scope.several:
            self.filters["force"].extra["choices"] = scope.choices()
        else:
            del self.filters["force"]  # one force: the view shows nothing else
        order = {name: index for index, name in enumerate(self.filter_order)}
        self.filters = dict(
            sorted(self.filters.items(), key=lambda item: order.get(item[0], len(order)))
        )

    def filter_force(self, queryset, name, site_id):
        return queryset.filter(site_id=site_id)

    @property
    def chosen_force(self):
        """The id of the force chosen in the "Force" filter, or None."""
        if "force" not in self.filters or not self.is_valid():
            return None
        chosen = self.form.cleaned_data.get("force")
        return int(chosen) if chosen else None

    def filter_page(self, queryset, name, page):
        if self.form.cleaned_data.get("scope") == PAGE_ONLY:
            return queryset.filter(page=page)
        return queryset.for_subtree(page)

    def keep(self, queryset, name, value):
        """Filters whose value another filter (or the view) reads."""
        return queryset


class FeedbackResponseFilterSet(PageFilterMixin, WagtailFilterSet):
    """Filters for the "Page feedback" report: when, where, useful, reason and comment."""

    filter_order = ("force", "date", "page", "scope", "useful", "reason", "has_comment")

    date = DateRangeFilter(label="Date", field_name="submitted_at")
    useful = django_filters.ChoiceFilter(
        label="Useful",
        choices=[("true", "Yes"), ("false", "No")],
        empty_label="All",
        widget=forms.RadioSelect,
        method="filter_useful",
    )
    reason = ReasonFilter(
        label="Reason for visit",
        queryset=VisitReason.objects.all(),
        null_label="No reason given",
        empty_label="All",
        blank=True,  # keeps "All" among the radio buttons
        widget=forms.RadioSelect,
    )
    has_comment = django_filters.ChoiceFilter(
        label="Comment",
        choices=[("true", "Has a comment"), ("false", "No comment")],
        empty_label="All",
        widget=forms.RadioSelect,
        method="filter_has_comment",
    )

    class Meta:
        model = FeedbackResponse
        fields = []

    def filter_useful(self, queryset, name, value):
        return queryset.filter(useful=value == "true")

    def filter_has_comment(self, queryset, name, value):
        # Comments are never NULL (one kind of empty): blank means none was written.
        if value == "true":
            return queryset.exclude(comment="")
        return queryset.filter(comment="")


class FeedbackSummaryFilterSet(PageFilterMixin, WagtailFilterSet):
    """Filters for "Feedback by page"; without dates it shows the last 90 days."""

    filter_order = ("force", "date", "page", "scope", "min_responses")

    date = DateRangeFilter(
        label="Date",
        field_name="submitted_at",
        help_text=f"Without dates: the last {SUMMARY_DEFAULT_DAYS} days.",
    )
    min_responses = django_filters.NumberFilter(
        label="Pages with at least this many responses",
        method="keep",  # counted per page: the view applies it after grouping
        min_value=1,
        widget=forms.NumberInput(attrs={"min": 1}),
    )

    class Meta:
        model = FeedbackResponse
        fields = []

    @property
    def uses_default_period(self):
        dates = self.form.cleaned_data.get("date") if self.is_valid() else None
        return not dates or (dates.start is None and dates.stop is None)

    @property
    def period(self):
        """(first day, last day) the report covers, both included; no first day means all."""
        dates = self.form.cleaned_data.get("date") if self.is_valid() else None
        today = timezone.localdate()
        if self.uses_default_period:
            return today - datetime.timedelta(days=SUMMARY_DEFAULT_DAYS - 1), today
        first = timezone.localtime(dates.start).date() if dates.start else None
        last = timezone.localtime(dates.stop).date() if dates.stop else today
        return first, last

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.uses_default_period:
            first, _ = self.period
            queryset = queryset.since(first)
        return queryset
