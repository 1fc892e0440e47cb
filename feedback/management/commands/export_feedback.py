"""`manage.py export_feedback`: page feedback as CSV or XLSX, for analysts and cron.

Each run is recorded in Wagtail's audit log (action `feedback.export`, user
"system") like the admin downloads, naming the forces it covered.
`--force HOSTNAME` exports one force's responses (those sent on the Wagtail
Site with that host name); without it, every force's, with a last column
`force` (the host name) when the install has several.
"""

import datetime
import os
import sys

from django.core.management.base import CommandError
from wagtail.models import Page, Site

from feedback.audit import log_export
from feedback.exports import XLSX_MAX_ROWS, TooManyRowsError, write_csv
from feedback.exports_xlsx import write_xlsx
from feedback.management.base import FeedbackCommand
from feedback.models import FeedbackResponse


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"'{value}' is not a date in the form YYYY-MM-DD.") from error


class Command(FeedbackCommand):
    help = (
        "Write page feedback as CSV (header row first) to stdout or --output, or as XLSX "
        "to --output. Columns: id, submitted_at, page_id, page_revision_id, page_version, "
        "page_title, page_path, useful, reason_code, reason, comment, possible_disclosure, "
        "and force (the host name) when several forces are exported. "
        "In XLSX, submitted_at is a date cell in the site's time zone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", help="First day to include (YYYY-MM-DD).")
        parser.add_argument("--until", help="Last day to include (YYYY-MM-DD).")
        parser.add_argument("--page", type=int, help="Only this page and the pages below it.")
        parser.add_argument(
            "--force",
            dest="force_hostname",
            metavar="HOSTNAME",
            help="Only the responses sent on this force's site (its host name).",
        )
        parser.add_argument(
            "--format",
            dest="export_format",
            choices=["csv", "xlsx"],
            default="csv",
            help="csv (default) or xlsx; xlsx needs --output.",
        )
        parser.add_argument("--output", help="Write to this file instead of stdout.")

    def handle(
        self,
        *args,
        since=None,
        until=None,
        page=None,
        force_hostname=None,
        output=None,
        export_format="csv",
        **options,
    ):
        sites = self._forces(force_hostname)
        responses = self._selected(since, until, page)
        if force_hostname is not None:
            responses = responses.of_forces([site.pk for site in sites])
        if export_format == "xlsx" and not output:
            raise CommandError("XLSX is a binary file: give --output FILE.")
        with_force = len({site.hostname for site in sites}) > 1
        if export_format == "xlsx":
            count = self._write_xlsx(responses, output, with_force)
        elif output:
            count = self._write_csv_file(responses, output, with_force)
        else:
            count = self._write_csv_stdout(responses, with_force)
        filters = {"since": since, "until": until, "page": page, "force": force_hostname}
        log_export(
            user=None,
            export_format=export_format,
            filters={name: str(value) for name, value in filters.items() if value is not None},
            rows=count,
            source="manage.py export_feedback",
            forces=sorted({site.hostname for site in sites}),
        )
        if output:
            self.stderr.write(f"Wrote {count} responses to {output}.")

    @staticmethod
    def _forces(hostname):
        """The Sites exported: the one(s) with `hostname` (any case), or every Site."""
        if hostname is None:
            return list(Site.objects.order_by("hostname", "pk"))
        sites = list(Site.objects.filter(hostname__iexact=hostname.strip()).order_by("pk"))
        if not sites:
            raise CommandError(f"There is no force (site) with the host name '{hostname}'.")
        return sites

    @staticmethod
    def _selected(since, until, page):
        """The responses the filters select; a bad filter is a CommandError."""
        responses = FeedbackResponse.objects.all()
        since_day = _date(since) if since else None
        until_day = _date(until) if until else None
        if since_day and until_day and since_day > until_day:
            raise CommandError("--since must not be later than --until.")
        if since_day:
            responses = responses.since(since_day)
        if until_day:
            next_day = until_day + datetime.timedelta(days=1)
            responses = responses.before(next_day)
        if page is not None:
            root = Page.objects.filter(pk=page).first()
            if root is None:
                raise CommandError(f"There is no page with ID {page}.")
            responses = responses.for_subtree(root)
        return responses

    @staticmethod
    def _write_csv_file(responses, output, with_force):
        try:
            with open(output, "w", newline="", encoding="utf-8") as stream:
                return write_csv(responses, stream, with_force=with_force)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from error

    def _write_csv_stdout(self, responses, with_force):
        try:
            return write_csv(responses, self.stdout, with_force=with_force)
        except BrokenPipeError:
            # The reader stopped early (`| head`): end quietly, as Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)

    def _write_xlsx(self, responses, output, with_force):
        rows = responses.count()
        try:
            if rows > XLSX_MAX_ROWS:
                raise TooManyRowsError(rows)
            with open(output, "wb") as stream:
                return write_xlsx(responses, stream, row_count=rows, with_force=with_force)
        except TooManyRowsError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
