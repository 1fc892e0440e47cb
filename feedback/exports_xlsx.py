"""The feedback export as XLSX: the rows of `feedback.exports`, in openpyxl's write-only mode.

`submitted_at` is a real date cell (in the site's time zone: Excel dates have
none); every text cell is stored as text, never as a formula, so it keeps
the visitor's exact words. A worksheet holds at most
`exports.XLSX_MAX_ROWS` responses; more raise `exports.TooManyRowsError`.
Used by `manage.py export_feedback --format xlsx` and the "Page feedback"
report's download. The limits are read from `feedback.exports` when used,
so both writers share them.
"""

import datetime
from itertools import islice

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from . import exports

_XLSX_WIDTHS = {"B": 18, "F": 40, "G": 40, "I": 22, "J": 40, "K": 80, "L": 12, "M": 30}
# Responses keep the hour they were sent (docs/feedback_privacy.md): no seconds to show.
XLSX_DATE_FORMAT = "yyyy-mm-dd hh:mm"


def _xlsx_cells(worksheet):
    """A function giving a row's cells: empty ids empty, text always text, never a formula."""
    illegal = ILLEGAL_CHARACTERS_RE.search

    def cell(value):
        if value == "":
            return None
        if not isinstance(value, str):
            return value
        if illegal(value):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)  # XML 1.0 cannot hold them
        if value.startswith("="):
            made = WriteOnlyCell(worksheet, value)
            made.data_type = "s"  # openpyxl would store it as a formula
            return made
        return value

    return cell


class _XLSXDates:
    """ISO 8601 text with an offset as an Excel date cell, in the site's time zone.

    Excel dates carry no time zone, so the cell holds the local date and
    time that the text names (the CSV keeps the offset). One cell is
    reused for every row: write-only worksheets write each row as it is
    appended, and a new styled cell per row cost a third of the XLSX time.
    """

    def __init__(self, worksheet):
        self.cell = WriteOnlyCell(worksheet, datetime.datetime(2000, 1, 1))
        self.cell.number_format = XLSX_DATE_FORMAT

    def __call__(self, iso_text):
        self.cell.value = datetime.datetime.fromisoformat(iso_text).replace(tzinfo=None)
        return self.cell


def write_xlsx(queryset, target, *, row_count=None, with_force=False):
    """Write the export as XLSX to `target` (a path or binary file); return the row count.

    `submitted_at` is a date cell (local time, shown to the hour); every
    other cell as in `export_rows` (with the `force` column if `with_force`).
    Raises `TooManyRowsError` before writing anything when the responses do
    not fit on one worksheet. Pass `row_count` when it is already known.
    """
    if row_count is None:
        row_count = queryset.count()
    if row_count > exports.XLSX_MAX_ROWS:
        raise exports.TooManyRowsError(row_count)

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title="Page feedback")
    worksheet.freeze_panes = "A2"
    for column, width in _XLSX_WIDTHS.items():
        worksheet.column_dimensions[column].width = width
    worksheet.append(exports.export_columns(with_force))
    date_cell = _XLSXDates(worksheet)
    cell = _xlsx_cells(worksheet)
    count = 0
    rows = exports.export_rows(queryset, neutralise=False, with_force=with_force)
    while True:
        with exports.collector_paused():
            batch = list(islice(rows, exports.CHUNK_SIZE))
            count += len(batch)
            if count > exports.XLSX_MAX_ROWS:
                raise exports.TooManyRowsError(count)
            for pk, submitted_at, *rest in batch:
                worksheet.append(
                    [
                        pk,
                        date_cell(submitted_at),
                        *map(cell, rest),
                    ]
                )
        if not batch:
            break
    workbook.save(target)
    return count
