"""Benchmark `manage.py add_force`: how long adding a force takes on a fresh database.

    .venv/bin/python bench/add_force.py [--runs 3] [--demo]

Migrates a throwaway SQLite database once, in a temporary folder (removed
at the end); `--demo` also loads the demo content into it. Then, `--runs`
times, copies it (so each run meets a fresh database, as an operator's
first `add_force` does) and runs `manage.py add_force` in its own process,
as an operator would. Prints the CPU model and the load average, then the
median and every run's figure of: the time the command reports for its own
work (one transaction: site, home page, settings, groups, workflow), and
the whole process, which adds Python and Django starting up. Settings
default to `portal.settings.test` (DEBUG off, like production).

Figures only, never assertions.
"""

import argparse
import os
import re
import shutil
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

NAME, HOSTNAME = "Benchmark Police", "benchmark.localhost"
REPORTED = re.compile(r"Added .+ in ([\d.]+) s\.")


def manage(database, *args):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )


def one_run(template, folder, number):
    database = folder / f"run-{number}.sqlite3"
    shutil.copy(template, database)
    started = time.perf_counter()
    result = manage(database, "add_force", "--name", NAME, "--hostname", HOSTNAME)
    process = time.perf_counter() - started
    reported = REPORTED.search(result.stdout)
    if reported is None:
        raise SystemExit(f"add_force said something unexpected:\n{result.stdout}{result.stderr}")
    database.unlink()
    return float(reported[1]), process


def figures(label, values):
    runs = ", ".join(f"{value:.2f}" for value in values)
    say(f"{label:<36} median {statistics.median(values):6.2f} s   (runs: {runs})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--demo", action="store_true", help="Load the demo content first.")
    options = parser.parse_args()

    say(describe_machine())
    say(f"Settings: {os.environ['DJANGO_SETTINGS_MODULE']}; database: SQLite, fresh for each run")
    with tempfile.TemporaryDirectory(prefix="bench-add-force-") as folder:
        folder = Path(folder)
        template = folder / "migrated.sqlite3"
        started = time.perf_counter()
        manage(template, "migrate", "--noinput", "-v", "0")
        if options.demo:
            manage(template, "load_demo_content")
        what = "Migrated and loaded the demo" if options.demo else "Migrated"
        say(f"{what} in {time.perf_counter() - started:.0f} s")
        results = [one_run(template, folder, number) for number in range(options.runs)]
    figures("add_force, as it reports itself", [reported for reported, _ in results])
    figures("add_force, whole process", [process for _, process in results])
    say(f"Load average after: {load_average()}")


if __name__ == "__main__":
    main()
