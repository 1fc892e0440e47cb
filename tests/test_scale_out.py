"""Two app servers behind Varnish, sharing PostgreSQL and Redis: docs/deployment.md on one machine.

The module starts what a real deployment runs, each in its own process:

- a fresh PostgreSQL database (made on the suite's server, dropped after),
  reached through a `TcpProxy` so that the last test can take it away;
- Redis database 11 (`REDIS_DB`), flushed before and after;
- two gunicorn app servers, A and B, with production settings, the same
  database and Redis, and `FRONTEND_CACHE_HTTP_URL` pointing at Varnish;
- Varnish with deploy/varnish.vcl, unchanged, in front of both: the test
  writes only the `backends.vcl` it includes (A and B in a round-robin
  director, as in deploy/backends.vcl.example), in the folder it gives
  Varnish as `vcl_path`.

Staff publish through server A's admin over HTTP, as a browser does: log in,
two-factor code, then the edit forms. Visitors read through Varnish and
through server B. Last, the database is taken away, then the app servers.

Needs PostgreSQL, Redis and Varnish (`varnishd`): marked `scale_out`, so
tests/conftest.py deselects it when the suite runs on SQLite. Varnish runs
in the foreground as the invoking user (`-j none`), with its own port and
working folder, so a Varnish service the package may have started on the
machine is left alone.
"""

import contextlib
import csv
import http.client
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
import psycopg2
import pytest
import redis
from django_otp.oath import totp

from tests.support.faults import TcpProxy
from tests.support.servers import (
    BASE_DIR,
    free_port,
    get,
    manage_ok,
    post_form,
    production_env,
    request,
    start_gunicorn,
    stop,
)
from tests.support.staff_browser import StaffBrowser

pytestmark = [pytest.mark.scale_out, pytest.mark.slow]

SEED_PAGE = "/online-safety/sexting/"
TOPIC_PAGE = "/online-safety/"
NEVER_VISITED_PAGE = "/online-safety/online-grooming/"
VCL = BASE_DIR / "deploy" / "varnish.vcl"
REDIS_DB = 11
RATE_LIMIT = 6
EDITOR = "scale.editor"
EDITOR_PASSWORD = "a long enough password for the test"
STARTUP_TIMEOUT = 30


# --- The services -----------------------------------------------------------


@dataclass
class Database:
    url: str  # through the proxy
    proxy: TcpProxy


@pytest.fixture(scope="module")
def database():
    """A fresh PostgreSQL database on the suite's server, behind a proxy that can refuse."""
    server = dj_database_url.parse(os.environ["DATABASE_URL"])
    host, port, user = server["HOST"] or "127.0.0.1", int(server["PORT"] or 5432), server["USER"]
    name = f"scale_out_{secrets.token_hex(4)}"
    admin = psycopg2.connect(host=host, port=port, user=user, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    proxy = TcpProxy(host, port)
    try:
        yield Database(f"postgres://{user}@127.0.0.1:{proxy.port}/{name}", proxy)
    finally:
        proxy.close()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="module")
def redis_url():
    """Redis database REDIS_DB, empty at the start and emptied at the end."""
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    client.flushdb()
    try:
        yield f"redis://127.0.0.1:6379/{REDIS_DB}"
    finally:
        client.flushdb()
        client.close()


BACKEND = """
backend app{index} {{
    .host = "127.0.0.1";
    .port = "{port}";
    .host_header = "127.0.0.1";
    .probe = app_live;
}}
"""


def backends_vcl(ports):
    """What deploy/backends.vcl.example holds, for app servers on these local ports."""
    backends = "".join(BACKEND.format(index=index, port=port) for index, port in enumerate(ports))
    adds = "".join(f"    app.add_backend(app{index});\n" for index in range(len(ports)))
    return (
        f"vcl 4.1;\n{backends}\nsub vcl_init {{\n    new app = directors.round_robin();\n{adds}}}\n"
    )


def start_varnish(folder, port, backend_ports):
    """varnishd in the foreground: deploy/varnish.vcl as it is, and a generated backends.vcl."""
    (folder / "backends.vcl").write_text(backends_vcl(backend_ports))
    log_path = folder / "varnishd.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                shutil.which("varnishd") or "/usr/sbin/varnishd",
                "-F",  # foreground: stopped with the test
                "-j",
                "none",  # no privilege drop: as root it would not read pytest's folders
                "-a",
                f"127.0.0.1:{port}",
                "-f",
                str(VCL),
                "-p",
                f"vcl_path={folder}",  # where `include "backends.vcl"` looks
                "-n",
                str(folder / "work"),
                "-s",
                "malloc,64m",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"varnishd exited with {process.returncode}:\n{log_path.read_text()}")
        with contextlib.suppress(OSError):
            if get(port, "/health/live/")[0] == 200:
                return process
        time.sleep(0.25)
    stop(process)
    pytest.fail(f"Varnish did not answer within {STARTUP_TIMEOUT}s:\n{log_path.read_text()}")


@dataclass
class Stack:
    a: int  # app server ports
    b: int
    varnish: int
    env: dict
    totp_key: str
    topic_page_id: int
    nspcc_id: int
    folder: Path
    processes: dict  # the app servers' gunicorn processes, by name


CREATE_EDITOR = """
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
from guidance.models import SignpostingContact
from wagtail.models import Page
user = get_user_model().objects.create_superuser({user!r}, "editor@example.org", {password!r})
TOTPDevice.objects.create(user=user, name="Phone", confirmed=True, key={key!r})
print(
    "ids:",
    Page.objects.get(url_path="/home/online-safety/").pk,
    SignpostingContact.objects.get(name="NSPCC helpline").pk,
)
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory, database, redis_url, demo_databases, collected_static):
    """The demo site on app servers A and B, Varnish in front, one database, one Redis."""
    folder = tmp_path_factory.mktemp("scale-out")
    env = production_env(
        folder,
        DATABASE_URL=database.url,
        REDIS_URL=redis_url,
        DJANGO_TRUSTED_PROXY_COUNT="1",  # Varnish appends the visitor's address
        FEEDBACK_RATE_LIMIT_PER_MINUTE=str(RATE_LIMIT),
        # Generous waits for a busy machine (the database is reached through a
        # proxy in this process); the outage below is a refused connection,
        # which fails at once whatever these say.
        DATABASE_CONNECT_TIMEOUT="10",
        DATABASE_STATEMENT_TIMEOUT_MS="15000",
    )
    env["DJANGO_STATIC_ROOT"] = collected_static
    demo_databases.fill(database.url)  # migrated, with the demo content
    totp_key = secrets.token_hex(20)
    created = manage_ok(
        "shell",
        "-c",
        CREATE_EDITOR.format(user=EDITOR, password=EDITOR_PASSWORD, key=totp_key),
        env=env,
    )
    ids = re.search(r"^ids: (\d+) (\d+)$", created.stdout, re.MULTILINE).groups()
    topic_page_id, nspcc_id = map(int, ids)

    varnish_port = free_port()
    env["FRONTEND_CACHE_HTTP_URL"] = f"http://127.0.0.1:{varnish_port}"
    with contextlib.ExitStack() as running:
        ports, processes = [], {}
        # The servers running at the end: a test may have replaced one.
        running.callback(lambda: [stop(process) for process in processes.values()])
        for name in ("a", "b"):
            processes[name], port = start_gunicorn(env, folder / f"gunicorn-{name}.log")
            ports.append(port)
        running.callback(stop, start_varnish(folder, varnish_port, ports))
        yield Stack(*ports, varnish_port, env, totp_key, topic_page_id, nspcc_id, folder, processes)


@pytest.fixture(autouse=True)
def both_app_servers_up(stack):
    """Each test starts with A and B serving: the outage tests below stop them.

    A stopped server is started again on its port, where Varnish looks for it.
    """
    for name, port in (("a", stack.a), ("b", stack.b)):
        if stack.processes[name].poll() is not None:
            stack.processes[name], _ = start_gunicorn(
                stack.env, stack.folder / f"gunicorn-{name}.log", port=port
            )


def logs(stack):
    return "\n".join(
        f"--- {path.name}\n{path.read_text()[-3000:]}"
        for path in sorted(stack.folder.glob("*.log"))
    )


# --- Staff in the admin, over HTTP ----------------------------------------


@pytest.fixture(scope="module")
def editor(stack):
    """A superuser signed in on server A: password, then the code from their authenticator app."""
    browser = StaffBrowser(stack.a)
    token = browser.csrf_token("/admin/login/")
    status, headers, _ = browser.send(
        "POST",
        "/admin/login/",
        {
            "csrfmiddlewaretoken": token,
            "username": EDITOR,
            "password": EDITOR_PASSWORD,
            "next": "/admin/",
        },
    )
    assert (status, headers["Location"]) == (302, "/admin/")
    status, headers, _ = browser.send("GET", "/admin/")
    assert status == 302
    assert headers["Location"].startswith("/admin/two-factor/")

    code = f"{totp(bytes.fromhex(stack.totp_key)):06d}"  # as the authenticator app shows it
    token = browser.csrf_token(headers["Location"])
    status, headers, _ = browser.send(
        "POST", "/admin/two-factor/", {"csrfmiddlewaretoken": token, "code": code}
    )
    assert (status, headers["Location"]) == (302, "/admin/")
    assert browser.send("GET", "/admin/")[0] == 200
    return browser


# --- Visitors -------------------------------------------------------------


def visit(port, path, **headers):
    status, response_headers, body = get(port, path, headers=headers)
    return status, response_headers, body.decode()


def page_id(html):
    return re.search(r'name="page" value="(\d+)"', html).group(1)


def assert_every_visitor_sees(stack, path, text):
    """Through Varnish, and on server B (which did not publish), the very next request."""
    for port, where in ((stack.varnish, "Varnish"), (stack.b, "server B")):
        status, _, html = visit(port, path)
        assert status == 200, f"{where} {path}: {status}\n{logs(stack)}"
        assert text in html, f"{where} {path} does not show {text!r} yet"


def assert_no_visitor_sees(stack, path, text):
    # A session cookie (even one naming no session) skips the page cache, so
    # the page is rendered from the database, as a visitor would see it.
    for port, where, headers in (
        (stack.varnish, "Varnish", {}),
        (stack.b, "server B", {}),
        (stack.b, "server B, rendered anew", {"Cookie": "sessionid=no-such-session"}),
    ):
        status, _, html = visit(port, path, **headers)
        assert status == 200, f"{where} {path}: {status}"
        assert text not in html, f"{where} shows the draft {text!r} on {path}"


# --- Varnish keeps public pages, and only those -----------------------------


def test_a_public_page_comes_from_varnish_with_no_cookie(stack):
    # A visitor's stray cookie (analytics, say) is dropped: it does not stop caching.
    first = visit(stack.varnish, SEED_PAGE, Cookie="_ga=GA1.1.123; theme=dark")
    second = visit(stack.varnish, SEED_PAGE)

    for status, headers, _ in (first, second):
        assert status == 200
        assert "Set-Cookie" not in headers
        assert headers["Cache-Control"] == (
            "public, max-age=300, s-maxage=300, stale-if-error=86400"
        )
    status, headers, html = second
    assert headers["X-Cache"] == "HIT"
    assert len(headers["X-Varnish"].split()) == 2  # this request's id and the stored copy's
    assert "Know the law" in html
    assert html == first[2]


def test_staff_with_a_session_are_never_served_from_varnish(stack):
    visit(stack.varnish, SEED_PAGE)  # cached for visitors

    status, headers, _ = visit(stack.varnish, SEED_PAGE, Cookie="theme=dark; sessionid=abc123")
    assert status == 200
    assert headers["X-Cache"] == "MISS"
    assert headers["Cache-Control"] == "private, no-store"  # what the app says to staff

    # The cookie's name under HTTPS (this test runs over plain HTTP).
    status, headers, _ = visit(stack.varnish, SEED_PAGE, Cookie="__Host-sessionid=abc123")
    assert status == 200
    assert headers["X-Cache"] == "MISS"


def test_admin_feedback_exit_and_health_always_reach_an_app_server(stack):
    for path, expected in (
        ("/admin/login/", 200),
        ("/exit/", 303),
        ("/health/live/", 200),
        ("/feedback/", 405),
    ):
        for _ in range(2):
            status, headers, _ = visit(stack.varnish, path)
            assert status == expected, path
            assert headers["X-Cache"] == "MISS", path


def test_only_the_app_servers_may_purge(stack):
    visit(stack.varnish, TOPIC_PAGE)
    assert visit(stack.varnish, TOPIC_PAGE)[1]["X-Cache"] == "HIT"

    # From an address outside the `purgers` ACL (127.0.0.2 is loopback too).
    connection = http.client.HTTPConnection(
        "127.0.0.1", stack.varnish, timeout=15, source_address=("127.0.0.2", 0)
    )
    try:
        connection.request("PURGE", TOPIC_PAGE, headers={"Host": "localhost"})
        refused = connection.getresponse().status
    finally:
        connection.close()
    assert refused == 403
    assert visit(stack.varnish, TOPIC_PAGE)[1]["X-Cache"] == "HIT"

    status, _, _ = request(stack.varnish, "PURGE", TOPIC_PAGE, headers={"Host": "localhost"})
    assert status == 200
    assert visit(stack.varnish, TOPIC_PAGE)[1]["X-Cache"] == "MISS"


# --- Publishing on server A, seen everywhere at once ------------------------


def test_a_draft_saved_on_a_changes_nothing_visitors_see(stack, editor):
    for port in (stack.varnish, stack.b):
        visit(port, TOPIC_PAGE)  # both caches hold the page

    editor.edit(
        f"/admin/pages/{stack.topic_page_id}/edit/",
        {"summary": "Draft summary that nobody outside the office may read."},
        publish=False,
    )

    for path in (TOPIC_PAGE, "/"):
        assert_no_visitor_sees(stack, path, "Draft summary that nobody")


def test_a_page_published_on_a_shows_at_once_through_varnish_and_on_b(stack, editor):
    summary = "Sexting, grooming and safer browsing, now checked on two servers."
    for port in (stack.varnish, stack.b):
        for path in (TOPIC_PAGE, "/"):
            assert summary not in visit(port, path)[2]  # both caches hold the old page
    assert visit(stack.varnish, TOPIC_PAGE)[1]["X-Cache"] == "HIT"

    editor.edit(f"/admin/pages/{stack.topic_page_id}/edit/", {"summary": summary}, publish=True)

    for path in (TOPIC_PAGE, "/"):  # the page, and the home page that lists it
        assert_every_visitor_sees(stack, path, summary)
    assert visit(stack.varnish, TOPIC_PAGE)[1]["X-Cache"] == "HIT"  # and cached again


def test_a_contact_published_on_a_shows_at_once_through_varnish_and_on_b(stack, editor):
    hours = "Every day and night, all year round"
    for port in (stack.varnish, stack.b):
        assert hours not in visit(port, SEED_PAGE)[2]
    assert visit(stack.varnish, SEED_PAGE)[1]["X-Cache"] == "HIT"

    editor.edit(
        f"/admin/snippets/guidance/signpostingcontact/edit/{stack.nspcc_id}/",
        {"phone_hours": hours},
        publish=True,
    )

    assert_every_visitor_sees(stack, SEED_PAGE, hours)


# --- Feedback: one rate limit, one copy of each answer ----------------------


def feedback(page, comment):
    return {"page": page, "useful": "no", "comment": comment}


def as_visitor(address):
    """The X-Forwarded-For a proxy in front sends for this visitor."""
    return {"X-Forwarded-For": address}


def posts_in_one_minute(send):
    """send(attempt) inside one clock minute, the rate limit's window.

    Started with at least 10 s of the minute left; if the posts still ran
    into the next minute (a slow machine), sent once more by a new visitor.
    """
    for attempt in range(2):
        if 60 - time.time() % 60 < 10:
            time.sleep(60 - time.time() % 60 + 0.5)
        minute = time.time() // 60
        answers = send(attempt)
        if time.time() // 60 == minute:
            return answers
    pytest.fail("The posts never fitted in one minute")


def test_the_feedback_rate_limit_is_shared_by_the_app_servers(stack):
    page = page_id(visit(stack.varnish, SEED_PAGE)[2])

    def send(attempt):
        visitor = as_visitor(f"203.0.113.{10 + attempt}")
        within = [  # A, B, A, B...
            post_form(port, "/feedback/", feedback(page, f"Rate check {attempt} {count}."), visitor)
            for count, port in enumerate([stack.a, stack.b] * (RATE_LIMIT // 2))
        ]
        over = [
            post_form(port, "/feedback/", feedback(page, f"One too many on {name}."), visitor)
            for port, name in ((stack.a, "A"), (stack.b, "B"))
        ]
        return within, over

    within, over = posts_in_one_minute(send)
    someone_else = post_form(
        stack.b, "/feedback/", feedback(page, "Another visitor."), as_visitor("203.0.113.99")
    )

    assert [status for status, _, _ in within] == [303] * RATE_LIMIT
    for status, headers, body in over:
        assert status == 429
        assert headers["Retry-After"] == "60"
        assert b"Please wait a minute" in body
    assert someone_else[0] == 303


def export_rows(stack):
    result = manage_ok("export_feedback", env=stack.env)
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_an_answer_posted_through_either_server_is_exported_exactly_once(stack, editor):
    page = page_id(visit(stack.varnish, SEED_PAGE)[2])
    comments = {
        stack.a: "Export check through server A.",
        stack.b: "Export check through server B.",
        stack.varnish: "Export check through Varnish.",
    }
    for port, comment in comments.items():  # fewer than RATE_LIMIT
        status, _, _ = post_form(port, "/feedback/", feedback(page, comment))
        assert status == 303, f"{comment}\n{logs(stack)}"
    # The same visitor sends the same answer again, to the other server (a retry,
    # a double click): it is thanked, and not stored twice.
    retry = feedback(page, comments[stack.a])
    assert post_form(stack.b, "/feedback/", retry)[0] == 303

    exported = [row["comment"] for row in export_rows(stack)]
    # The analyst's download, from server B: the session made on A works there too.
    status, headers, body = editor.send("GET", "/admin/reports/feedback/?export=csv", port=stack.b)
    assert status == 200
    assert headers["Content-Type"].startswith("text/csv")
    downloaded = [row["comment"] for row in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))]

    for comment in comments.values():
        assert exported.count(comment) == 1, comment
        assert downloaded.count(comment) == 1, comment
    assert sorted(exported) == sorted(downloaded)


# --- The database goes away --------------------------------------------------


@pytest.fixture(scope="module")
def short_lived_pair(stack):
    """Two more app servers on the same database and Redis, keeping pages for 1 second."""
    env = {**stack.env, "PAGE_CACHE_MAX_AGE": "1"}
    with contextlib.ExitStack() as running:
        ports = []
        for name in ("c", "d"):
            process, port = start_gunicorn(env, stack.folder / f"gunicorn-{name}.log")
            running.callback(stop, process)
            ports.append(port)
        yield ports


def test_database_down_a_cached_page_is_served_by_either_server_past_its_age(
    stack, database, short_lived_pair
):
    c, d = short_lived_pair
    status, headers, _ = visit(c, SEED_PAGE)  # kept in the shared Redis, by server C
    assert status == 200
    assert "stale-if-error=86400" in headers["Cache-Control"]

    database.proxy.refuse()
    try:
        time.sleep(1.5)  # past max-age=1
        served = {port: visit(port, SEED_PAGE) for port in (c, d)}
        never_cached = visit(d, NEVER_VISITED_PAGE)
        through_varnish = visit(stack.varnish, SEED_PAGE)
        quick_exit = visit(stack.varnish, "/exit/")
    finally:
        database.proxy.forward()

    for port, (status, headers, html) in served.items():
        assert status == 200, f"port {port}: {status}\n{logs(stack)}"
        assert "Know the law" in html
        assert "stale-if-error=86400" in headers["Cache-Control"]
        assert int(headers["Age"]) >= 1
    status, headers, html = never_cached
    assert status == 503
    assert 'href="tel:999"' in html
    assert through_varnish[0] == 200
    assert quick_exit[0] == 303
    assert quick_exit[1]["Location"] == "https://www.bbc.co.uk/weather"


# --- App servers go away ----------------------------------------------------


def backend_health(stack):
    """What Varnish's probes say of each app server: {"app0": "healthy", "app1": "sick"}."""
    result = subprocess.run(
        [shutil.which("varnishadm") or "/usr/bin/varnishadm", "-n", str(stack.folder / "work")]
        + ["backend.list", "-j"],
        capture_output=True,
        text=True,
        timeout=15,
        check=True,
    )
    backends = json.loads(result.stdout)[3]
    return {
        name.split(".")[-1]: backend["probe_message"][2]
        for name, backend in backends.items()
        if backend["type"] == "backend"
    }


def test_when_one_app_server_crashes_visitors_do_not_notice(stack):
    # Both in service to begin with (a probe may have timed out on a busy machine).
    deadline = time.monotonic() + 20
    while set(backend_health(stack).values()) != {"healthy"} and time.monotonic() < deadline:
        time.sleep(1)
    assert backend_health(stack) == {"app0": "healthy", "app1": "healthy"}

    crashed = stack.processes["b"]
    os.killpg(crashed.pid, signal.SIGKILL)  # gunicorn's own session: B's master and worker
    crashed.wait(timeout=10)

    # The probe needs seconds to mark B sick; meanwhile a request sent to B is
    # retried on A.
    for number in range(4):
        status, headers, html = visit(stack.varnish, f"/search/?q=helpline{number}")
        assert status == 200, f"request {number}: {status} {backend_health(stack)}\n{logs(stack)}"
        assert headers["X-Cache"] == "MISS"
        assert "helpline" in html
        assert visit(stack.varnish, "/exit/")[0] == 303


def test_when_no_app_server_answers_varnish_still_leads_away_and_to_help(stack):
    assert visit(stack.varnish, SEED_PAGE)[0] == 200  # Varnish holds it
    stop(stack.processes["a"])
    stop(stack.processes["b"])

    status, headers, html = visit(stack.varnish, SEED_PAGE)  # held by Varnish
    assert status == 200
    assert "Know the law" in html

    status, headers, _ = visit(stack.varnish, "/exit/")
    assert status == 303
    assert headers["Location"] == "https://www.bbc.co.uk/weather"
    assert headers["Cache-Control"] == "no-store"

    status, headers, html = visit(stack.varnish, "/search/?q=never-asked")
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert '<a href="https://www.bbc.co.uk/weather" rel="noreferrer">Leave this site</a>' in html
    assert 'href="tel:999"' in html
