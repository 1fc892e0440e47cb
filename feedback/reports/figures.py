"""Counting page feedback in the database: totals, per page, per week.

Every figure here comes from aggregate queries (`COUNT ... GROUP BY`);
Python only adds up and formats the few groups that come back, never
loops over responses.
Used by the "Feedback by page" report, the dashboard panel and the page
editor panel.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone
from wagtail.models import Page

from ..models import VisitReason, start_of_day

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
    """One page's figures on one force. A deleted page has no `page_id` and is known by its path.

    `site_id` is the force the responses were sent on (None for responses
    whose force was deleted): two forces' deleted pages at the same path
    stay two rows.
    """

    page_id: int | None = None
    deleted_path: str = ""
    title: str = ""
    reason_counts: dict = field(default_factory=dict)
    site_id: int | None = None

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
    """A `PageFigures` per page and force, from two grouped queries (no order).

    The database groups the responses by force, page and reason and counts
    them; Python adds up those groups (a few per page), never the responses.
    Responses about a deleted page (whose `page` is now empty) group by the
    force and the path they were sent from and keep the title they had.
    Live pages get their current title.

    Live and deleted pages are counted apart: grouping the live ones by
    integer columns, with no path or title to carry, is what costs the
    database least, and the deleted ones are found through the index on
    `page_id` (they are few).
    """
    counts = {"responses": Count("pk"), "useful_count": Count("pk", filter=USEFUL)}
    live = (
        responses.filter(page__isnull=False)
        .values_list("site_id", "page_id", "reason_id")
        .annotate(**counts)
        .order_by()
    )
    deleted = (
        responses.filter(page__isnull=True)
        .values_list("site_id", "page_path", "reason_id")
        .annotate(**counts, old_title=Max("page_title"))
        .order_by()
    )
    pages = {}
    groups = [(site, page_id, "", "", *rest) for site, page_id, *rest in live]
    groups += [(site, None, path, title, *rest) for site, path, *rest, title in deleted]
    for site_id, page_id, deleted_path, old_title, reason_id, count, useful_count in groups:
        figures = pages.get((site_id, page_id, deleted_path))
        if figures is None:
            figures = PageFigures(0, 0, page_id, deleted_path, old_title or "", site_id=site_id)
            pages[(site_id, page_id, deleted_path)] = figures
        figures.responses += count
        figures.useful += useful_count
        figures.reason_counts[reason_id] = count
    titles = dict(
        Page.objects.filter(pk__in=[page_id for _, page_id, _ in pages if page_id]).values_list(
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


def sort_pages(pages, ordering, force_order=None):
    """`by_page` results in the report's order (`-title` is `title` reversed).

    With `force_order` ({site id: position}), the rows are grouped by force
    in that order first, each force's rows in the report's order.
    """
    if ordering == "-title":
        ordered = sorted(pages, key=SORT_KEYS["title"], reverse=True)
    else:
        ordered = sorted(pages, key=SORT_KEYS.get(ordering, SORT_KEYS["percent_useful"]))
    if force_order is not None:
        # Stable: each force keeps the report's order within it.
        ordered.sort(key=lambda f: force_order.get(f.site_id, len(force_order)))
    return ordered


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
    if connections[responses.db].vendor == "postgresql":
        counted = _weeks_by_boundaries(responses, first_day, last_day)
    else:
        counted = _weeks_truncated(responses)
    if not counted and (first_day is None or last_day is None):
        return Weekly()
    start = monday(first_day) if first_day else min(counted)
    end = monday(last_day) if last_day else max(counted)
    weeks = []
    day = start
    while day <= end:
        row = counted.get(day)
        weeks.append(Week(day, *row) if row else Week(day))
        day += datetime.timedelta(days=7)
    return Weekly(weeks)


def _weeks_truncated(responses):
    """{Monday: (responses, useful)}, weeks worked out by the database (any database)."""
    zone = timezone.get_current_timezone()
    rows = (
        responses.annotate(week=TruncWeek("submitted_at", tzinfo=zone))
        .values("week")
        .annotate(responses=Count("pk"), useful_count=Count("pk", filter=USEFUL))
        .order_by("week")
    )
    counted = {}
    for row in rows:
        week = row["week"]
        if isinstance(week, datetime.datetime):
            week = timezone.localtime(week, zone).date()
        counted[week] = (row["responses"], row["useful_count"])
    return counted


def _weeks_by_boundaries(responses, first_day, last_day):
    """{Monday: (responses, useful)}, counted by PostgreSQL against the weeks' first moments.

    Python works out when each week starts (midnight on Monday, site time)
    and PostgreSQL places each response among those moments with
    `width_bucket`, a binary search: no time zone arithmetic per response,
    which is most of what `date_trunc('week', submitted_at AT TIME ZONE ...)`
    costs. The `OFFSET 0` keeps the bucket in a subquery, where PostgreSQL
    cannot see that it comes from `submitted_at`: it then expects a few
    hundred groups and counts them in a hash table, instead of sorting a
    million rows (on disk) for the groups it would expect from a column of
    timestamps.
    """
    if first_day is None or last_day is None:
        span = responses.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
        if span["first"] is None:
            return {}
        first_day = first_day or timezone.localtime(span["first"]).date()
        last_day = last_day or timezone.localtime(span["last"]).date()
    mondays = [monday(first_day)]
    while mondays[-1] <= last_day:
        mondays.append(mondays[-1] + datetime.timedelta(days=7))
    starts = [start_of_day(day) for day in mondays]
    # Bucket i (1 ≤ i < len(starts)) is the week from starts[i - 1]; 0 and len(starts) are
    # before and after the weeks shown.
    try:
        sql, params = (
            responses.values_list("submitted_at", "useful").order_by().query.sql_with_params()
        )
    except EmptyResultSet:
        return {}
    grouped = (
        "SELECT bucket, COUNT(*), COUNT(*) FILTER (WHERE useful) FROM ("  # noqa: S608 - our SQL
        "SELECT width_bucket(selected.submitted_at, %s::timestamptz[]) AS bucket, selected.useful"
        f" FROM ({sql}) AS selected (submitted_at, useful) OFFSET 0"
        ") AS placed GROUP BY bucket"
    )
    with connections[responses.db].cursor() as cursor:
        cursor.execute(grouped, [starts, *params])
        rows = cursor.fetchall()
    return {
        mondays[bucket - 1]: (count, useful_count)
        for bucket, count, useful_count in rows
        if 0 < bucket < len(starts)
    }
