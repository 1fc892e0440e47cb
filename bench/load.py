"""A bounded load test of the production configuration with locust, on loopback only.

    .venv/bin/python bench/load.py [--users 200] [--seconds 30]

Starts the production configuration itself, as bench/serving.py does: a
PostgreSQL database of its own (created, then dropped), a Redis database
index of its own (`--redis-db`, must be empty; flushed afterwards), so the
page cache and the feedback rate limit are shared between workers as in
production; `migrate`, `load_demo_content`, `collectstatic`; gunicorn as
`make serve` runs it (gthread, 3 workers x 8 threads, production settings,
DJANGO_HTTPS=false) on 127.0.0.1.

Then locust 2.47, in this process (headless), runs `--users` simulated
visitors for `--seconds`, each waiting 1 to 3 s between actions, which are,
by weight: the home page 3, the topic page 2, the seed page 4, a search 2
(from a short list of queries, so most are cached after the first) and a
feedback post 1 (as the page's script sends it: `Accept: application/json`,
the right `Origin`, each comment different so none is dropped as a repeat).

The rate limit stays at its production value (10 posts a minute per
client): each visitor has its own address in `X-Forwarded-For`, with
`DJANGO_TRUSTED_PROXY_COUNT=1` as behind one load balancer, and posts about
twice a minute, so no visitor should be refused; refusals (429) are counted.
At the end every visitor finishes the request it is making before the count.

Prints requests, failures, 5xx answers, the p95 latency, per action and in
all; the posts accepted (2xx/3xx answers) and the rows stored in the
database afterwards. No assertions, but the exit status is 1 if any answer
was a 5xx or the stored rows differ from the accepted posts.
"""

# locust patches the standard library for gevent when imported: it comes first.
import argparse
import os
import random
import signal
import string
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import gevent
import greenlet
from locust import FastHttpUser, between, events, task
from locust.env import Environment
from locust.log import setup_logging

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bench._common import describe_machine, say, version_of  # noqa: E402
from bench.serving import (  # noqa: E402
    SEED_PAGE,
    Running,
    bench_env,
    check_connection_budget,
    claim_redis_index,
    clean_up,
    count_feedback_rows,
    create_database,
    page_details,
    prepare_site,
    start_app_server,
)

HOME_PAGE = "/"
TOPIC_PAGE = "/online-safety/"
SEARCHES = ["sexting", "grooming", "report", "police", "help", "phone", "school", "CEOP"]
RUN_WORD = "".join(random.choices(string.ascii_lowercase, k=10))


class Tally:
    """What the summary needs beyond locust's own statistics."""

    accepted_posts = 0
    refused_posts = 0  # 429: over the rate limit
    server_errors = 0  # 5xx of any request
    next_visitor = 0


@events.request.add_listener
def count_server_errors(response=None, **_kwargs):
    if response is not None and (response.status_code or 0) >= 500:
        Tally.server_errors += 1


class Visitor(FastHttpUser):
    """One anonymous visitor, with an address of its own behind the load balancer."""

    wait_time = between(1, 3)
    page_id = None  # the seed page's, set before the run

    def on_start(self):
        Tally.next_visitor += 1
        self.number = Tally.next_visitor
        address = f"10.{self.number // 65536 % 256}.{self.number // 256 % 256}.{self.number % 256}"
        self.headers = {"X-Forwarded-For": address}
        self.posts = 0

    def view(self, path, name=None):
        with self.client.get(path, headers=self.headers, name=name, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(describe_failure(answer))

    @task(3)
    def home(self):
        self.view(HOME_PAGE)

    @task(2)
    def topic(self):
        self.view(TOPIC_PAGE)

    @task(4)
    def seed_page(self):
        self.view(SEED_PAGE)

    @task(2)
    def search(self):
        self.view(f"/search/?q={random.choice(SEARCHES)}", name="/search/?q=...")

    @task(1)
    def feedback(self):
        self.posts += 1
        comment = f"load {RUN_WORD} visitor {self.number} answer {self.posts}"
        body = urlencode(
            {"page": self.page_id, "useful": "no", "reason": "", "comment": comment, "giraffe": ""}
        )
        headers = {
            **self.headers,
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "Origin": self.host,
        }
        with self.client.post(
            "/feedback/", data=body, headers=headers, catch_response=True
        ) as answer:
            if 200 <= answer.status_code < 400:
                Tally.accepted_posts += 1
            elif answer.status_code == 429:
                Tally.refused_posts += 1
                answer.failure("429 over the rate limit")
            else:
                answer.failure(describe_failure(answer))


def describe_failure(answer):
    """The status, or for no answer at all (status 0) the error, such as a reset connection."""
    if answer.status_code:
        return f"{answer.status_code}"
    return f"no answer: {answer.error!r}"


def run_locust(host, users, seconds, spawn_rate):
    """Users for `seconds` (ramp-up included), then each finishes its request."""
    Visitor.host = host
    environment = Environment(user_classes=[Visitor], events=events, stop_timeout=60)
    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=spawn_rate)
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    return environment.stats


def print_stats(stats):
    say(f"{'request':<30}{'requests':>10}{'failures':>10}{'median ms':>11}{'p95 ms':>9}")
    for entry in sorted(stats.entries.values(), key=lambda entry: entry.name):
        say(
            f"{entry.method + ' ' + entry.name:<30}{entry.num_requests:>10,}"
            f"{entry.num_failures:>10,}{entry.median_response_time:>11.0f}"
            f"{entry.get_response_time_percentile(0.95):>9.0f}"
        )
    total = stats.total
    say(
        f"{'all':<30}{total.num_requests:>10,}{total.num_failures:>10,}"
        f"{total.median_response_time:>11.0f}{total.get_response_time_percentile(0.95):>9.0f}"
    )
    for error in stats.errors.values():
        say(f"  failure: {error.method} {error.name}: {error.error} x{error.occurrences}")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200, help="Concurrent visitors.")
    parser.add_argument("--seconds", type=int, default=30, help="Length, ramp-up included.")
    parser.add_argument("--spawn-rate", type=float, default=50, help="Visitors started per second.")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (make serve: 3).")
    parser.add_argument(
        "--threads", type=int, default=8, help="Threads per worker (make serve: 8)."
    )
    parser.add_argument("--redis-db", type=int, default=14, help="An empty Redis db index.")
    return parser.parse_args()


def main():
    args = parse_arguments()
    # A stopped run still stops its server and drops its database (the `finally`).
    main_greenlet = greenlet.getcurrent()

    def exit_on_sigterm():
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the cleanup short
        main_greenlet.throw(SystemExit(143))

    gevent.signal_handler(signal.SIGTERM, exit_on_sigterm)
    setup_logging("WARNING")
    say(describe_machine())
    say(
        f"Server: gunicorn {version_of('gunicorn')}, worker class gthread, {args.workers} "
        f"workers x {args.threads} threads; PostgreSQL and Redis db {args.redis_db}"
    )
    say(
        f"locust {version_of('locust')}: {args.users} users for {args.seconds} s "
        f"(spawn rate {args.spawn_rate:g}/s), 1-3 s between actions"
    )
    claim_redis_index(args.redis_db)
    check_connection_budget(["gunicorn-gthread"], 1, args)
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    database = f"bench_load_{os.getpid()}"
    running = Running()
    create_database(database)
    try:
        env = bench_env(folder, database, args.redis_db, DJANGO_TRUSTED_PROXY_COUNT="1")
        say("Preparing: migrate, load_demo_content, collectstatic ...")
        prepare_site(env)
        port = start_app_server(
            running, "gunicorn-gthread", env, folder / "app.log", args.workers, args.threads
        )
        _, Visitor.page_id = page_details(port)
        rows_before = count_feedback_rows(database)
        started = time.monotonic()
        stats = run_locust(f"http://127.0.0.1:{port}", args.users, args.seconds, args.spawn_rate)
        elapsed = time.monotonic() - started
        stored = count_feedback_rows(database) - rows_before
    finally:
        clean_up(running, database, args.redis_db, folder)

    say()
    say(f"Ran {elapsed:.0f} s ({stats.total.num_requests / elapsed:,.0f} requests/s).")
    print_stats(stats)
    say()
    say(f"Requests: {stats.total.num_requests:,}; failures: {stats.total.num_failures:,}")
    say(f"5xx answers: {Tally.server_errors:,}")
    say(f"p95 latency: {stats.total.get_response_time_percentile(0.95):,.0f} ms")
    say(f"Posts refused by the rate limit (429): {Tally.refused_posts:,}")
    matched = stored == Tally.accepted_posts
    say(
        f"Feedback posts accepted (2xx/3xx): {Tally.accepted_posts:,}; rows stored: {stored:,}; "
        f"stored == accepted: {'yes' if matched else 'NO'}"
    )
    if Tally.server_errors or not matched:
        sys.exit(1)


if __name__ == "__main__":
    main()
