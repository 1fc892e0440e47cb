"""Create or update the demo staff for a local demo (`make run`).

The superuser `admin`, and one person in each role so that the review can
be tried end to end: `editor` (Eddie Editor, Editors), `reviewer` (Rita
Reviewer, Safeguarding reviewers) and `analyst` (Ann Analyst, Feedback
analysts), and `southdale.editor` (Sam Southdale, Southdale Police editors)
when the demo's second force is loaded. Each run sets one new random password
for all of them and prints it, so no password is ever kept in the repository.
It refuses to run unless DEBUG is on, so it cannot be used by mistake against
a production database.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

USERNAME = "admin"
# (username, first name, last name, group): one person per role.
DEMO_STAFF = [
    ("editor", "Eddie", "Editor", "Editors"),
    ("reviewer", "Rita", "Reviewer", "Safeguarding reviewers"),
    ("analyst", "Ann", "Analyst", "Feedback analysts"),
]
# The demo's second force's editor, when `load_demo_content` added that force.
FORCE_STAFF = [("southdale.editor", "Sam", "Southdale", "Southdale Police editors")]


class Command(BaseCommand):
    help = (
        "Local demo only: create or update the superuser 'admin' and an editor, a reviewer "
        "and an analyst, with a new random password."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port", default="8000", help="The port `make run` serves on, for the address printed."
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "create_demo_admin is for a local demo only and needs DEBUG on: "
                "run it with DJANGO_SETTINGS_MODULE=portal.settings.dev (as `make run` does)."
            )
        password = secrets.token_urlsafe(16)
        groups = set(Group.objects.values_list("name", flat=True))
        made = DEMO_STAFF + [staff for staff in FORCE_STAFF if staff[3] in groups]
        with transaction.atomic():
            self.staff(USERNAME, password, is_superuser=True)
            for username, first_name, last_name, group in made:
                user = self.staff(username, password, first_name=first_name, last_name=last_name)
                user.groups.set([Group.objects.get(name=group)])
        admin_url = f"http://127.0.0.1:{options['port']}/admin/"
        self.stdout.write(f"Demo admin: {admin_url}  user: {USERNAME}  password: {password}")
        names = ", ".join(f"{username} ({group})" for username, _, _, group in made)
        self.stdout.write(f"Demo staff, same password: {names}")

    def staff(self, username, password, is_superuser=False, **names):
        user_model = get_user_model()
        user, _ = user_model._default_manager.get_or_create(
            **{user_model.USERNAME_FIELD: username},
            defaults={"email": f"{username}@localhost"},
        )
        for field, value in names.items():
            setattr(user, field, value)
        user.is_active = True
        user.is_staff = True
        user.is_superuser = is_superuser
        user.set_password(password)
        user.save()
        return user
