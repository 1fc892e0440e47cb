"""The site through outages: quick exit and the help numbers never wait on a server behind us.

Each test runs gunicorn with production settings, as `make serve` does, and
takes a service away the way real outages do:

- the database unreachable (a refused connection), then back again;
- a database that accepts connections and never answers;
- Redis unreachable, and Redis that never answers.

The real PostgreSQL and Redis are never stopped: the app is pointed at a
closed port, a silent listener, or a proxy (tests/support/faults.py). When
the suite runs on PostgreSQL the database taken away is a real PostgreSQL
database behind that proxy; on SQLite it is a database file whose folder is
moved away and back.
"""

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.faults import SilentListener, closed_port
from tests.support.outages import (
    Database,
    assert_error_page_keeps_exit_and_numbers,
    page_id,
    postgres_database,
    sqlite_database,
    suite_database_url,
)
from tests.support.servers import (
    get,
    manage_ok,
    post_form,
    production_env,
    start_gunicorn,
    stop,
)

pytestmark = pytest.mark.slow  # starts gunicorn against databases migrated in a subprocess

SEED_PAGE = "/online-safety/sexting/"
NEUTRAL_URL = "https://neutral.example/weather"
BUILT_IN_NEUTRAL_URL = "https://www.bbc.co.uk/weather"
REQUEST_BUDGET_SECONDS = 5
LIVE_BUDGET_SECONDS = 1
SET_NEUTRAL_URL = (
    "from wagtail.models import Site; from guidance.models import SafetySettings; "
    "s = SafetySettings.for_site(Site.objects.get(is_default_site=True)); "
    f"s.neutral_exit_url = {NEUTRAL_URL!r}; s.save()"
)
ERROR_PATHS = ["/", SEED_PAGE, "/no-such-page/", "/search/?q=help"]


@dataclass
class App:
    port: int
    database: Database
    log_path: Path
    env: dict

    def log(self):
        return self.log_path.read_text()


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_databases, collected_static):
    """The demo site on gunicorn, with a database the tests can take away."""
    tmp_path = tmp_path_factory.mktemp("outages")
    is_postgres = suite_database_url().startswith(("postgres://", "postgresql://"))
    database = postgres_database(tmp_path) if is_postgres else sqlite_database(tmp_path)
    # A new database connection per request, so SQLite notices its file has gone;
    # no page cache, so every page here is rendered (cached pages: cached_app).
    env = production_env(
        tmp_path,
        DATABASE_URL=database.url,
        DATABASE_CONN_MAX_AGE="0",
        PAGE_CACHE_MAX_AGE="0",
        DJANGO_STATIC_ROOT=collected_static,
    )
    try:
        demo_databases.fill(database.url)  # migrated, with the demo content
        manage_ok("shell", "-c", SET_NEUTRAL_URL, env=env)
        process, port = start_gunicorn(env, tmp_path / "gunicorn.log")
        try:
            yield App(port, database, tmp_path / "gunicorn.log", env)
        finally:
            stop(process)
    finally:
        database.up()
        for cleanup in database.cleanup:
            cleanup()


@pytest.fixture
def database_down(app):
    """The database is unreachable for the test, and back afterwards."""
    status, _, _ = get(app.port, "/exit/")  # the app learns the neutral URL while it can
    assert status == 303
    app.database.down()
    yield
    app.database.up()


def serve_broken(tmp_path, collected_static, **env_overrides):
    """gunicorn as `make serve` runs it (3 workers of 8 threads), with broken services."""
    env = production_env(tmp_path, DJANGO_STATIC_ROOT=collected_static, **env_overrides)
    return start_gunicorn(env, tmp_path / "gunicorn.log", workers=3, threads=8)


def timed_get(port, path, **kwargs):
    started = time.monotonic()
    status, headers, body = get(port, path, **kwargs)
    return status, headers, body, time.monotonic() - started


def feedback_fields(page):
    return {"page": page, "useful": "no", "comment": "Too long to read on my phone."}


def assert_quick_exit_leaves(port, expected_url):
    status, headers, _, took = timed_get(port, "/exit/")
    assert status == 303
    assert headers["Location"] == expected_url
    assert headers["Clear-Site-Data"] == '"cache", "storage"'
    assert headers["Cache-Control"] == "no-store"
    assert took < REQUEST_BUDGET_SECONDS


# --- Database unreachable -------------------------------------------------


def test_database_down_pages_answer_503_with_quick_exit_and_999(app, database_down):
    for path in ERROR_PATHS:
        status, headers, body, took = timed_get(app.port, path)

        assert status == 503, f"{path}: {status}\n{app.log()[-3000:]}"
        assert took < REQUEST_BUDGET_SECONDS, path
        assert headers["Retry-After"]
        assert headers["Cache-Control"] == "no-store"
        assert "Content-Security-Policy" in headers
        assert_error_page_keeps_exit_and_numbers(body)


def test_database_down_quick_exit_uses_the_last_known_neutral_url(app, database_down):
    assert_quick_exit_leaves(app.port, NEUTRAL_URL)


def test_database_down_feedback_is_refused_with_503_and_nothing_stored(app):
    _, _, body = get(app.port, SEED_PAGE)
    page = page_id(body.decode())
    before = app.database.count_feedback()
    app.database.down()
    try:
        status, headers, body = post_form(app.port, "/feedback/", feedback_fields(page))
    finally:
        app.database.up()

    assert status == 503
    assert headers["Retry-After"]
    assert b"could not save your feedback" in body
    assert_error_page_keeps_exit_and_numbers(body)
    assert app.database.count_feedback() == before


def test_service_comes_back_by_itself_when_the_database_returns(app):
    _, _, body = get(app.port, SEED_PAGE)
    page = page_id(body.decode())
    app.database.down()
    assert get(app.port, SEED_PAGE)[0] == 503
    assert get(app.port, "/health/ready/")[0] == 503
    assert get(app.port, "/health/live/")[0] == 200
    app.database.up()
    before_return = app.database.count_feedback()

    status, _, body = get(app.port, SEED_PAGE)
    assert status == 200, app.log()[-3000:]
    assert b"Know the law" in body
    assert get(app.port, "/health/ready/")[0] == 200
    status, _, _ = post_form(app.port, "/feedback/", feedback_fields(page))
    assert status == 303
    assert app.database.count_feedback() == before_return + 1


@pytest.fixture(scope="module")
def cached_app(app, tmp_path_factory):
    """A second app server on the same database, with the page cache on (1 s max age)."""
    tmp_path = tmp_path_factory.mktemp("cached")
    env = {**app.env, "PAGE_CACHE_MAX_AGE": "1"}
    process, port = start_gunicorn(env, tmp_path / "gunicorn.log", workers=1)
    try:
        yield port
    finally:
        stop(process)


def test_database_down_a_cached_page_is_still_served_past_its_age(app, cached_app):
    status, headers, _ = get(cached_app, SEED_PAGE)
    assert status == 200
    assert "stale-if-error=" in headers["Cache-Control"]
    app.database.down()
    try:
        time.sleep(1.5)  # past max-age=1
        status, headers, body, took = timed_get(cached_app, SEED_PAGE)
        uncached_status = get(cached_app, "/online-safety/")[0]  # never fetched: not cached
    finally:
        app.database.up()

    assert status == 200
    assert b"Know the law" in body
    assert "stale-if-error=86400" in headers["Cache-Control"]
    assert int(headers["Age"]) >= 1
    assert took < REQUEST_BUDGET_SECONDS
    assert uncached_status == 503


# --- Database that never answers ------------------------------------------


@pytest.fixture(scope="module")
def hanging_database_app(tmp_path_factory, collected_static):
    tmp_path = tmp_path_factory.mktemp("hanging-database")
    with SilentListener() as silent:
        process, port = serve_broken(
            tmp_path,
            collected_static,
            DATABASE_URL=f"postgres://portal@127.0.0.1:{silent.port}/portal",
        )
        try:
            yield port
        finally:
            stop(process)


def test_hanging_database_every_request_ends_in_time_and_live_answers_at_once(
    hanging_database_app,
):
    port = hanging_database_app
    results = []

    def visit(path):
        results.append((path, *timed_get(port, path, timeout=30)))

    # Fewer visitors than one worker has threads: a gthread worker may accept
    # them all, and the liveness check must still find a free thread.
    paths = [*ERROR_PATHS, SEED_PAGE, "/"]
    visitors = [threading.Thread(target=visit, args=(path,)) for path in paths]
    for visitor in visitors:
        visitor.start()
    time.sleep(0.3)  # the visitors are now waiting on the database
    live_status, _, _, live_took = timed_get(port, "/health/live/")
    for visitor in visitors:
        visitor.join()

    assert live_status == 200
    assert live_took < LIVE_BUDGET_SECONDS
    for path, status, _, body, took in results:
        assert status == 503, path
        assert took < REQUEST_BUDGET_SECONDS, (path, took)
        assert_error_page_keeps_exit_and_numbers(body)


def test_hanging_database_quick_exit_and_feedback_end_in_time(hanging_database_app):
    port = hanging_database_app
    # This server never reached its database, so it knows only the built-in URL.
    assert_quick_exit_leaves(port, BUILT_IN_NEUTRAL_URL)

    started = time.monotonic()
    status, _, body = post_form(port, "/feedback/", feedback_fields("1"))
    assert status == 503
    assert time.monotonic() - started < REQUEST_BUDGET_SECONDS
    assert_error_page_keeps_exit_and_numbers(body)


def test_hanging_database_readiness_fails_in_time(hanging_database_app):
    status, _, _, took = timed_get(hanging_database_app, "/health/ready/")

    assert status == 503
    assert took < REQUEST_BUDGET_SECONDS


# --- Redis unreachable or hanging -----------------------------------------


@pytest.fixture(scope="module", params=["refused", "hanging"])
def redis_down_app(request, tmp_path_factory, demo_databases, collected_static):
    """The demo site with REDIS_URL pointing at a Redis that is not there, or never answers."""
    tmp_path = tmp_path_factory.mktemp(f"redis-{request.param}")
    env = production_env(tmp_path, DJANGO_STATIC_ROOT=collected_static)
    demo_databases.fill(env["DATABASE_URL"])  # migrated, with the demo content
    manage_ok("shell", "-c", SET_NEUTRAL_URL, env=env)
    with SilentListener() as silent:
        redis_port = closed_port() if request.param == "refused" else silent.port
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        process, port = start_gunicorn(env, tmp_path / "gunicorn.log", workers=1, threads=8)
        try:
            yield port, tmp_path / "gunicorn.log"
        finally:
            stop(process)


def test_redis_down_pages_feedback_and_admin_work_without_a_500(redis_down_app):
    port, log_path = redis_down_app
    for path in ["/", SEED_PAGE, "/search/?q=sexting", "/admin/login/", "/health/live/"]:
        status, _, _, took = timed_get(port, path)
        assert status == 200, f"{path}: {status}\n{log_path.read_text()[-3000:]}"
        assert took < REQUEST_BUDGET_SECONDS, path
    status, _, _ = get(port, "/no-such-page/")
    assert status == 404

    # The rate limit fails open (docs/feedback_privacy.md): the answer is stored.
    _, _, body = get(port, SEED_PAGE)
    status, headers, _ = post_form(port, "/feedback/", feedback_fields(page_id(body.decode())))
    assert status == 303
    assert urlsplit(headers["Location"]).path.startswith("/feedback/thanks/")
    assert "Feedback rate limit unavailable" in log_path.read_text()

    # Readiness tells the load balancer the cache is failing.
    status, _, body = get(port, "/health/ready/")
    assert status == 503
    assert b'"cache": "failing"' in body


def test_redis_down_quick_exit_leaves_for_the_neutral_url(redis_down_app):
    port, _ = redis_down_app

    assert_quick_exit_leaves(port, NEUTRAL_URL)


def test_database_and_redis_both_down_quick_exit_still_leaves(tmp_path, collected_static):
    with SilentListener() as silent_db, SilentListener() as silent_redis:
        process, port = serve_broken(
            tmp_path,
            collected_static,
            DATABASE_URL=f"postgres://portal@127.0.0.1:{silent_db.port}/portal",
            REDIS_URL=f"redis://127.0.0.1:{silent_redis.port}/0",
        )
        try:
            assert_quick_exit_leaves(port, BUILT_IN_NEUTRAL_URL)
            status, _, body, took = timed_get(port, SEED_PAGE)
            assert status == 503
            assert took < REQUEST_BUDGET_SECONDS
            assert_error_page_keeps_exit_and_numbers(body)
        finally:
            stop(process)
