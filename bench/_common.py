"""What every benchmark script shares: printing figures and describing the machine they ran on.

Each script prints `describe_machine()` first, so that figures from
different runs can be told apart, and its figures with `say`. Scripts that
load Django in their own process call `use_django_settings()` before
`django.setup()`.
"""

import importlib.metadata
import os
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def say(*parts):
    """The figures are a benchmark's output."""
    print(*parts, flush=True)  # noqa: T201


def cpu_model():
    """The CPU's model name, from the first "model name" line of /proc/cpuinfo."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def load_average():
    """The load averages over 1, 5 and 15 minutes."""
    return ", ".join(f"{figure:.2f}" for figure in os.getloadavg())


def version_of(package):
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def describe_machine():
    """One line: the CPU, how many, the Python version and the load before the run."""
    return (
        f"CPU: {cpu_model()} x {os.cpu_count()}; Python {sys.version.split()[0]}; "
        f"load average (1, 5, 15 min) {load_average()}"
    )


def use_django_settings():
    """Django in this process: the test settings (DEBUG off, like production) unless told.

    A benchmark loads or reads many rows in one statement, so the statement
    timeout that web requests keep is off unless told.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "0")
