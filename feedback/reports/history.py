"""Did the edit help? A page's feedback, version by published version.

Every response stores the live revision the visitor read
(`FeedbackResponse.page_revision`), and Wagtail logs every publish with
its revision, time and user. `page_history` joins the two: one grouped
query counts the page's responses by revision and reason (none per
revision), one reads its publish log.

Two versions are compared by the share of visitors who found the page
useful, each with its 95 % Wilson score interval. The later version is
"better" or "worse" only when the intervals do not overlap; otherwise the
difference may be chance and it is "no clear change". A version with no
responses is compared with nothing, and the next one is compared with the
nearest earlier version that has responses.
"""

import math
from dataclasses import dataclass, field

from django.db.models import Count, Q
from wagtail.models import PageLogEntry, Revision

from ..models import FeedbackResponse
from .figures import Totals

Z_95 = 1.959963984540054  # the normal quantile for a two-sided 95 % interval
BETTER, WORSE, NO_CLEAR_CHANGE = "better", "worse", "no clear change"
COMPARISON_RULE = (
    "A version counts as better or worse than the one before only when their 95% ranges "
    "do not overlap; when they overlap, the difference could be chance."
)


def wilson_interval(useful, responses, z=Z_95):
    """The Wilson score interval (low, high) of the share `useful / responses`, or None."""
    if not responses:
        return None
    share = useful / responses
    z2 = z * z
    scale = 1 + z2 / responses
    centre = (share + z2 / (2 * responses)) / scale
    spread = z * math.sqrt(share * (1 - share) / responses + z2 / (4 * responses**2)) / scale
    return max(0.0, centre - spread), min(1.0, centre + spread)


def compare(earlier, later):
    """BETTER, WORSE or NO_CLEAR_CHANGE from two (low, high) intervals."""
    if later[0] > earlier[1]:
        return BETTER
    if later[1] < earlier[0]:
        return WORSE
    return NO_CLEAR_CHANGE


@dataclass
class VersionFigures(Totals):
    """One published version of a page and the feedback given while it was live."""

    revision_id: int = 0
    went_live_at: object = None  # an aware datetime; None if the publish was not logged
    published_by: str = ""
    number: int = 0
    is_live: bool = False
    reason_counts: dict = field(default_factory=dict)
    change: str | None = None
    compared_with: "VersionFigures | None" = None

    @property
    def interval(self):
        return wilson_interval(self.useful, self.responses)

    @property
    def interval_percent(self):
        """The interval as whole percentages (low rounded down, high up), or None."""
        interval = self.interval
        if interval is None:
            return None
        return math.floor(interval[0] * 100), math.ceil(interval[1] * 100)

    def reasons(self, labels):
        """[(label, count)], the most given first, for responses that gave a reason."""
        given = [(labels[pk], count) for pk, count in self.reason_counts.items() if pk in labels]
        return sorted(given, key=lambda item: -item[1])


@dataclass
class PageHistory:
    versions: list
    # Responses tied to no known version: sent before versions were
    # recorded, or whose revision was since deleted.
    unrecorded: int = 0

    @property
    def responses(self):
        return sum(version.responses for version in self.versions) + self.unrecorded

    @property
    def latest_comparison(self):
        """The newest version that has responses, or None."""
        with_responses = [version for version in self.versions if version.responses]
        return with_responses[-1] if with_responses else None


def _publisher_name(user):
    if user is None:
        return "System"
    return user.get_full_name() or user.get_username()


def page_history(page, responses=None):
    """A `PageHistory`: one `VersionFigures` per published revision of `page`, oldest first.

    `responses` are those to count (the reports pass the user's forces'
    responses); without them, every response. A revision published more
    than once counts from its first publish; a revision that visitors read
    but whose publish is not logged is placed by its creation order.
    """
    if responses is None:
        responses = FeedbackResponse.objects.all()
    groups = list(
        responses.filter(page_id=page.pk)
        .values("page_revision_id", "reason_id")
        .annotate(responses=Count("pk"), useful_count=Count("pk", filter=Q(useful=True)))
        .order_by()
    )
    versions = _published_versions(page)
    unlogged = {g["page_revision_id"] for g in groups if g["page_revision_id"]} - set(versions)
    for revision_id in Revision.objects.filter(pk__in=unlogged).values_list("pk", flat=True):
        versions[revision_id] = VersionFigures(0, 0, revision_id)
    history = PageHistory(_in_time_order(versions.values()))
    for group in groups:
        version = versions.get(group["page_revision_id"])
        if version is None:
            history.unrecorded += group["responses"]
            continue
        version.responses += group["responses"]
        version.useful += group["useful_count"]
        if group["reason_id"]:
            version.reason_counts[group["reason_id"]] = group["responses"]
    _number_and_compare(history.versions, page)
    return history


def _published_versions(page):
    """{revision id: VersionFigures} from the page's publish log, each at its first publish."""
    publishes = (
        PageLogEntry.objects.filter(
            page_id=page.pk, action="wagtail.publish", revision__isnull=False
        )
        .select_related("user")
        .order_by("timestamp", "pk")
    )
    versions = {}
    for entry in publishes:
        if entry.revision_id not in versions:
            versions[entry.revision_id] = VersionFigures(
                0, 0, entry.revision_id, entry.timestamp, _publisher_name(entry.user)
            )
    return versions


def version_numbers(page_ids):
    """{revision id: version number} for the pages `page_ids` (ids, or a subquery of them).

    The numbers `page_history` gives, for every page at once: for exports,
    which name each response's version. Two queries whatever the number of
    pages and responses: the pages' publish log, and the revisions their
    responses name that the log does not. Like the screen, the numbering
    counts every response of a page, not only those being exported.
    """
    publishes = PageLogEntry.objects.filter(
        page_id__in=page_ids, action="wagtail.publish", revision__isnull=False
    )
    by_page = {}
    entries = publishes.order_by("timestamp", "pk").values_list(
        "page_id", "revision_id", "timestamp"
    )
    for page_id, revision_id, timestamp in entries:
        versions = by_page.setdefault(page_id, {})
        if revision_id not in versions:
            versions[revision_id] = VersionFigures(0, 0, revision_id, timestamp)
    unlogged = (
        FeedbackResponse.objects.filter(page_id__in=page_ids, page_revision__isnull=False)
        .exclude(page_revision_id__in=publishes.values("revision_id"))
        .values_list("page_id", "page_revision_id")
        .distinct()
        .order_by()
    )
    for page_id, revision_id in unlogged:
        by_page.setdefault(page_id, {})[revision_id] = VersionFigures(0, 0, revision_id)
    return {
        version.revision_id: number
        for versions in by_page.values()
        for number, version in enumerate(_in_time_order(versions.values()), start=1)
    }


def _in_time_order(versions):
    """Logged versions by publish time; each unlogged one after the older logged revisions."""
    logged = sorted(
        (v for v in versions if v.went_live_at is not None),
        key=lambda v: (v.went_live_at, v.revision_id),
    )
    unlogged = sorted((v for v in versions if v.went_live_at is None), key=lambda v: v.revision_id)
    ordered = []
    for version in unlogged:
        while logged and logged[0].revision_id < version.revision_id:
            ordered.append(logged.pop(0))
        ordered.append(version)
    return ordered + logged


def _number_and_compare(versions, page):
    """Number the versions from 1 and compare each with the last earlier one with responses."""
    previous = None
    for number, version in enumerate(versions, start=1):
        version.number = number
        version.is_live = page.live and version.revision_id == page.live_revision_id
        if not version.responses:
            continue
        if previous is not None:
            version.compared_with = previous
            version.change = compare(previous.interval, version.interval)
        previous = version
