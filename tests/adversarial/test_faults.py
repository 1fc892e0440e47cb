"""T17–T20, T22: the site against real services that fail, hang, lock or migrate.

The demo site runs on gunicorn with production settings, on a database of
the suite's kind (a fresh PostgreSQL database on the suite's server, or a
SQLite file) and on real Redis (database `REDIS_DB`), each reached through
a `TcpProxy` that the tests switch off and on. The real PostgreSQL and
Redis are never stopped: other work shares them. Hung services are
`SilentListener`s; a slow database is a real lock held from a second
connection. Everything taken away is given back in a `finally`.

Tests assert what a visitor or an operator would notice: status codes,
pages, rows, log lines. Requests carry generous socket timeouts so that a
hang fails the test instead of stalling the suite; no test asserts a time.
"""

import contextlib
import re
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
import psycopg2
import pytest
import redis
from psycopg2 import sql

from tests.support.faults import SilentListener, TcpProxy
from tests.support.outages import (
    assert_error_page_keeps_exit_and_numbers,
    page_id,
    postgres_database,
    sqlite_database,
    suite_database_url,
)
from tests.support.servers import (
    BASE_DIR,
    free_port,
    get,
    manage,
    manage_ok,
    post_form,
    production_env,
    start_gunicorn,
    stop,
    wait_until_serving,
)
from tests.support.staff_browser import StaffBrowser

pytestmark = pytest.mark.slow  # starts gunicorn, proxies and a second release; migrates

REDIS_DB = 12  # tests/test_scale_out.py uses 11
SEED_PAGE = "/online-safety/sexting/"
NEVER_VISITED_PAGE = "/online-safety/online-grooming/"
WORKERS, THREADS = 2, 8
STAFF = "fault.officer"
STAFF_PASSWORD = "a long enough password for the fault tests"
CREATE_STAFF = (
    "from django.contrib.auth import get_user_model; "
    f"get_user_model().objects.create_superuser({STAFF!r}, 'officer@example.org', "
    f"{STAFF_PASSWORD!r})"
)
IS_POSTGRES = suite_database_url().startswith(("postgres://", "postgresql://"))


@dataclass
class Stack:
    port: int
    env: dict
    database: object  # tests.support.outages.Database
    redis_proxy: TcpProxy
    log_path: Path
    name: str  # the PostgreSQL database's name ("" on SQLite)

    def log(self):
        return self.log_path.read_text()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, collected_static, demo_databases):
    """The demo site on gunicorn, its database and Redis each behind a switchable proxy."""
    tmp_path = tmp_path_factory.mktemp("faults")
    database = postgres_database(tmp_path) if IS_POSTGRES else sqlite_database(tmp_path)
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    client.flushdb()
    redis_proxy = TcpProxy("127.0.0.1", 6379)
    env = production_env(
        tmp_path,
        DATABASE_URL=database.url,
        DATABASE_CONN_MAX_AGE="0",  # a new connection per request: SQLite notices its file went
        REDIS_URL=f"redis://127.0.0.1:{redis_proxy.port}/{REDIS_DB}",
        PAGE_CACHE_MAX_AGE="1",  # so a page is soon past its age, served only stale
        FEEDBACK_RATE_LIMIT_PER_MINUTE="1000",  # every post here comes from 127.0.0.1
        DJANGO_STATIC_ROOT=collected_static,
    )
    try:
        demo_databases.fill(database.url)  # migrated, with the demo content
        manage_ok("shell", "-c", CREATE_STAFF, env=env)
        log_path = tmp_path / "gunicorn.log"
        process, port = start_gunicorn(env, log_path, workers=WORKERS, threads=THREADS)
        try:
            name = dj_database_url.parse(database.url)["NAME"] if IS_POSTGRES else ""
            yield Stack(port, env, database, redis_proxy, log_path, name)
        finally:
            stop(process)
    finally:
        database.up()
        redis_proxy.close()
        for cleanup in database.cleanup:
            cleanup()
        client.flushdb()
        client.close()


@pytest.fixture(scope="module")
def hung_services(tmp_path_factory, stack):
    """A second app server on the same site whose database or Redis accepts and never answers."""
    servers = {}
    with contextlib.ExitStack() as running:
        for broken in ("database", "redis"):
            silent = running.enter_context(SilentListener())
            tmp_path = tmp_path_factory.mktemp(f"hung-{broken}")
            env = dict(stack.env)
            if broken == "database":
                env["DATABASE_URL"] = f"postgres://portal@127.0.0.1:{silent.port}/portal"
                del env["REDIS_URL"]  # its own empty page cache: no page was ever rendered
            else:
                env["REDIS_URL"] = f"redis://127.0.0.1:{silent.port}/0"
            process, port = start_gunicorn(env, tmp_path / "gunicorn.log", workers=1, threads=8)
            running.callback(stop, process)
            servers[broken] = (port, tmp_path / "gunicorn.log")
        yield servers


def feedback(page, comment):
    return {"page": page, "useful": "no", "comment": comment}


def seed_page_id(port):
    status, _, body = get(port, SEED_PAGE, timeout=30)
    assert status == 200
    return page_id(body.decode())


def wait_until_ready(port, timeout=60):
    """Readiness, polled: Redis is left alone for a few seconds after it failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if get(port, "/health/ready/", timeout=30)[0] == 200:
            return
        time.sleep(0.5)
    pytest.fail("the site did not become ready again")


@contextlib.contextmanager
def taken_away(down, up):
    down()
    try:
        yield
    finally:
        up()


def under_fault(stack, hung_services, service, fault):
    """(port, log, outage): the stack with `service` refused, or the server where it hangs."""
    if fault == "refused":
        proxy = stack.database if service == "database" else None
        down, up = (
            (proxy.down, proxy.up)
            if proxy
            else (stack.redis_proxy.refuse, stack.redis_proxy.forward)
        )
        return stack.port, stack.log, taken_away(down, up)
    port, log_path = hung_services[service]
    return port, log_path.read_text, contextlib.nullcontext()


# --- T17: database down, reads ---------------------------------------------


@pytest.mark.parametrize("fault", ["refused", "hanging"])
def test_t17_database_down_reads(stack, hung_services, fault, tally):
    port, log, outage = under_fault(stack, hung_services, "database", fault)
    if fault == "refused":
        assert get(port, SEED_PAGE, timeout=30)[0] == 200  # in the page cache now

    with outage:
        if fault == "refused":
            time.sleep(1.5)  # past its max-age: only stale-if-error may serve it now
            status, headers, body = get(port, SEED_PAGE, timeout=30)
            assert status == 200, log()[-3000:]
            assert b"Know the law" in body
            assert "stale-if-error" in headers["Cache-Control"]
        for path in (NEVER_VISITED_PAGE, "/", "/search/?q=grooming", "/no-such-page/"):
            status, headers, body = get(port, path, timeout=30)
            assert status == 503, (path, status, log()[-3000:])
            assert headers["Retry-After"]
            assert headers["Cache-Control"] == "no-store"
            assert_error_page_keeps_exit_and_numbers(body)
        assert get(port, "/health/ready/", timeout=30)[0] == 503
        assert get(port, "/health/live/", timeout=30)[0] == 200
        assert get(port, "/exit/", timeout=30)[0] == 303

    if fault == "refused":
        status, _, body = get(port, NEVER_VISITED_PAGE, timeout=30)
        assert status == 200, "the site did not come back by itself"
        assert get(port, "/health/ready/", timeout=30)[0] == 200
    tally.survived()


# --- T18: database down, feedback ------------------------------------------


@pytest.mark.parametrize("fault", ["refused", "hanging"])
def test_t18_database_down_feedback(stack, hung_services, fault, tally):
    page = seed_page_id(stack.port)
    before = stack.database.count_feedback()
    comment = f"My secret comment {secrets.token_hex(4)} must not reach the log"
    port, log, outage = under_fault(stack, hung_services, "database", fault)

    with outage:
        answers = [
            post_form(port, "/feedback/", feedback(page, comment), timeout=30),
            post_form(
                port,
                "/feedback/",
                feedback(page, comment),
                headers={"Accept": "application/json"},
                timeout=30,
            ),
        ]
    for status, headers, body in answers:
        assert status == 503, (status, log()[-3000:])
        assert headers["Retry-After"]
        assert b"could not save your feedback" in body
        assert b"Thank you" not in body and b"thank you" not in body
    assert_error_page_keeps_exit_and_numbers(answers[0][2])
    assert stack.database.count_feedback() == before, "a refused answer was stored"
    assert comment not in log(), "the comment reached the log"

    status, headers, _ = post_form(stack.port, "/feedback/", feedback(page, comment), timeout=30)
    assert status == 303, "the next answer after the database returned was refused"
    stored = stack.database.count_feedback() - before
    assert stored == 1
    tally.survived()
    tally.responses(accepted=1, stored=stored)


# --- T19: Redis down ---------------------------------------------------------


def sign_in(port, password):
    browser = StaffBrowser(port)
    token = browser.csrf_token("/admin/login/")
    fields = {
        "csrfmiddlewaretoken": token,
        "username": STAFF,
        "password": password,
        "next": "/admin/",
    }
    return browser.send("POST", "/admin/login/", fields)


@pytest.mark.parametrize("fault", ["refused", "hanging"])
def test_t19_redis_down_rate_limit_fails_open(stack, hung_services, fault, tally):
    """The documented decision (docs/security.md): the feedback rate limit fails open."""
    page = seed_page_id(stack.port)
    before = stack.database.count_feedback()
    port, log, outage = under_fault(stack, hung_services, "redis", fault)

    accepted = 0
    with outage:
        for path in ("/", SEED_PAGE, "/search/?q=sexting", "/admin/login/", "/health/live/"):
            status, _, _ = get(port, path, timeout=30)
            assert status == 200, (path, status, log()[-3000:])
        assert get(port, "/no-such-page/", timeout=30)[0] == 404
        for number in range(3):
            status, headers, _ = post_form(
                port, "/feedback/", feedback(page, f"Redis {fault} {number}"), timeout=30
            )
            assert status == 303, (status, log()[-3000:])
            assert headers["Location"].startswith("/feedback/thanks/")
            accepted += 1
        assert "Feedback rate limit unavailable" in log()
        status, _, body = get(port, "/health/ready/", timeout=30)
        assert status == 503
        assert b'"cache": "failing"' in body
        if fault == "refused":
            # The login lockout keeps its counts in the database: it still locks.
            for attempt in range(5):
                status, _, body = sign_in(port, "wrong password")
                assert status == (200 if attempt < 4 else 429), (attempt, status)
            status, headers, body = sign_in(port, STAFF_PASSWORD)
            assert status == 429, status
            assert b"Too many failed sign-in attempts" in body

    stored = stack.database.count_feedback() - before
    assert stored == accepted
    if fault == "refused":
        wait_until_ready(port)  # Redis back: ready again, with no restart
    tally.survived()
    tally.responses(accepted=accepted, stored=stored)


# --- T20: slow database ------------------------------------------------------


def server_connection(stack, dbname=None):
    server = dj_database_url.parse(suite_database_url())
    connection = psycopg2.connect(
        host=server["HOST"] or "127.0.0.1",
        port=server["PORT"] or 5432,
        user=server["USER"],
        dbname=dbname or stack.name,
    )
    connection.autocommit = True
    return connection


def connections_to(watcher, name):
    with watcher.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        return cursor.fetchone()[0]


@contextlib.contextmanager
def feedback_table_locked(stack):
    """A real lock on the feedback table, held from a second connection until the block ends.

    PostgreSQL: `LOCK TABLE ... IN ACCESS EXCLUSIVE MODE`, which the app's
    insert waits on for lock_timeout. SQLite: `BEGIN EXCLUSIVE` on the file,
    which every query of the app waits on for its busy timeout (the
    database's `timeout` option, DATABASE_LOCK_TIMEOUT_MS: 3 s).
    """
    if IS_POSTGRES:
        holder = server_connection(stack)
        holder.autocommit = False
        statement = "LOCK TABLE feedback_feedbackresponse IN ACCESS EXCLUSIVE MODE"
    else:
        holder = sqlite3.connect(dj_database_url.parse(stack.database.url)["NAME"])
        holder.isolation_level = None  # no implicit transactions: ours is explicit
        statement = "BEGIN EXCLUSIVE"
    try:
        holder.cursor().execute(statement)
        yield
    finally:
        holder.rollback()
        holder.close()


def test_t20_slow_database_posts_end_in_503_and_the_pool_holds(stack, tally):
    page = seed_page_id(stack.port)
    assert get(stack.port, SEED_PAGE, timeout=30)[0] == 200  # cached for visitors
    before = stack.database.count_feedback()
    posts = 50
    answers, most_connections = [], [0]
    watcher = server_connection(stack, dbname="postgres") if IS_POSTGRES else None
    try:
        with feedback_table_locked(stack):

            def send(number):
                fields = feedback(page, f"Slow {number}")
                answers.append(post_form(stack.port, "/feedback/", fields, timeout=90))

            senders = [threading.Thread(target=send, args=(n,)) for n in range(posts)]
            for sender in senders:
                sender.start()
            # While the posts wait on the lock: visitors, the liveness check, the pool.
            cached = get(stack.port, SEED_PAGE, timeout=30)
            live = get(stack.port, "/health/live/", timeout=30)
            while any(sender.is_alive() for sender in senders):
                if watcher is not None:
                    seen = connections_to(watcher, stack.name)
                    most_connections[0] = max(most_connections[0], seen)
                time.sleep(0.2)
            for sender in senders:
                sender.join()
        assert cached[0] == 200 and b"Know the law" in cached[2]
        assert live[0] == 200
        statuses = sorted(status for status, _, _ in answers)
        assert statuses == [503] * posts, statuses
        for _, headers, body in answers:
            assert headers["Retry-After"]
            assert b"could not save your feedback" in body
        # One held lock: the app's connections stay within its threads, plus the holder.
        assert most_connections[0] <= WORKERS * THREADS + 1, most_connections[0]
        assert stack.database.count_feedback() == before, "a post that failed left a row"
        status, _, _ = post_form(stack.port, "/feedback/", feedback(page, "After the lock"))
        assert status == 303
        assert stack.database.count_feedback() == before + 1
    finally:
        if watcher is not None:
            watcher.close()
    tally.survived()
    tally.responses(accepted=1, stored=1)


# --- T22: migrations under load ----------------------------------------------


class Traffic:
    """Visitors reading and posting feedback in the background, counting every answer."""

    def __init__(self, port, page):
        self.port, self.page = port, page
        self.answers = []  # (what, status), appended by every visitor thread
        self.run = secrets.token_hex(4)
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._visit, args=(n,)) for n in range(4)]

    def _visit(self, number):
        paths = ["/", SEED_PAGE, NEVER_VISITED_PAGE, "/search/?q=help", "/health/live/"]
        count = 0
        while not self._stop.is_set():
            count += 1
            if count % 3 == 0:
                # Each comment its own: a repeat within 5 minutes is dropped on purpose.
                comment = f"During the migration {self.run} {number} {count}"
                status = post_form(self.port, "/feedback/", feedback(self.page, comment))[0]
                self.answers.append(("POST /feedback/", status))
            else:
                path = paths[count % len(paths)]
                status = get(self.port, path, timeout=30)[0]
                self.answers.append((path, status))

    @property
    def statuses(self):
        return [status for _, status in self.answers]

    @property
    def accepted(self):
        return sum(1 for what, status in self.answers if what.startswith("POST") and status == 303)

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)


def applied_migrations(stack, name):
    with server_connection(stack, dbname=name) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        return cursor.fetchall()


def previous_release(folder):
    """The code as it was before the newest migration was added, from git: its folder."""
    added = subprocess.run(
        ["git", "log", "-1", "--diff-filter=A", "--format=%H", "--", *MIGRATION_FILES],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not added:
        pytest.fail("T22 needs the git history of the migrations (a full clone)")
    folder.mkdir()
    archive = subprocess.run(
        ["git", "archive", f"{added}^"], cwd=BASE_DIR, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def start_old_gunicorn(code, env, log_path):
    """gunicorn serving the previous release's code (its own folder), as start_gunicorn does."""
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "portal.wsgi:application"),
                *("--bind", f"127.0.0.1:{port}", "--worker-class", "gthread"),
                *("--workers", "2", "--threads", "4", "--no-control-socket"),
            ],
            cwd=code,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_until_serving(process, port, log_path)
    return process, port


@pytest.mark.skipif(
    not IS_POSTGRES,
    reason=(
        "PostgreSQL only: it migrates a database while another release's gunicorn serves from "
        "it and a second connection holds a lock against lock_timeout; SQLite locks the whole "
        "file and has no lock_timeout. The migration scan of T22 runs here; this half runs in "
        "the suite's PostgreSQL run (.ci/run)"
    ),
)
def test_t22_migrations_under_load(stack, tmp_path, tally):
    """This release's newest migrations, applied while the previous release serves visitors."""
    code = previous_release(tmp_path / "previous")
    admin = server_connection(stack, dbname="postgres")
    name = f"advmigrate_{secrets.token_hex(4)}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    server = dj_database_url.parse(suite_database_url())
    url = f"postgres://{server['USER']}@{server['HOST'] or '127.0.0.1'}:{server['PORT'] or 5432}"
    env = production_env(
        tmp_path, DATABASE_URL=f"{url}/{name}", PAGE_CACHE_MAX_AGE="0", DATABASE_CONN_MAX_AGE="0"
    )
    env["FEEDBACK_RATE_LIMIT_PER_MINUTE"] = "1000"
    process = None
    try:
        for step in (
            ("migrate", "--noinput"),
            ("load_demo_content",),
            ("collectstatic", "--noinput"),
        ):
            result = manage(*step, env=env, cwd=code)
            assert result.returncode == 0, result.stderr[-2000:]
        process, port = start_old_gunicorn(code, env, tmp_path / "previous.log")
        page = seed_page_id(port)

        def rows():
            with server_connection(stack, dbname=name) as connection, connection.cursor() as cur:
                cur.execute("SELECT count(*) FROM feedback_feedbackresponse")
                return cur.fetchone()[0]

        before = rows()
        shown = manage(
            "shell",
            "-c",
            "from django.db import connection as c; k = c.cursor(); k.execute('SHOW lock_timeout');"
            " print('lock_timeout', k.fetchone()[0])",
            env=env,
        )
        lock_timeout = re.search(r"^lock_timeout (\S+)$", shown.stdout, re.MULTILINE)
        assert lock_timeout, shown.stdout + shown.stderr
        assert lock_timeout.group(1) not in ("0", "0ms"), "manage.py would wait for locks forever"

        # A visitor's open transaction holds locks on every table of ours (as a
        # long report query would): a migration that alters one of them gives
        # up after its lock_timeout, leaves nothing half-done, and the site
        # serves on. SHARE on django_migrations makes even a migration that
        # only changes rows wait, when it records itself, so every release's
        # newest migrations meet a held lock.
        applied_before = applied_migrations(stack, name)
        holder = server_connection(stack, dbname=name)
        holder.autocommit = False
        try:
            with holder.cursor() as cursor:
                cursor.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND ("
                    "tablename LIKE 'guidance%%' OR tablename LIKE 'feedback%%'"
                    " OR tablename = 'wagtailcore_page')"
                )
                for (table,) in cursor.fetchall():
                    cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
                cursor.execute("LOCK TABLE django_migrations IN SHARE MODE")
            with Traffic(port, page) as blocked_traffic:
                blocked = manage("migrate", "--noinput", env=env, timeout=120)
        finally:
            holder.rollback()
            holder.close()
        if "No migrations to apply" not in blocked.stdout:
            assert blocked.returncode != 0, "the migration waited for the lock instead of giving up"
            assert "lock timeout" in blocked.stderr, blocked.stderr[-2000:]
        assert applied_migrations(stack, name) == applied_before, "a migration was half applied"

        with Traffic(port, page) as traffic:
            applied = manage("migrate", "--noinput", env=env, timeout=300)
        assert applied.returncode == 0, applied.stderr[-2000:]
        assert get(port, SEED_PAGE, timeout=30)[0] == 200  # the old code reads the new schema
        log = (tmp_path / "previous.log").read_text()
        for run in (blocked_traffic, traffic):
            assert run.answers, "no traffic was served during the migration"
            server_errors = [(what, status) for what, status in run.answers if status >= 500]
            assert not server_errors, (
                f"{len(server_errors)} answers of {len(run.answers)} were 5xx: "
                f"{set(server_errors)}\n{log[-3000:]}"
            )
        accepted = blocked_traffic.accepted + traffic.accepted
        stored = rows() - before
        assert stored == accepted
    finally:
        if process is not None:
            stop(process)
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    tally.survived(2)
    tally.responses(accepted=accepted, stored=stored)


MIGRATION_FILES = ("guidance/migrations/*.py", "feedback/migrations/*.py")
RISKY_OPERATIONS = ("RemoveField", "RenameField", "DeleteModel", "RenameModel")


def risky_operations():
    """Operations in our apps' migrations that break the release still serving while they run."""
    from django.db.migrations.loader import MigrationLoader
    from django.db.models import NOT_PROVIDED

    loader = MigrationLoader(None, ignore_no_migrations=True)  # the files, not the database
    found = []
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if app not in ("guidance", "feedback"):
            continue
        state = loader.project_state((app, name), at_end=False)
        for operation in migration.operations:
            kind = type(operation).__name__
            if kind in RISKY_OPERATIONS:
                found.append(f"{app}.{name}: {kind}")
            elif kind == "AlterField":
                model = state.models[app, operation.model_name_lower]
                old = model.fields[operation.name]
                new = operation.field
                no_default = not new.has_default() and new.db_default is NOT_PROVIDED
                if old.null and not new.null and no_default:
                    found.append(f"{app}.{name}: AlterField {operation.name} to NOT NULL")
    return found


def test_t22_no_migration_drops_renames_or_forbids_null_without_a_default(tally):
    """What django-migration-linter would flag: the old release must work while the new migrates."""
    found = risky_operations()
    tally.tried()
    assert not found, (
        "These migrations break the release still serving during a deploy: " + "; ".join(found)
    )
