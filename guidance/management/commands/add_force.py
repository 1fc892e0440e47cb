"""`manage.py add_force --name NAME --hostname HOST [--quick-exit URL]`: a force in one step.

Everything a force needs, in one transaction (guidance/forces.py): its Site
and published home page, its safety settings, its editors, reviewers and
analysts (each mirroring the national group) and its review workflow.
Prints what it made, the defaults it chose and how long it took. Run again
with the same host name and name, it changes nothing and says so. A bad
or clashing name, host name or address stops it with one line and exit
status 1, before anything is written.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.http.request import validate_host

from guidance.forces import ForceError, add_force
from guidance.help_contacts import DEFAULT_HELP_CONTACTS
from guidance.models import DEFAULT_NEUTRAL_EXIT_URL

# Django's own hosts while DEBUG is on and ALLOWED_HOSTS is empty.
DEBUG_HOSTS = [".localhost", "127.0.0.1", "[::1]"]


def allowed_hosts():
    return settings.ALLOWED_HOSTS or (DEBUG_HOSTS if settings.DEBUG else [])


class Command(BaseCommand):
    help = (
        "Add a police force: its site, home page, safety settings, editors, reviewers and "
        "analysts, and its review workflow."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The force's name: 'Southdale Police'.")
        parser.add_argument(
            "--hostname",
            required=True,
            help="The host name its visitors use: 'guidance.southdale.police.uk' (no port).",
        )
        parser.add_argument(
            "--quick-exit",
            dest="neutral_exit_url",
            default=None,
            help=f"Where 'Leave site' goes (https). Default: {DEFAULT_NEUTRAL_EXIT_URL}",
        )

    def handle(self, *args, name, hostname, neutral_exit_url, **options):
        started = time.perf_counter()
        try:
            force = add_force(name, hostname, neutral_exit_url)
        except ForceError as error:
            raise CommandError(str(error)) from None
        took = time.perf_counter() - started
        if not force.created:
            self.stdout.write(
                f"{force.name} already exists at {force.site.hostname}: nothing changed "
                f"({took:.2f} s)."
            )
            return
        self.report(force, neutral_exit_url)
        self.stdout.write(self.style.SUCCESS(f"Added {force.name} in {took:.2f} s."))

    def report(self, force, neutral_exit_url):
        write = self.stdout.write
        write(f"Site: {force.url} (port 80, not the default site), home page '{force.home.title}'.")
        groups = ", ".join(f"'{group.name}'" for group in force.groups.values())
        write(f"Staff groups, for this force only: {groups}.")
        write(
            f"Review: workflow '{force.workflow.name}' on its home page; "
            f"'{force.groups['reviewers'].name}' approve."
        )
        default = "" if neutral_exit_url else " (the default: --quick-exit to choose)"
        write(f"Quick exit goes to {force.safety.neutral_exit_url}{default}.")
        numbers = ", ".join(
            f"{contact.name} {contact.phone}" for contact in DEFAULT_HELP_CONTACTS if contact.phone
        )
        write(
            "Help contacts: none chosen, so its pages show the built-in numbers "
            f"({numbers}); choose them under Settings → Safety settings."
        )
        for left_out in force.not_copied:
            write(self.style.WARNING(f"Not copied, it would reach every force: {left_out}"))
        if not validate_host(force.site.hostname, allowed_hosts()):
            write(
                self.style.WARNING(
                    f"{force.site.hostname} is not in ALLOWED_HOSTS: add it to "
                    "DJANGO_ALLOWED_HOSTS, or its visitors get 400."
                )
            )
