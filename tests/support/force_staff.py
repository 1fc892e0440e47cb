"""A force added with `manage.py add_force`, a page of its own, and its staff, for admin tests.

`added_force()` runs the command as an operator would (through
`call_command`) beside the site tree's default force on `localhost`, and
returns what it made with the command's output. `member(force, role)` is a
member of one of its groups ("editors", "reviewers", "analysts");
`tests.support.users.member_of` gives the national groups' members.
"""

from dataclasses import dataclass
from io import StringIO

from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import Site, Workflow

from guidance.forces import NATIONAL_GROUPS, group_name, workflow_name
from guidance.models import HomePage
from tests.guidance.factories import GuidancePageFactory, paragraph, section
from tests.support.users import member_of

FORCE_NAME = "Southdale Police"
FORCE_HOST = "southdale.localhost"
FORCE_EXIT = "https://weather.example/southdale"
LOCAL_PAGE_TITLE = "Southdale school liaison"
LOCAL_PAGE_TEXT = "Our school liaison officers visit every Southdale secondary school."


@dataclass
class AddedForce:
    site: Site
    home: HomePage
    groups: dict  # role → Group
    workflow: Workflow
    output: str


def run_add_force(*args, **options):
    """`manage.py add_force` with these options: its output (raises `CommandError`)."""
    out = StringIO()
    call_command("add_force", *args, stdout=out, **options)
    return out.getvalue()


def added_force(name=FORCE_NAME, hostname=FORCE_HOST, neutral_exit_url=FORCE_EXIT):
    output = run_add_force(name=name, hostname=hostname, neutral_exit_url=neutral_exit_url)
    site = Site.objects.get(hostname=hostname)
    return AddedForce(
        site=site,
        home=site.root_page.specific,
        groups={role: Group.objects.get(name=group_name(name, role)) for role in NATIONAL_GROUPS},
        workflow=Workflow.objects.get(name=workflow_name(name)),
        output=output,
    )


def local_page(force, title=LOCAL_PAGE_TITLE, text=LOCAL_PAGE_TEXT):
    """A published guidance page straight under the force's home page."""
    return GuidancePageFactory(
        parent=force.home,
        title=title,
        summary="How Southdale's officers work with schools.",
        body=[section("In schools"), paragraph(f"<p>{text}</p>")],
    )


def member(force, role, username=None):
    """A staff user in the force's group for `role` ("editors", "reviewers", "analysts")."""
    name = force.groups[role].name
    return member_of(name, username or f"{force.site.hostname.split('.')[0]}-{role}")
