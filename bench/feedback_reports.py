"""Benchmark the feedback exports and the "Feedback by page" report.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/feedback_reports.py --rows 1000000

Loads N synthetic responses (default 1,000,000) into the configured
database (migrating it first), then prints, for the CSV export through
`manage.py export_feedback` and through the admin download (driven
in-process with Django's test client as a superuser, consuming the
streamed response): rows per second and peak memory; and how long the
"Feedback by page" page takes to render. Each measurement runs in its own
subprocess; memory is the process's peak resident set (Linux VmHWM) and
how far it rose above the RSS just before the export started.

Figures only, never assertions. Use a throwaway database: the script
refuses to load into a table that already holds responses unless they
are exactly the N it would load (then it reuses them) or --replace is given.
Settings default to `portal.settings.test` (DEBUG off, like production).
"""

import argparse
import csv
import datetime
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
# Loading a million rows is one long statement; web requests keep their limit.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "0")

BENCH_USER = "bench-superuser"
PAGE_COUNT = 60
COMMENTS = [
    "",
    "",
    "",
    "",
    "Clear and kind, thank you.",
    "It didn't say what happens after you report it.\nWho do I call?",
    '=HYPERLINK("https://example.org","Click")',
    "+44 is the code for the UK",
    "Too long. I needed the phone number straight away.",
    "Diolch — ŵ ŷ, helpful in Welsh too 👍",
    "The page about sexting helped me talk to my son about what happened at school "
    "last week. I did not know it was a crime for him to keep the picture.",
]


def say(*parts):
    """The figures are this script's output."""
    print(*parts, flush=True)  # noqa: T201


def setup_django():
    import django

    django.setup()


def _status_mb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def start_peak():
    """Reset this process's peak RSS (Linux) and return the RSS now, in MB.

    `ru_maxrss` is no use here: Linux carries it over from the parent
    process across exec, so a child would report the loader's peak.
    """
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    return _status_mb("VmRSS")


def peak_mb():
    return _status_mb("VmHWM")


# Loading ---------------------------------------------------------------------


def bench_pages():
    """PAGE_COUNT plain pages under the tree root for responses to point at."""
    from wagtail.models import Page

    root = Page.get_first_root_node()
    pages = list(Page.objects.filter(slug__startswith="bench-page-").order_by("pk"))
    for index in range(len(pages), PAGE_COUNT):
        pages.append(
            root.add_child(instance=Page(title=f"Bench page {index}", slug=f"bench-page-{index}"))
        )
    return pages


def synthetic_rows(count, pages, reasons, seed=4):
    """Tuples of (submitted_at, page_id, title, path, useful, reason_id, comment)."""
    rng = random.Random(seed)
    now = datetime.datetime.now(datetime.UTC)
    span = 700 * 24 * 3600
    usefulness = {page.pk: rng.uniform(0.2, 0.9) for page in pages}
    for _ in range(count):
        page = rng.choice(pages)
        yield (
            now - datetime.timedelta(seconds=rng.randrange(span)),
            page.pk,
            page.title,
            f"/{page.slug}/",
            rng.random() < usefulness[page.pk],
            rng.choice(reasons),
            rng.choice(COMMENTS),
        )


COLUMNS = ["submitted_at", "page_id", "page_title", "page_path", "useful", "reason_id", "comment"]


def load(count, replace):
    from django.db import connection, transaction

    from feedback.models import FeedbackResponse, VisitReason

    existing = FeedbackResponse.objects.count()
    if existing == count and not replace:
        say(f"Reusing the {count:,} responses already loaded.")
        return
    if existing and not replace:
        sys.exit(
            f"The table holds {existing:,} responses, not {count:,}. Use a throwaway "
            "database, or --replace to delete them."
        )
    started = time.perf_counter()
    pages = bench_pages()
    reasons = [*VisitReason.objects.values_list("pk", flat=True), None]
    table = FeedbackResponse._meta.db_table
    batch_size = 100_000
    with transaction.atomic():
        FeedbackResponse.objects.all().delete()
        rows = synthetic_rows(count, pages, reasons)
        with connection.cursor() as cursor:
            loaded = 0
            while loaded < count:
                batch = [next(rows) for _ in range(min(batch_size, count - loaded))]
                if connection.vendor == "postgresql":
                    buffer = io.StringIO()
                    writer = csv.writer(buffer)
                    for at, *rest in batch:
                        reason = rest[4]
                        writer.writerow(
                            [at.isoformat(), *rest[:4], "" if reason is None else reason, rest[5]]
                        )
                    buffer.seek(0)
                    copy = (
                        f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN "
                        "WITH (FORMAT csv, FORCE_NOT_NULL (comment))"
                    )
                    cursor.cursor.copy_expert(copy, buffer)
                else:
                    # Django keeps SQLite datetimes as naive UTC text.
                    batch = [(f"{at:%Y-%m-%d %H:%M:%S.%f}", *rest) for at, *rest in batch]
                    placeholders = ", ".join(["%s"] * len(COLUMNS))
                    # Table and column names are this script's constants, not input.
                    insert = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})"  # noqa: S608
                    cursor.executemany(insert, batch)
                loaded += len(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    elapsed = time.perf_counter() - started
    say(f"Loaded {count:,} responses in {elapsed:.1f} s ({count / elapsed:,.0f} rows/s).")


# Measurements (each in its own process) --------------------------------------


def superuser():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username=BENCH_USER, defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def admin_client():
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(superuser())
    return client


def measure_command_csv(output):
    from django.core.management import call_command

    baseline = start_peak()
    started = time.perf_counter()
    call_command("export_feedback", "--output", output, stderr=io.StringIO())
    seconds = time.perf_counter() - started
    with open(output, encoding="utf-8") as stream:
        rows = sum(1 for _ in csv.reader(stream)) - 1
    return {"rows": rows, "seconds": seconds, "baseline_mb": baseline, "peak_mb": peak_mb()}


def measure_admin_csv(_output):
    client = admin_client()
    client.get("/admin/")  # warm up: imports, URL resolution, session
    baseline = start_peak()
    started = time.perf_counter()
    response = client.get("/admin/reports/feedback/?export=csv")
    size = lines = 0
    first_byte = None
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    seconds = time.perf_counter() - started
    if response.status_code != 200 or response.has_header("Content-Length"):
        raise RuntimeError(f"The admin CSV did not stream: {response.status_code}")
    # Comments hold line breaks inside quotes; the audit entry has the true count.
    from wagtail.models import ModelLogEntry

    rows = ModelLogEntry.objects.filter(action="feedback.export").latest("timestamp").data["rows"]
    return {
        "rows": rows,
        "seconds": seconds,
        "first_byte_seconds": first_byte,
        "megabytes": size / 1e6,
        "baseline_mb": baseline,
        "peak_mb": peak_mb(),
    }


def measure_command_xlsx(output):
    """XLSX through the command: the admin refuses workbooks this big (worker timeout)."""
    from django.core.management import call_command

    output = output.removesuffix(".csv") + ".xlsx"
    baseline = start_peak()
    started = time.perf_counter()
    call_command("export_feedback", "--format", "xlsx", "--output", output, stderr=io.StringIO())
    seconds = time.perf_counter() - started
    from wagtail.models import ModelLogEntry

    rows = ModelLogEntry.objects.filter(action="feedback.export").latest("timestamp").data["rows"]
    size = os.path.getsize(output)
    os.remove(output)
    return {
        "rows": rows,
        "seconds": seconds,
        "megabytes": size / 1e6,
        "baseline_mb": baseline,
        "peak_mb": peak_mb(),
    }


def measure_summary(_output):
    client = admin_client()
    client.get("/admin/")
    timings = {}
    for label, query in [
        ("last 90 days", ""),
        ("all time", "?date_from=2000-01-01"),
    ]:
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(f"/admin/reports/feedback-summary/{query}")
            if response.status_code != 200:
                raise RuntimeError(f"Feedback by page answered {response.status_code}")
            runs.append(time.perf_counter() - started)
        timings[label] = {"median": statistics.median(runs), "best": min(runs)}
    return {"timings": timings, "peak_mb": peak_mb()}


MEASUREMENTS = {
    "command-csv": measure_command_csv,
    "admin-csv": measure_admin_csv,
    "command-xlsx": measure_command_xlsx,
    "summary": measure_summary,
}


def run_measurement(name, output):
    completed = subprocess.run(
        [sys.executable, __file__, "--measure", name, "--output", output],
        capture_output=True,
        text=True,
        env=os.environ,
        check=False,
    )
    if completed.returncode != 0:
        sys.exit(f"{name} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def describe_database():
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--replace", action="store_true", help="Delete existing responses first.")
    parser.add_argument(
        "--output", default=str(Path(tempfile.gettempdir()) / "feedback-bench-export.csv")
    )
    parser.add_argument(
        "--xlsx", action="store_true", help="Also time an XLSX export by the command (slow)."
    )
    parser.add_argument("--measure", choices=MEASUREMENTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    setup_django()
    if args.measure:
        say(json.dumps(MEASUREMENTS[args.measure](args.output)))
        return

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    load(args.rows, args.replace)
    say(f"Database: {describe_database()}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs")
    say()
    say(f"{'Export':<28}{'rows':>12}{'seconds':>10}{'rows/s':>12}{'peak RSS':>12}{'growth':>10}")
    measurements = [
        ("command-csv", "manage.py export_feedback"),
        ("admin-csv", "admin ?export=csv"),
    ]
    if args.xlsx:
        measurements.append(("command-xlsx", "export_feedback (XLSX)"))
    for name, label in measurements:
        result = run_measurement(name, args.output)
        say(
            f"{label:<28}{result['rows']:>12,}{result['seconds']:>10.1f}"
            f"{result['rows'] / result['seconds']:>12,.0f}"
            f"{result['peak_mb']:>9.0f} MB{result['peak_mb'] - result['baseline_mb']:>7.0f} MB"
        )
        if "first_byte_seconds" in result:
            say(
                f"{'':<28}first byte after {result['first_byte_seconds'] * 1000:.0f} ms, "
                f"{result['megabytes']:.0f} MB sent"
            )
        elif "megabytes" in result:
            say(f"{'':<28}{result['megabytes']:.0f} MB written")
    summary = run_measurement("summary", args.output)
    say()
    say("Feedback by page (render, 5 runs)")
    for label, timing in summary["timings"].items():
        median, best = timing["median"] * 1000, timing["best"] * 1000
        say(f"  {label:<16} median {median:,.0f} ms, best {best:,.0f} ms")
    if os.path.exists(args.output):
        os.remove(args.output)


if __name__ == "__main__":
    main()
