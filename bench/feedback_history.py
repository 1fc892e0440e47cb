"""Benchmark "Feedback by version" for a much-edited, much-read page.

    createdb -h 127.0.0.1 -U postgres bench_history
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_history \\
        .venv/bin/python bench/feedback_history.py

Makes one page with `--revisions` published versions (default 100) and
`--responses` answers spread over them (default 200,000), then prints the
median of 3 timings, in milliseconds, of:

- `page_history()`, the figures alone, with its query count;
- the admin screen, rendered through Django's test client as a superuser;
- its CSV download.

The page editor's feedback panel calls `page_history()` once, so it costs
what the first line shows.

Figures only, never assertions. The data is made once and reused on the
next run (it is recognised by the page's slug); use a throwaway database.
Settings default to `portal.settings.test` (DEBUG off, like production).
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bench._common import describe_machine, say, use_django_settings  # noqa: E402

use_django_settings()

SLUG = "bench-feedback-history"
BENCH_USER = "bench-history-superuser"
RUNS = 3


def the_page(revisions):
    """The bench page, published `revisions` times (made on the first run)."""
    from wagtail.models import Page

    page = Page.objects.filter(slug=SLUG).first()
    if page is None:
        root = Page.get_first_root_node()
        page = root.add_child(instance=Page(title="Bench: a much-edited page", slug=SLUG))
    published = page.revisions.count()
    for number in range(published, revisions):
        page.title = f"Bench: a much-edited page, version {number + 1}"
        page.save_revision().publish()
    return Page.objects.get(pk=page.pk)


def load_responses(page, count):
    """`count` answers spread over the page's revisions, each with its own usefulness."""
    from feedback.models import FeedbackResponse, VisitReason

    existing = FeedbackResponse.objects.filter(page=page).count()
    if existing == count:
        return False
    FeedbackResponse.objects.filter(page=page).delete()
    rng = random.Random(13)
    revisions = list(page.revisions.order_by("pk").values_list("pk", flat=True))
    usefulness = {pk: rng.uniform(0.3, 0.9) for pk in revisions}
    reasons = [*VisitReason.objects.values_list("pk", flat=True), None]
    batch = []
    for number in range(count):
        revision = revisions[number * len(revisions) // count]
        batch.append(
            FeedbackResponse(
                page=page,
                page_revision_id=revision,
                page_title=page.title,
                page_path="/bench/",
                useful=rng.random() < usefulness[revision],
                reason_id=rng.choice(reasons),
            )
        )
        if len(batch) == 10_000:
            FeedbackResponse.objects.bulk_create(batch)
            batch = []
    FeedbackResponse.objects.bulk_create(batch)
    return True


def median_ms(action):
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), timings


def report(label, action):
    median, timings = median_ms(action)
    runs = ", ".join(f"{ms:,.0f}" for ms in timings)
    say(f"{label:<44} median {median:>8,.1f} ms   (runs: {runs})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--revisions", type=int, default=100)
    parser.add_argument("--responses", type=int, default=200_000)
    options = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from feedback.reports.history import page_history

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    say(describe_machine())
    say(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
    started = time.perf_counter()
    page = the_page(options.revisions)
    loaded = load_responses(page, options.responses)
    say(
        f"Page {page.pk}: {page.revisions.count()} revisions, {options.responses:,} responses "
        f"({'loaded' if loaded else 'reused'} in {time.perf_counter() - started:,.1f} s)"
    )

    with CaptureQueriesContext(connection) as queries:
        history = page_history(page)
    say(
        f"page_history: {len(history.versions)} versions, {history.responses:,} responses, "
        f"{len(queries)} queries"
    )

    user = get_user_model().objects.filter(username=BENCH_USER).first()
    if user is None:
        user = get_user_model().objects.create_superuser(BENCH_USER, "bench@example.org", None)
    client = Client()
    client.force_login(user)
    url = reverse("feedback_reports:page_history", args=[page.pk])

    def screen():
        response = client.get(url)
        assert response.status_code == 200, response.status_code  # noqa: S101 - a broken run

    def download():
        response = client.get(f"{url}?export=csv")
        assert response.status_code == 200, response.status_code  # noqa: S101 - a broken run
        b"".join(response.streaming_content)

    screen()  # warm the templates and the connection
    report("page_history() (figures only)", lambda: page_history(page))
    report("Feedback by version (admin screen)", screen)
    report("Feedback by version (CSV download)", download)


if __name__ == "__main__":
    main()
