"""A base for the feedback commands: bad arguments get one line, not a usage dump.

Cron mails whatever a command prints; a one-line "error: ..." and a
non-zero exit are what an operator needs. Inside `call_command` (tests,
other code) a bad argument raises `CommandError` as Django's own does.
"""

from django.core.management.base import BaseCommand, CommandError


class FeedbackCommand(BaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)

        def error(message):
            if parser.called_from_command_line:
                parser.exit(2, f"{parser.prog}: error: {message}\n")
            raise CommandError(f"Error: {message}")

        parser.error = error
        return parser
