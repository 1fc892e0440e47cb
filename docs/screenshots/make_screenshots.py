"""Take the README's screenshots (`make screenshots`) into docs/screenshots/.

Builds a throwaway SQLite database in a temporary folder, migrates it,
loads the demo content, adds a superuser and a handful of feedback
responses, serves it with `manage.py runserver` on a free port, and drives
Debian's Chromium (/usr/bin/chromium) through Playwright:

- seed-page-phone.png: the "Sexting" guidance page at 375 px, full page;
- seed-page-desktop.png: the same page at 1280 px, first screen;
- feedback-errors.png: the page a visitor without JavaScript gets after
  sending the feedback form empty (error summary and messages);
- admin-feedback-report.png: Reports → Page feedback in the Wagtail admin.

Nothing touches the project's own database; the temporary folder is removed
at the end.
"""

import datetime
import io
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
]
SEED_PATH = "/online-safety/sexting/"
USERNAME = "screenshots"

# (page slug, useful, reason slug, comment, days ago)
FEEDBACK = [
    ("sexting", True, "parent-carer", "Clear about the law. It helped me talk to my son.", 1),
    ("sexting", False, "young-person", "I wanted to know if the police tell my school.", 3),
    ("sexting", True, "professional", "", 6),
    ("online-grooming", True, "parent-carer", "The list of signs was really useful.", 9),
    ("online-grooming", False, "worried-self-or-friend", "Too long. Put the numbers first.", 12),
    ("cover-your-tracks-online", True, "research", "", 16),
    ("cover-your-tracks-online", False, "other", "Does this work on an iPhone?", 20),
    ("sexting", True, "", "", 25),
]


def say(message):
    print(message, flush=True)  # noqa: T201 - this script reports what it wrote


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database():
    """Migrate, load the demo content, add a superuser and some feedback."""
    import django
    from django.core.management import call_command

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.utils import timezone
    from wagtail.models import Page

    from feedback.models import FeedbackResponse, VisitReason

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo_content", stdout=io.StringIO())
    password = secrets.token_urlsafe(16)
    get_user_model().objects.create_superuser(USERNAME, "", password)

    now = timezone.now()
    for slug, useful, reason, comment, days_ago in FEEDBACK:
        page = Page.objects.get(slug=slug).specific
        response = FeedbackResponse.objects.create(
            page=page,
            page_revision_id=page.live_revision_id,
            page_title=page.title,
            page_path=page.url,
            useful=useful,
            reason=VisitReason.objects.get(slug=reason) if reason else None,
            comment=comment,
        )
        submitted_at = now - datetime.timedelta(days=days_ago, hours=days_ago % 7)
        FeedbackResponse.objects.filter(pk=response.pk).update(submitted_at=submitted_at)
    connections.close_all()
    return password


def wait_for(url, server, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"runserver exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own http://127.0.0.1
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def take_screenshots(base_url, password):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        phone = browser.new_context(
            viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
        )
        page = phone.new_page()
        page.goto(base_url + SEED_PATH)
        page.screenshot(path=OUTPUT / "seed-page-phone.png", full_page=True)
        phone.close()

        desktop = browser.new_context(viewport={"width": 1280, "height": 900})
        page = desktop.new_page()
        page.goto(base_url + SEED_PATH)
        page.screenshot(path=OUTPUT / "seed-page-desktop.png")
        desktop.close()

        no_script = browser.new_context(
            viewport={"width": 1280, "height": 900}, java_script_enabled=False
        )
        page = no_script.new_page()
        page.goto(base_url + SEED_PATH)
        page.get_by_role("button", name="Send feedback").click()
        page.locator(".error-summary").wait_for()
        page.screenshot(path=OUTPUT / "feedback-errors.png", full_page=True)
        no_script.close()

        admin = browser.new_context(viewport={"width": 1280, "height": 1000})
        page = admin.new_page()
        page.goto(base_url + "/admin/login/")
        page.get_by_label("Username").fill(USERNAME)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(base_url + "/admin/")
        page.goto(base_url + "/admin/reports/feedback/")
        page.get_by_role("heading", name="Page feedback").first.wait_for()
        page.screenshot(path=OUTPUT / "admin-feedback-report.png", full_page=True)
        admin.close()

        browser.close()


def main():
    workdir = Path(tempfile.mkdtemp(prefix="portal-screenshots-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.dev"
    sys.path.insert(0, str(PROJECT))
    server = None
    try:
        password = prepare_database()
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=PROJECT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base_url = f"http://127.0.0.1:{port}"
        wait_for(base_url + "/", server)
        take_screenshots(base_url, password)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    for png in sorted(OUTPUT.glob("*.png")):
        say(f"wrote {png.relative_to(PROJECT)}")


if __name__ == "__main__":
    main()
