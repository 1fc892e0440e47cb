"""Benchmark the feedback exports and the "Feedback by page" report.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/feedback_reports.py --rows 1000000 [--runs 3] [--profile]

Loads N synthetic responses (default 1,000,000) into the configured
database (migrating it first), then prints, for the CSV export through
`manage.py export_feedback` and through the admin download (driven
in-process with Django's test client as a superuser, consuming the
streamed response): rows per second, the CPU time it took in this process
and in the database server, and memory; and how long the "Feedback by
page" page takes to render. Each measurement runs in its own subprocess,
`--runs` times (default 3, interleaved), and the median is printed with
every run's figure. Memory is the process's peak resident set (Linux VmHWM)
and how far it rose above the RSS just before the export started (the
largest rise of the runs). The CPU model and the load average before and
after the runs are printed, since other work on the machine slows every
figure: the CPU times are the figures it disturbs least.

`--profile` adds, after the timed runs, one run of each measurement under
cProfile (top 25 functions by own time) and, for "Feedback by page", the
SQL statements of one render with their times.

Figures only, never assertions. Use a throwaway database: the script
refuses to load into a table that already holds responses unless they
are exactly the N it would load (then it reuses them) or --replace is given.
Settings default to `portal.settings.test` (DEBUG off, like production).
"""

import argparse
import cProfile
import csv
import datetime
import io
import json
import os
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bench._common import describe_machine, load_average, say, use_django_settings  # noqa: E402

use_django_settings()

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


class CPUTimes:
    """CPU seconds used by this process and by its database server process since `start`.

    The database's share is read from /proc/<pid>/stat of the PostgreSQL
    backend serving this process's connection, so it needs the server on
    this machine; elsewhere (or with SQLite, which runs in this process) it
    is None.
    """

    def __init__(self):
        self.backend = self._backend_pid()
        self.process = self._process_seconds()
        self.database = self._database_seconds()

    @staticmethod
    def _backend_pid():
        from django.db import connection

        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    @staticmethod
    def _process_seconds():
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def _database_seconds(self):
        if self.backend is None:
            return None
        try:
            with open(f"/proc/{self.backend}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def used(self):
        """{"process_cpu": seconds, "database_cpu": seconds or None}."""
        database = self._database_seconds()
        if database is not None and self._backend_pid() != self.backend:
            database = None  # the connection was replaced: another backend did some work
        return {
            "process_cpu": self._process_seconds() - self.process,
            "database_cpu": None if database is None else database - self.database,
        }


def profiled(function, *args):
    """Run `function` under cProfile; return its result and the top 25 lines by own time."""
    import django

    profiler = cProfile.Profile()
    result = profiler.runcall(function, *args)
    output = io.StringIO()
    pstats.Stats(profiler, stream=output).sort_stats("tottime").print_stats(25)
    text = output.getvalue()
    for folder in (Path(django.__file__).parents[1], PROJECT):
        text = text.replace(f"{folder}/", "")
    return result, text


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


def exported_rows():
    """The row count of the last export, from its audit entry (comments hold line breaks)."""
    from wagtail.models import ModelLogEntry

    return ModelLogEntry.objects.filter(action="feedback.export").latest("timestamp").data["rows"]


def measure_command_csv(output):
    from django.core.management import call_command

    cpu = CPUTimes()
    baseline = start_peak()
    started = time.perf_counter()
    call_command("export_feedback", "--output", output, stderr=io.StringIO())
    seconds = time.perf_counter() - started
    return {
        "rows": exported_rows(),
        "seconds": seconds,
        "baseline_mb": baseline,
        "peak_mb": peak_mb(),
        **cpu.used(),
    }


def measure_admin_csv(_output):
    client = admin_client()
    client.get("/admin/")  # warm up: imports, URL resolution, session
    cpu = CPUTimes()
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
    used = cpu.used()
    if response.status_code != 200 or response.has_header("Content-Length"):
        raise RuntimeError(f"The admin CSV did not stream: {response.status_code}")
    return {
        "rows": exported_rows(),
        "seconds": seconds,
        "first_byte_seconds": first_byte,
        "megabytes": size / 1e6,
        "baseline_mb": baseline,
        "peak_mb": peak_mb(),
        **used,
    }


def measure_command_xlsx(output):
    """XLSX through the command: the admin refuses workbooks this big (worker timeout)."""
    from django.core.management import call_command

    output = output.removesuffix(".csv") + ".xlsx"
    cpu = CPUTimes()
    baseline = start_peak()
    started = time.perf_counter()
    call_command("export_feedback", "--format", "xlsx", "--output", output, stderr=io.StringIO())
    seconds = time.perf_counter() - started
    used = cpu.used()
    size = os.path.getsize(output)
    os.remove(output)
    return {
        "rows": exported_rows(),
        "seconds": seconds,
        "megabytes": size / 1e6,
        "baseline_mb": baseline,
        "peak_mb": peak_mb(),
        **used,
    }


SUMMARY_PERIODS = [("last 90 days", ""), ("all time", "?date_from=2000-01-01")]


def measure_summary(_output):
    client = admin_client()
    client.get("/admin/")
    timings = {}
    for label, query in SUMMARY_PERIODS:
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(f"/admin/reports/feedback-summary/{query}")
            if response.status_code != 200:
                raise RuntimeError(f"Feedback by page answered {response.status_code}")
            runs.append(time.perf_counter() - started)
        timings[label] = {"median": statistics.median(runs), "best": min(runs)}
    return {"timings": timings, "peak_mb": peak_mb()}


def summary_queries():
    """The SQL statements of one all-time render, slowest first, with their times."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = admin_client()
    client.get("/admin/reports/feedback-summary/?date_from=2000-01-01")
    with CaptureQueriesContext(connection) as queries:
        client.get("/admin/reports/feedback-summary/?date_from=2000-01-01")
    slowest = sorted(queries.captured_queries, key=lambda query: -float(query["time"]))
    return "\n".join(
        f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:300]}" for query in slowest[:5]
    )


def profile_summary(output):
    client = admin_client()
    client.get("/admin/")
    client.get("/admin/reports/feedback-summary/?date_from=2000-01-01")
    _, text = profiled(client.get, "/admin/reports/feedback-summary/?date_from=2000-01-01")
    return {"profile": text, "queries": summary_queries()}


def profile_export(name):
    def measure(output):
        result, text = profiled(MEASUREMENTS[name], output)
        return {**result, "profile": text}

    return measure


MEASUREMENTS = {
    "command-csv": measure_command_csv,
    "admin-csv": measure_admin_csv,
    "command-xlsx": measure_command_xlsx,
    "summary": measure_summary,
}
PROFILES = {
    **{f"profile-{name}": profile_export(name) for name in MEASUREMENTS if name != "summary"},
    "profile-summary": profile_summary,
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


def spread(values, figure="{:,.0f}"):
    """The median, then every run's figure: "183,983 (180,111 183,983 190,002)"."""
    runs = " ".join(figure.format(value) for value in values)
    return f"{figure.format(statistics.median(values))} ({runs})"


def optional_seconds(results, key):
    values = [result[key] for result in results]
    return "n/a" if None in values else spread(values, "{:.2f}")


def report_exports(label, results):
    rows = results[0]["rows"]
    say(f"{label} ({rows:,} rows)")
    say(f"  rows/s       {spread([rows / result['seconds'] for result in results])}")
    say(f"  seconds      {spread([result['seconds'] for result in results], '{:.2f}')}")
    say(f"  CPU s here   {optional_seconds(results, 'process_cpu')}")
    say(f"  CPU s in db  {optional_seconds(results, 'database_cpu')}")
    growth = max(result["peak_mb"] - result["baseline_mb"] for result in results)
    peak = max(result["peak_mb"] for result in results)
    say(f"  memory       peak RSS {peak:.0f} MB, growth {growth:.0f} MB (largest of the runs)")
    if "first_byte_seconds" in results[0]:
        first_byte = [result["first_byte_seconds"] * 1000 for result in results]
        sent = results[0]["megabytes"]
        say(f"  first byte   {spread(first_byte, '{:.0f}')} ms; {sent:.0f} MB sent")
    elif "megabytes" in results[0]:
        say(f"  written      {results[0]['megabytes']:.0f} MB")


def report_profiles(measurements, output):
    for name, label in [*measurements, ("summary", "Feedback by page, all time")]:
        result = run_measurement(f"profile-{name}", output)
        say()
        say(f"Profile: {label}")
        say(result["profile"].strip())
        if "queries" in result:
            say()
            say("Its slowest SQL statements:")
            say(result["queries"])


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
    parser.add_argument("--runs", type=int, default=3, help="Runs of each measurement.")
    parser.add_argument(
        "--profile", action="store_true", help="Then profile one more run of each (cProfile)."
    )
    parser.add_argument("--measure", choices=[*MEASUREMENTS, *PROFILES], help=argparse.SUPPRESS)
    args = parser.parse_args()
    setup_django()
    if args.measure:
        say(json.dumps({**MEASUREMENTS, **PROFILES}[args.measure](args.output)))
        return

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    load(args.rows, args.replace)
    say(describe_machine())
    say(f"Database: {describe_database()}")
    measurements = [
        ("command-csv", "manage.py export_feedback (CSV)"),
        ("admin-csv", "admin ?export=csv"),
    ]
    if args.xlsx:
        measurements.append(("command-xlsx", "export_feedback (XLSX)"))
    results = {name: [] for name, _ in [*measurements, ("summary", "")]}
    for _ in range(args.runs):
        for name in results:
            results[name].append(run_measurement(name, args.output))
    say(f"Load average after the runs: {load_average()}")
    say(f"Medians of {args.runs} runs, each run's figure in brackets:")
    for name, label in measurements:
        say()
        report_exports(label, results[name])
    say()
    say("Feedback by page (render; each run's figure is the median of 5 renders)")
    for label, _ in SUMMARY_PERIODS:
        medians = [result["timings"][label]["median"] * 1000 for result in results["summary"]]
        say(f"  {label:<16} {spread(medians)} ms")
    if args.profile:
        report_profiles(measurements, args.output)
    if os.path.exists(args.output):
        os.remove(args.output)


if __name__ == "__main__":
    main()
