"""`manage.py purge_feedback`: delete page feedback older than the retention period.

For cron: one `DELETE` in one transaction (all or nothing), one line of
output, exit status 0 on success and non-zero with a one-line error
otherwise. Running it twice is harmless. Ages are measured from now, to
the second: `--older-than 30` keeps everything sent in the last 30 × 24
hours.
"""

import datetime

from django.conf import settings
from django.core.management.base import CommandError
from django.db import router, transaction
from django.utils import timezone

from feedback.management.base import FeedbackCommand
from feedback.models import FeedbackResponse


def _days(value):
    try:
        days = int(value)
    except (TypeError, ValueError) as error:
        raise CommandError(
            f"--older-than must be a whole number of days, not '{value}'."
        ) from error
    if days < 1:
        raise CommandError("--older-than must be at least 1 day.")
    return days


def _responses(count):
    return f"{count} feedback response{'' if count == 1 else 's'}"


class Command(FeedbackCommand):
    help = (
        "Delete page feedback older than --older-than DAYS (default: the "
        "FEEDBACK_RETENTION_DAYS setting) and say how many were deleted. "
        "--dry-run only counts them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            metavar="DAYS",
            help=f"Age in days (default {settings.FEEDBACK_RETENTION_DAYS}).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; delete nothing."
        )

    def handle(self, *args, older_than=None, dry_run=False, **options):
        days = _days(older_than if older_than is not None else settings.FEEDBACK_RETENTION_DAYS)
        cutoff = timezone.now() - datetime.timedelta(days=days)
        old = FeedbackResponse.objects.filter(submitted_at__lt=cutoff)
        described = f"older than {days} days (sent before {cutoff:%Y-%m-%d %H:%M} UTC)"
        if dry_run:
            self.stdout.write(f"Would delete {_responses(old.count())} {described}.")
            return
        # Nothing cascades from a response and nothing listens for its
        # deletion, so Django sends a single DELETE ... WHERE submitted_at < ...
        with transaction.atomic(using=router.db_for_write(FeedbackResponse)):
            count, _ = old.delete()
        self.stdout.write(f"Deleted {_responses(count)} {described}.")
