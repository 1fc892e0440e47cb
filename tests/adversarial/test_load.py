"""T21: a small, bounded load run with locust against the production configuration.

Runs `bench/load.py` (its own process: locust patches the standard library
for gevent when imported) with a fixed number of users and seconds, on
loopback: gunicorn as `make serve` runs it, PostgreSQL and Redis (database
`REDIS_DB`). Prints what the script prints (errors, p95, posts accepted,
rows stored) and asserts on counts only, never on time.
"""

import re
import subprocess
import sys

import pytest
import redis

from tests.support.outages import suite_database_url
from tests.support.servers import BASE_DIR

USERS, SECONDS = 50, 10
REDIS_DB = 13  # its own: test_faults.py (12) may run beside it on another xdist worker

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not suite_database_url().startswith(("postgres://", "postgresql://")),
        reason=(
            "PostgreSQL only: bench/load.py measures the production stack (its own PostgreSQL "
            "database, Redis, gunicorn); SQLite cannot serve several workers. It runs in the "
            "suite's PostgreSQL run (.ci/run)"
        ),
    ),
]


def figure(pattern, output):
    match = re.search(pattern, output, re.MULTILINE)
    assert match, f"{pattern!r} not in the output:\n{output}"
    return int(match.group(1).replace(",", ""))


def test_t21_load(tally):
    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    result = subprocess.run(
        [
            sys.executable,
            "bench/load.py",
            *("--users", str(USERS), "--seconds", str(SECONDS), "--spawn-rate", "25"),
            *("--redis-db", str(REDIS_DB)),
        ],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = result.stdout + result.stderr
    print(output)  # noqa: T201 - errors, p95, accepted and stored, as the brief asks

    requests = figure(r"^Requests: ([\d,]+);", output)
    server_errors = figure(r"^5xx answers: ([\d,]+)", output)
    accepted = figure(r"^Feedback posts accepted \(2xx/3xx\): ([\d,]+);", output)
    stored = figure(r"rows stored: ([\d,]+);", output)
    tally.responses(accepted=accepted, stored=stored)

    assert result.returncode == 0, output
    assert requests > USERS, "the visitors hardly made a request"
    assert server_errors == 0
    assert accepted > 0, "no feedback was posted"
    assert stored == accepted, f"{accepted} posts accepted, {stored} rows stored"
    failures = re.findall(r"^  failure: (\S+) (\S+): (.*) x(\d+)$", output, re.MULTILINE)
    unexpected = [failure for failure in failures if "429" not in failure[2]]
    assert not unexpected, f"requests failed other than by the rate limit: {unexpected}"
