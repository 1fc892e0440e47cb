"""Counting page feedback in the database: totals, per page, per week.

Every figure here comes from one aggregate query (`COUNT ... GROUP BY`);
Python only adds up and formats the few groups that come back, never
loops over responses.
Used by the "Feedback by page" report, the dashboard panel and the page
editor panel.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, F, Max, Q, Value, When
from django.db.models.functions import TruncWeek
from django.utils import timezone
from wagtail.models import Page

from ..models import VisitReason

USEFUL = Q(useful=True)
NOT_USEFUL = Q(useful=False)


def percent(part, whole):
    """`part` as a whole percentage of `whole` (halves round up), or None when `whole` is 0."""
    if not whole:
        return None
    return (200 * part + whole) // (2 * whole)


@dataclass
class Totals:
    responses: int
    useful: int

    @property
    def not_useful(self):
        return self.responses - self.useful

    @property
    def percent_useful(self):
        return percent(self.useful, self.responses)


def totals(responses):
    """How many responses, and how many said "useful"."""
    figures = responses.aggregate(responses=Count("pk"), useful_count=Count("pk", filter=USEFUL))
    return Totals(figures["responses"], figures["useful_count"])


@dataclass
class PageFigures(Totals):
    """One page's figures. A deleted page has no `page_id` and is known by its path."""

    page_id: int | None = None
    deleted_path: str = ""
    title: str = ""
    reason_counts: dict = field(default_factory=dict)

    @property
    def deleted(self):
        return self.page_id is None

    @property
    def share_useful(self):
        """The exact fraction, for sorting (`percent_useful` is rounded)."""
        return self.useful / self.responses

    def most_common_reason(self, reasons):
        """The label of the reason given most (ties: the first in the admin's order), or ""."""
        given = [(count, reason_id) for reason_id, count in self.reason_counts.items() if reason_id]
        if not given:
            return ""
        _, reason_id = min(given, key=lambda item: (-item[0], reasons[item[1]][1]))
        return reasons[reason_id][0]


def by_page(responses):
    """A `PageFigures` per page, from one grouped query (no order).

    The database groups the responses by page and reason and counts them;
    Python adds up those groups (a few per page), never the responses.
    Responses about a deleted page (whose `page` is now empty) group by the
    path they were sent from and keep the title they had. Live pages get
    their current title.
    """
    groups = (
        responses.annotate(
            deleted_path=Case(
                When(page__isnull=True, then=F("page_path")),
                default=Value(""),
                output_field=CharField(),
            )
        )
        .values("page_id", "deleted_path", "reason_id")
        .annotate(
            responses=Count("pk"),
            useful_count=Count("pk", filter=USEFUL),
            old_title=Max("page_title", filter=Q(page__isnull=True)),
        )
        .order_by()
    )
    pages = {}
    for group in groups:
        key = (group["page_id"], group["deleted_path"])
        figures = pages.get(key)
        if figures is None:
            figures = pages[key] = PageFigures(
                0, 0, group["page_id"], group["deleted_path"], group["old_title"] or ""
            )
        figures.responses += group["responses"]
        figures.useful += group["useful_count"]
        figures.reason_counts[group["reason_id"]] = group["responses"]
    titles = dict(
        Page.objects.filter(pk__in=[page_id for page_id, _ in pages if page_id]).values_list(
            "pk", "title"
        )
    )
    for figures in pages.values():
        if figures.page_id:
            figures.title = titles.get(figures.page_id, "")
    return list(pages.values())


def reason_labels():
    """{reason id: (label, sort order)} for every visit reason."""
    return {
        pk: (label, sort_order or 0)
        for pk, label, sort_order in VisitReason.objects.values_list("pk", "label", "sort_order")
    }


SORT_KEYS = {
    # Ties (common with few responses) put more "not useful" answers first.
    "percent_useful": lambda f: (f.share_useful, -f.not_useful, f.title.lower()),
    "-percent_useful": lambda f: (-f.share_useful, -f.responses, f.title.lower()),
    "not_useful": lambda f: (f.not_useful, f.share_useful, f.title.lower()),
    "-not_useful": lambda f: (-f.not_useful, f.share_useful, f.title.lower()),
    "responses": lambda f: (f.responses, f.share_useful, f.title.lower()),
    "-responses": lambda f: (-f.responses, f.share_useful, f.title.lower()),
    "title": lambda f: (f.title.lower(), f.deleted_path),
}


def sort_pages(pages, ordering):
    """`by_page` results in the report's order (`-title` is `title` reversed)."""
    if ordering == "-title":
        return sorted(pages, key=SORT_KEYS["title"], reverse=True)
    return sorted(pages, key=SORT_KEYS.get(ordering, SORT_KEYS["percent_useful"]))


def reason_counts(responses):
    """[(reason label, count)] most given first, for responses that gave a reason."""
    return [
        (row["reason__label"], row["count"])
        for row in responses.filter(reason__isnull=False)
        .values("reason__label", "reason__sort_order")
        .annotate(count=Count("pk"))
        .order_by("-count", "reason__sort_order")
    ]


@dataclass
class Week:
    starts: datetime.date
    responses: int = 0
    useful: int = 0

    @property
    def percent_useful(self):
        return percent(self.useful, self.responses)


@dataclass
class Weekly:
    weeks: list = field(default_factory=list)

    @property
    def responses(self):
        return sum(week.responses for week in self.weeks)


def monday(day):
    return day - datetime.timedelta(days=day.weekday())


def weekly(responses, first_day=None, last_day=None):
    """Responses and useful answers per week (Monday to Sunday, site time), empty weeks too.

    `first_day` and `last_day` bound the weeks shown; without them the
    weeks run from the first response to the last.
    """
    zone = timezone.get_current_timezone()
    counted = {
        timezone.localtime(row["week"], zone).date()
        if isinstance(row["week"], datetime.datetime)
        else row["week"]: row
        for row in responses.annotate(week=TruncWeek("submitted_at", tzinfo=zone))
        .values("week")
        .annotate(responses=Count("pk"), useful_count=Count("pk", filter=USEFUL))
        .order_by("week")
    }
    if not counted and (first_day is None or last_day is None):
        return Weekly()
    start = monday(first_day) if first_day else min(counted)
    end = monday(last_day) if last_day else max(counted)
    weeks = []
    day = start
    while day <= end:
        row = counted.get(day)
        weeks.append(Week(day, row["responses"], row["useful_count"]) if row else Week(day))
        day += datetime.timedelta(days=7)
    return Weekly(weeks)
