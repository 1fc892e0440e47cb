"""Feedback as rows for analysts' tools: one place that defines the columns.

Used by `manage.py export_feedback` and by the admin downloads of the "Page
feedback" report (`feedback/reports/views.py`). Rows come from one query (no
query per row), fetched with `.iterator()` in chunks and written in batches,
so memory stays flat however many responses there are. A few small queries
come first: the visit reasons, the disclosure phrases, and the two that
number the pages' versions (`reports.history.version_numbers`).

- CSV: UTF-8, RFC 4180 quoting as Python's `csv` module writes it (`\r\n`
  line ends, a cell quoted only when it holds a comma, a double quote or a
  line break), cells a spreadsheet would run as a formula prefixed with `'`.
  The admin download starts with a byte-order mark so Excel reads the text
  as UTF-8; the command writes none (pipes and scripts do not want one).
- XLSX (`write_xlsx`, feedback/exports_xlsx.py): openpyxl's write-only
  mode; `submitted_at` is a real date cell (in the site's time zone: Excel
  dates have none); every text cell is stored as text, never as a formula,
  so it keeps the visitor's exact words. A worksheet holds at most
  `XLSX_MAX_ROWS` responses; more raise `TooManyRowsError`.

With `with_force=True` (the admin, for someone who sees several forces;
`export_feedback` without `--force` on an install with several) each row
ends with `force`, the host name of the force (Wagtail Site) the answer was
sent on (empty if that site was deleted).

`export_rows` defines every cell's value; the CSV writer (`csv_batches`)
makes the same text as `csv.writer` would from those rows, several times
faster (tests/feedback/test_export_format.py compares the two). A million
rows go through these loops, so they are written for speed: see
docs/feedback_reports.md, "Performance".
"""

import csv
import datetime
import gc
import io
from contextlib import contextmanager
from itertools import islice

from django.db import NotSupportedError, connections
from django.db.models import CharField, Func
from django.utils import timezone
from wagtail.models import Site

from portal.spreadsheets import BOM, FORMULA_TRIGGERS, neutralise_formula

from .models import DisclosurePhrase, VisitReason
from .reports.history import version_numbers

EXPORT_COLUMNS = [
    "id",
    "submitted_at",
    "page_id",
    "page_revision_id",
    "page_version",
    "page_title",
    "page_path",
    "useful",
    "reason_code",
    "reason",
    "comment",
    "possible_disclosure",
]
FORCE_COLUMN = "force"  # last, and only in exports that span several forces
_QUERY_FIELDS = [
    "pk",
    "submitted_at",
    "page_id",
    "page_revision_id",
    "page_title",
    "page_path",
    "useful",
    "reason_id",
    "comment",
    "site_id",
]
CHUNK_SIZE = 5000
# An XLSX worksheet has 1,048,576 rows; the first holds the column names.
XLSX_MAX_ROWS = 1_048_575
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_columns(with_force=False):
    """The header row: `EXPORT_COLUMNS`, then `force` when the export spans several forces."""
    return [*EXPORT_COLUMNS, FORCE_COLUMN] if with_force else list(EXPORT_COLUMNS)


class TooManyRowsError(ValueError):
    """More responses than one XLSX worksheet can hold."""

    def __init__(self, count, limit=None):
        self.count = count
        self.limit = limit = XLSX_MAX_ROWS if limit is None else limit
        super().__init__(
            f"{count:,} responses are more than one XLSX worksheet holds ({limit:,}). "
            "Choose a shorter period or download CSV instead."
        )


def csv_cell(text):
    """`text` as `csv.writer` writes one cell (QUOTE_MINIMAL, the default dialect)."""
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


class UTCText(Func):
    """A timestamp as text in UTC: "YYYY-MM-DD HH:MM:SS", then ".ffffff" unless 0.

    Cheap on both sides: formatting it in the site's time zone in SQL costs
    PostgreSQL about a microsecond a row, and a `datetime` costs Python
    more; `LocalTimes` turns this text into local time from a per-hour
    table. PostgreSQL and SQLite only (SQLite stores it as this text).
    """

    output_field = CharField()
    arity = 1
    VENDORS = ("postgresql", "sqlite")

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError("UTCText is for PostgreSQL and SQLite.")

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "((%(expressions)s AT TIME ZONE 'UTC')::text)"
        return super().as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        template = "CAST(%(expressions)s AS text)"
        return super().as_sql(compiler, connection, template=template, **extra_context)


def utc_text(moment):
    """What `UTCText` gives, from an aware datetime (for other databases)."""
    return str(moment.astimezone(datetime.UTC).replace(tzinfo=None))


class LocalTimes:
    """UTC text (as `UTCText` gives) as ISO 8601 in `zone` with its offset, to the second.

    The same text as `datetime.astimezone(zone).isoformat(timespec="seconds")`,
    such as 2026-07-01T09:30:00+01:00. A zone's offset changes a few times a
    year, so the local date and hour, and the offset, are worked out once
    per UTC hour (`hours`, which callers may read directly) and the minutes
    and seconds copied from the UTC text. An hour in which the offset
    changes, or an offset that is not whole hours (India's +05:30), is
    worked out per minute; an offset with seconds (times before about 1900)
    per row.
    """

    KEEP = 1000  # hours (or minutes) in each table at most

    def __init__(self, zone):
        self.zone = zone
        self.hours = {}  # "YYYY-MM-DD HH" (UTC): (local "YYYY-MM-DDTHH", offset "+HH:MM")
        self.minutes = {}

    def __call__(self, text):
        split = self.hours.get(text[:13])
        if split is None:
            split = self._remember(self.hours, text[:13], 3600)
        if split:
            return split[0] + text[13:19] + split[1]
        split = self.minutes.get(text[:16])
        if split is None:
            split = self._remember(self.minutes, text[:16], 60)
        if split:
            return split[0] + text[16:19] + split[1]
        return self._local(text[:19]).isoformat(timespec="seconds")

    def _remember(self, table, start, seconds):
        """Work out and keep `start`'s split; exports go in time order, so keep few."""
        if len(table) >= self.KEEP:
            table.clear()
        split = table[start] = self._split(start, seconds)
        return split

    def _local(self, text):
        return self._utc(text).astimezone(self.zone)

    @staticmethod
    def _utc(text):
        return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)

    def _split(self, start, seconds):
        """(local text up to `start`'s length, offset) if they hold for `seconds` from `start`.

        False when the offset changes within that time or is not a whole
        number of `seconds`: then the minutes (or seconds) differ locally.
        """
        utc = self._utc((start + ":00:00")[:19])
        first = utc.astimezone(self.zone)
        last = (utc + datetime.timedelta(seconds=seconds - 1)).astimezone(self.zone)
        offset = first.utcoffset()
        if offset % datetime.timedelta(seconds=seconds) or last.utcoffset() != offset:
            return False
        text = first.isoformat(timespec="seconds")
        return text[: len(start)], text[19:]


def _versions(queryset):
    """{revision id: version number} as "Feedback by version" numbers them: two queries."""
    return version_numbers(queryset.order_by().values("page_id"))


def _disclosure_matcher(queryset):
    """Whether a comment holds a disclosure phrase, with the phrases read once."""
    return DisclosurePhrase.objects.using(queryset.db).matcher()


def _reasons(queryset):
    """(code, label) of every visit reason by id: a handful of rows, read once."""
    return {
        pk: (slug, label)
        for pk, slug, label in VisitReason.objects.using(queryset.db).values_list(
            "pk", "slug", "label"
        )
    }


def _forces(queryset, wanted=True):
    """{site id: host name} of every force (a handful of rows, read once), if `wanted`."""
    if not wanted:
        return {}
    return dict(Site.objects.using(queryset.db).values_list("pk", "hostname"))


@contextmanager
def collector_paused():
    """Hold off Python's cyclic garbage collector while one batch is built and written.

    Each row is a few new container objects, so a million rows set off
    thousands of collections that each walk the whole application's heap:
    about a third of the export's time. The rows hold no reference cycles
    (reference counting frees them), and the pause never spans a `yield`.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _fetched(queryset):
    """Yield the responses as lists of up to CHUNK_SIZE tuples, oldest first.

    Each tuple is (pk, submitted_at as UTC text, page_id, page_revision_id,
    page_title, page_path, useful, reason_id, comment, site_id). The garbage
    collector is paused while a batch is fetched.
    """
    queryset = queryset.order_by("submitted_at", "pk")
    convert = connections[queryset.db].vendor not in UTCText.VENDORS
    if convert:
        values = queryset.values_list(*_QUERY_FIELDS)
    else:
        queryset = queryset.annotate(_submitted=UTCText("submitted_at"))
        values = queryset.values_list("pk", "_submitted", *_QUERY_FIELDS[2:])
    rows = values.iterator(chunk_size=CHUNK_SIZE)
    while True:
        with collector_paused():
            batch = list(islice(rows, CHUNK_SIZE))
            if convert:
                batch = [(pk, utc_text(at), *rest) for pk, at, *rest in batch]
        if not batch:
            return
        yield batch


def export_rows(queryset, *, neutralise=True, with_force=False):
    """Yield one list of cell values per response, in `export_columns` order, oldest first.

    Dates are ISO 8601 in the site's time zone with their UTC offset;
    `page_version` is the number "Feedback by version" gives the revision;
    `useful` and `possible_disclosure` are "yes" or "no"; missing ids,
    versions and reasons are empty strings. Text cells are neutralised
    against formulas unless `neutralise` is False (XLSX stores them as text
    instead). With `with_force`, the force's host name ends each row.
    """
    clean = neutralise_formula if neutralise else str
    reasons = {pk: (clean(code), clean(label)) for pk, (code, label) in _reasons(queryset).items()}
    versions = _versions(queryset)
    disclosure = _disclosure_matcher(queryset)
    local_time = LocalTimes(timezone.get_current_timezone())
    forces = {pk: clean(hostname) for pk, hostname in _forces(queryset, with_force).items()}
    for batch in _fetched(queryset):
        for pk, at, page_id, revision_id, title, path, useful, reason_id, comment, site in batch:
            row = [
                pk,
                local_time(at),
                "" if page_id is None else page_id,
                "" if revision_id is None else revision_id,
                versions.get(revision_id, ""),
                clean(title),
                clean(path),
                "yes" if useful else "no",
                *reasons.get(reason_id, ("", "")),
                clean(comment),
                "yes" if disclosure(comment) else "no",
            ]
            if with_force:
                row.append(forces.get(site, ""))
            yield row


# Distinct titles and paths kept as finished cells; beyond this many, start again.
_CELL_CACHE_SIZE = 10_000


def csv_batches(queryset, *, with_force=False):
    """Yield (CSV text, row count) per batch: what `csv.writer` writes from `export_rows`.

    Per row: the timestamp from `LocalTimes`' table of hours; title, path
    and reason (a few hundred distinct values) as finished cells from a
    cache; only the comment is checked and quoted afresh. This is several
    times faster than `csv.writer` over `export_rows`, whose cost is per
    character.
    """
    reasons = {
        pk: csv_cell(neutralise_formula(code)) + "," + csv_cell(neutralise_formula(label))
        for pk, (code, label) in _reasons(queryset).items()
    }
    versions = _versions(queryset)
    disclosure = _disclosure_matcher(queryset)
    local_time = LocalTimes(timezone.get_current_timezone())
    hours = local_time.hours
    cells = {}
    forces = {
        pk: "," + csv_cell(neutralise_formula(hostname))
        for pk, hostname in _forces(queryset, with_force).items()
    }
    no_force = "," if with_force else ""  # an empty cell, or no cell at all

    def cell(text):
        if len(cells) >= _CELL_CACHE_SIZE:
            cells.clear()
        made = cells[text] = csv_cell(neutralise_formula(text))
        return made

    for batch in _fetched(queryset):
        with collector_paused():
            lines = []
            for pk, at, page_id, revision, title, path, useful, reason, comment, site in batch:
                split = hours.get(at[:13])
                at = f"{split[0]}{at[13:19]}{split[1]}" if split else local_time(at)
                flag = "no"
                if comment:
                    if disclosure(comment):
                        flag = "yes"
                    if comment.startswith(FORMULA_TRIGGERS):
                        comment = "'" + comment
                    if '"' in comment or "," in comment or "\n" in comment or "\r" in comment:
                        comment = csv_cell(comment)
                lines.append(
                    f"{pk},{at},{'' if page_id is None else page_id},"
                    f"{'' if revision is None else revision},"
                    f"{versions.get(revision, '')},"
                    f"{cells.get(title) or cell(title)},{cells.get(path) or cell(path)},"
                    f"{'yes' if useful else 'no'},{reasons.get(reason, ',')},{comment},{flag}"
                    f"{forces.get(site, no_force)}"
                )
            lines.append("")
            text = "\r\n".join(lines)
        yield text, len(batch)


def write_csv(queryset, stream, *, with_force=False):
    """Write the header and every row of `queryset` as CSV to `stream`; return the row count."""
    csv.writer(stream).writerow(export_columns(with_force))
    count = 0
    for text, rows in csv_batches(queryset, with_force=with_force):
        stream.write(text)
        count += rows
    return count


def iter_csv(queryset, *, bom=True, with_force=False):
    """Yield the CSV export as UTF-8 bytes, one chunk per batch of rows.

    For `StreamingHttpResponse`: the byte-order mark and header go out at
    once, then one chunk of `CHUNK_SIZE` rows at a time.
    """
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    csv.writer(buffer).writerow(export_columns(with_force))
    yield buffer.getvalue().encode()
    for text, _ in csv_batches(queryset, with_force=with_force):
        yield text.encode()
