"""Audit-log entries for feedback exports (Reports → Site history).

An export acts on the page-feedback responses as a whole, not on any one
row, so the entry is logged against the `ContentType` that stands for
`FeedbackResponse` (Wagtail's `ModelLogEntry` needs a saved instance with a
primary key). Its name reads "Page feedback responses"; the data holds the
format, the filters as given (a NUL shown as U+FFFD), the row count, where
the export came from and the forces whose responses it covered (their host
names). Site history shows these entries to superusers: no other group
holds a permission on content types, so analysts cannot browse or filter
the record of their own exports.

The action is registered by the `register_log_actions` hook in
`feedback/wagtail_hooks.py`.
"""

from django.contrib.contenttypes.models import ContentType
from wagtail import log_actions
from wagtail.log_actions import LogFormatter

from .models import FeedbackResponse

EXPORT_ACTION = "feedback.export"
EXPORT_LOG_TITLE = "Page feedback responses"


class FeedbackExportFormatter(LogFormatter):
    label = "Export page feedback"

    def format_message(self, log_entry):
        data = log_entry.data
        rows = data.get("rows", 0)
        noun = "response" if rows == 1 else "responses"
        message = (
            f"Exported {rows:,} feedback {noun} as {data.get('format', '').upper()}"
            f" ({data.get('source', 'admin')})"
        )
        forces = data.get("forces")
        if forces:
            message += "; forces: " + ", ".join(forces)
        filters = data.get("filters") or {}
        if filters:
            message += "; filters: " + ", ".join(f"{k}={v}" for k, v in filters.items())
        return message


def register_log_actions(actions):
    actions.register_action(EXPORT_ACTION)(FeedbackExportFormatter)


def _storable(text):
    """`text` with NUL shown as U+FFFD: PostgreSQL's JSON cannot hold it (T7)."""
    return str(text).replace("\x00", "\ufffd")


def log_export(*, user, export_format, filters, rows, source, forces):
    """Record one export: who (None for a command), format, filters, row count and forces.

    `forces` are the host names of the forces whose responses the export covered.
    """
    filters = {_storable(name): _storable(value) for name, value in filters.items()}
    return log_actions.log(
        instance=ContentType.objects.get_for_model(FeedbackResponse),
        action=EXPORT_ACTION,
        user=user,
        title=EXPORT_LOG_TITLE,
        data={
            "format": export_format,
            "filters": filters,
            "rows": rows,
            "source": source,
            "forces": [_storable(hostname) for hostname in forces],
        },
    )
