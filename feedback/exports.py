"""Feedback as rows for analysts' tools: one place that defines the columns.

Used by `manage.py export_feedback` and by the admin downloads of the "Page
feedback" report (`feedback/reports/views.py`). Rows come from one query (no
query per row), fetched with `.iterator()` in chunks and written in batches,
so memory stays flat however many responses there are.

- CSV: UTF-8, RFC 4180 quoting, cells a spreadsheet would run as a formula
  prefixed with `'`. The admin download starts with a byte-order mark so
  Excel reads the text as UTF-8; the command writes none (pipes and scripts
  do not want one).
- XLSX: openpyxl's write-only mode; every text cell is stored as text, never
  as a formula, so it keeps the visitor's exact words. A worksheet holds at
  most `XLSX_MAX_ROWS` responses; more raise `TooManyRowsError`.
"""

import csv
import gc
import io
from contextlib import contextmanager
from itertools import islice

from django.db import connections
from django.db.models import CharField, Func
from django.utils import timezone

EXPORT_COLUMNS = [
    "id",
    "submitted_at",
    "page_id",
    "page_revision_id",
    "page_title",
    "page_path",
    "useful",
    "reason_code",
    "reason",
    "comment",
]
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
]
# A spreadsheet reads a cell starting with one of these as a formula (some trim
# leading spaces and line breaks first, so those count too).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", " ")
CHUNK_SIZE = 5000
BOM = "\ufeff"
# An XLSX worksheet has 1,048,576 rows; the first holds the column names.
XLSX_MAX_ROWS = 1_048_575
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_XLSX_WIDTHS = {"B": 27, "E": 40, "F": 40, "H": 22, "I": 40, "J": 80}


class TooManyRowsError(ValueError):
    """More responses than one XLSX worksheet can hold."""

    def __init__(self, count, limit=None):
        self.count = count
        self.limit = limit = XLSX_MAX_ROWS if limit is None else limit
        super().__init__(
            f"{count:,} responses are more than one XLSX worksheet holds ({limit:,}). "
            "Choose a shorter period or download CSV instead."
        )


def neutralise_formula(value):
    """Prefix a text cell with ' when a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class LocalISOTimestamp(Func):
    """A timestamp as ISO 8601 text in the site's time zone, such as 2026-07-01T09:30:00+01:00.

    PostgreSQL only: formatting a million timestamps in the database is
    several times faster than making and formatting a Python datetime for
    each. Gives the same text as `datetime.astimezone(zone).isoformat(timespec="seconds")`.
    """

    output_field = CharField()
    arity = 1

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        params = tuple(params)
        zone = (timezone.get_current_timezone_name(),)
        local = f"({column} AT TIME ZONE %s)"
        offset = f"({local} - ({column} AT TIME ZONE 'UTC'))"
        offset_params = (*params, *zone, *params)
        negative = f"{offset} < interval '0'"
        sql = (
            f"to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
            f" || CASE WHEN {negative} THEN '-' ELSE '+' END"
            f" || to_char(CASE WHEN {negative} THEN -{offset} ELSE {offset} END, 'HH24:MI')"
        )
        return sql, (*params, *zone, *offset_params, *offset_params, *offset_params, *offset_params)


def _reasons(queryset):
    """(code, label) of every visit reason by id: a handful of rows, read once."""
    from .models import VisitReason

    return {
        pk: (slug, label)
        for pk, slug, label in VisitReason.objects.using(queryset.db).values_list(
            "pk", "slug", "label"
        )
    }


def export_rows(queryset, *, neutralise=True):
    """Yield one list of cell values per response, in EXPORT_COLUMNS order, oldest first.

    Dates are ISO 8601 in the site's time zone with their UTC offset;
    `useful` is "yes" or "no"; missing ids and reasons are empty strings.
    Text cells are neutralised against formulas unless `neutralise` is
    False (XLSX stores them as text instead).

    This loop runs once per response, so it is written for speed: the
    neutralising test is inlined and, on PostgreSQL, the database formats
    the dates.
    """
    triggers = frozenset("".join(FORMULA_TRIGGERS)) if neutralise else frozenset()
    reasons = {
        pk: (code, "'" + label if label[:1] in triggers else label)
        for pk, (code, label) in _reasons(queryset).items()
    }
    no_reason = ("", "")
    queryset = queryset.order_by("submitted_at", "pk")
    if connections[queryset.db].vendor == "postgresql":
        queryset = queryset.annotate(_submitted=LocalISOTimestamp("submitted_at"))
        fields = ["_submitted", *_QUERY_FIELDS[2:]]
        to_text = None
    else:
        fields = _QUERY_FIELDS[1:]
        zone = timezone.get_current_timezone()

        def to_text(moment):
            return moment.astimezone(zone).isoformat(timespec="seconds")

    values = queryset.values_list("pk", *fields)
    for (
        pk,
        submitted_at,
        page_id,
        revision_id,
        title,
        path,
        useful,
        reason_id,
        comment,
    ) in values.iterator(chunk_size=CHUNK_SIZE):
        reason_code, reason = reasons.get(reason_id, no_reason)
        yield [
            pk,
            to_text(submitted_at) if to_text else submitted_at,
            "" if page_id is None else page_id,
            "" if revision_id is None else revision_id,
            "'" + title if title[:1] in triggers else title,
            "'" + path if path[:1] in triggers else path,
            "yes" if useful else "no",
            reason_code,
            reason,
            "'" + comment if comment[:1] in triggers else comment,
        ]


@contextmanager
def _collector_paused():
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


def write_csv(queryset, stream):
    """Write the header and every row of `queryset` as CSV to `stream`; return the row count."""
    writer = csv.writer(stream)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    rows = export_rows(queryset)
    while True:
        with _collector_paused():
            batch = list(islice(rows, CHUNK_SIZE))
            writer.writerows(batch)
        if not batch:
            return count
        count += len(batch)


def iter_csv(queryset, *, bom=True):
    """Yield the CSV export as UTF-8 bytes, one chunk per batch of rows.

    For `StreamingHttpResponse`: the byte-order mark and header go out at
    once, then one chunk of `CHUNK_SIZE` rows at a time.
    """
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    csv.writer(buffer).writerow(EXPORT_COLUMNS)
    yield buffer.getvalue().encode()
    rows = export_rows(queryset)
    while True:
        with _collector_paused():
            batch = list(islice(rows, CHUNK_SIZE))
            buffer = io.StringIO()
            csv.writer(buffer).writerows(batch)
            chunk = buffer.getvalue().encode()
        if not batch:
            return
        yield chunk


def _xlsx_cell(worksheet, value):
    """Empty ids become empty cells; text is always text, never a formula."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value == "":
        return None
    if not isinstance(value, str):
        return value
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # XML 1.0 cannot hold them
    if value.startswith("="):
        cell = WriteOnlyCell(worksheet, value)
        cell.data_type = "s"  # openpyxl would store it as a formula
        return cell
    return value


def write_xlsx(queryset, target, *, row_count=None):
    """Write the export as XLSX to `target` (a path or binary file); return the row count.

    Raises `TooManyRowsError` before writing anything when the responses do
    not fit on one worksheet. Pass `row_count` when it is already known.
    """
    from openpyxl import Workbook

    if row_count is None:
        row_count = queryset.count()
    if row_count > XLSX_MAX_ROWS:
        raise TooManyRowsError(row_count)

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title="Page feedback")
    worksheet.freeze_panes = "A2"
    for column, width in _XLSX_WIDTHS.items():
        worksheet.column_dimensions[column].width = width
    worksheet.append(EXPORT_COLUMNS)
    count = 0
    rows = export_rows(queryset, neutralise=False)
    while True:
        with _collector_paused():
            batch = list(islice(rows, CHUNK_SIZE))
            count += len(batch)
            if count > XLSX_MAX_ROWS:
                raise TooManyRowsError(count)
            for row in batch:
                worksheet.append([_xlsx_cell(worksheet, value) for value in row])
        if not batch:
            break
    workbook.save(target)
    return count
