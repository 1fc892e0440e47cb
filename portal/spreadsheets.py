"""What makes a downloaded spreadsheet safe to open, for every export and report.

Used by the feedback exports (`feedback/exports.py`) and by every admin
report's CSV download (`portal.reports.SafeSpreadsheetExportMixin`).
"""

# A spreadsheet reads a cell starting with one of these as a formula (some trim
# leading spaces and line breaks first, so those count too).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", " ")

# Written first in a CSV download so that Excel reads the text as UTF-8.
BOM = "\ufeff"


def neutralise_formula(value):
    """Prefix a text cell with ' when a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
