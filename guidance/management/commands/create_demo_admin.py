"""Create or update the superuser `admin` for a local demo (`make run`).

Each run sets a new random password and prints it, so no password is ever
kept in the repository. It refuses to run unless DEBUG is on, so it cannot
be used by mistake against a production database.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

USERNAME = "admin"


class Command(BaseCommand):
    help = "Local demo only: create or update the superuser 'admin' with a new random password."

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
        user_model = get_user_model()
        with transaction.atomic():
            user, _ = user_model._default_manager.get_or_create(
                **{user_model.USERNAME_FIELD: USERNAME},
                defaults={"email": "admin@localhost"},
            )
            user.is_active = True
            user.is_staff = True
            user.is_superuser = True
            user.set_password(password)
            user.save()
        admin_url = f"http://127.0.0.1:{options['port']}/admin/"
        self.stdout.write(f"Demo admin: {admin_url}  user: {USERNAME}  password: {password}")
