"""Run the portal as production runs it: `manage.py` and gunicorn in subprocesses.

Used by the tests that need a real app server (tests/test_production_serve.py,
tests/test_outages.py). Every file a run writes lives under the folder the
test gives, so the working tree is untouched.
"""

import contextlib
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import dj_database_url
import psycopg2
import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent
STARTUP_TIMEOUT = 60  # seconds for gunicorn to answer its first request

# Variables that the settings read; the parent environment's values (say a
# PostgreSQL DATABASE_URL for the suite) must not leak into these runs.
SETTINGS_PREFIXES = ("DJANGO_", "DATABASE_", "REDIS_", "WAGTAIL", "FEEDBACK_", "AXES_")


def production_env(tmp_path, **overrides):
    """The environment of a production run whose files all live under tmp_path."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(SETTINGS_PREFIXES)}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_HTTPS="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_ALLOW_SQLITE="true",
        WAGTAILADMIN_BASE_URL="http://127.0.0.1",
        DJANGO_STATIC_ROOT=str(tmp_path / "staticfiles"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return env


def manage(*args, env, timeout=300, cwd=BASE_DIR):
    """`manage.py` of this tree, or of the release checked out at `cwd`."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def manage_ok(*args, env, timeout=300):
    result = manage(*args, env=env, timeout=timeout)
    assert result.returncode == 0, (
        f"manage.py {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    )
    return result


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port, method, path, headers=None, body=None, timeout=15):
    """One HTTP request, without following redirects: (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def get(port, path, headers=None, timeout=15):
    return request(port, "GET", path, headers=headers, timeout=timeout)


def post_form(port, path, fields, headers=None, timeout=15):
    body = urlencode(fields)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
    return request(port, "POST", path, headers=headers, body=body, timeout=timeout)


def wait_until_serving(process, port, log_path):
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            get(port, "/health/live/")  # any answer will do
            return
        except OSError:
            time.sleep(0.25)
    pytest.fail(f"gunicorn did not answer within {STARTUP_TIMEOUT}s:\n{log_path.read_text()}")


def start_gunicorn(env, log_path, workers=1, threads=4, timeout=30, port=None):
    """gunicorn on `port` (a free one by default), as `make serve` starts it: (process, port)."""
    port = port or free_port()
    with log_path.open("a") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(threads),
                "--timeout",
                str(timeout),
                "--no-control-socket",  # its default path is shared by every gunicorn
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_serving(process, port, log_path)
    except BaseException:
        stop(process)
        raise
    return process, port


def stop(process):
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: only gunicorn and its workers
        process.wait(timeout=10)


class DemoDatabases:
    """The demo site's database, migrated and loaded once, copied for each server that needs one.

    The `demo_databases` fixture (tests/conftest.py) holds one per session,
    so one per xdist worker. The template is made on first use, by
    `manage.py migrate` and `load_demo_content` in a subprocess, as a module
    fixture used to do for itself: a SQLite file is then copied, a
    PostgreSQL database made with `CREATE DATABASE ... TEMPLATE`.
    """

    def __init__(self, folder):
        self.folder = folder
        self._sqlite = None
        self._postgres = None  # (server settings, template database name)

    def fill(self, url):
        """Make the (empty or missing) database at `url` a copy of the demo database."""
        target = dj_database_url.parse(url)
        if target["ENGINE"] == "django.db.backends.sqlite3":
            shutil.copyfile(self._sqlite_template(), target["NAME"])
            return
        server, template = self._postgres_template()
        with self._admin(server) as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{target["NAME"]}" TEMPLATE "{template}"')

    def _sqlite_template(self):
        if self._sqlite is None:
            path = self.folder / "demo.sqlite3"
            self._load(f"sqlite:///{path}")
            self._sqlite = path
        return self._sqlite

    def _postgres_template(self):
        if self._postgres is None:
            server = dj_database_url.parse(os.environ["DATABASE_URL"])
            name = f"demo_template_{secrets.token_hex(4)}"
            with self._admin(server) as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
            self._postgres = (server, name)
            host, port = server["HOST"] or "127.0.0.1", server["PORT"] or 5432
            self._load(f"postgres://{server['USER']}@{host}:{port}/{name}")
        return self._postgres

    def _load(self, url):
        env = production_env(self.folder, DATABASE_URL=url)
        manage_ok("migrate", "--noinput", env=env)
        manage_ok("load_demo_content", env=env)

    @staticmethod
    @contextlib.contextmanager
    def _admin(server):
        """A cursor on the server's `postgres` database, in autocommit (CREATE/DROP DATABASE)."""
        connection = psycopg2.connect(
            host=server["HOST"] or "127.0.0.1",
            port=server["PORT"] or 5432,
            user=server["USER"],
            dbname="postgres",
        )
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                yield cursor
        finally:
            connection.close()

    def drop(self):
        if self._postgres is not None:
            server, name = self._postgres
            with self._admin(server) as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
