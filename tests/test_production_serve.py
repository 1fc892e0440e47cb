"""`make serve` in miniature: production settings, gunicorn, static files from whitenoise.

With portal.settings.production, DJANGO_HTTPS=false and the other variables
set, gunicorn serves the site and whitenoise serves the hashed, compressed
static files with a long cache lifetime and the same security headers.
Everything runs in subprocesses against a SQLite database and a static
folder under pytest's temporary directory, so the working tree is untouched.
"""

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 60  # seconds for gunicorn to answer its first request
ONE_YEAR = 365 * 24 * 60 * 60

# Variables that the settings read; the parent environment's values (say a
# PostgreSQL DATABASE_URL for the suite) must not leak into these runs.
SETTINGS_PREFIXES = ("DJANGO_", "DATABASE_", "REDIS_", "WAGTAIL", "FEEDBACK_")


def production_env(tmp_path, **overrides):
    """The environment of a production run whose files all live under tmp_path."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(SETTINGS_PREFIXES)}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_HTTPS="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_STATIC_ROOT=str(tmp_path / "staticfiles"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return env


def manage(*args, env, timeout=300):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
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


def get(port, path, headers=None):
    """One GET, without following redirects: (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def wait_until_serving(process, port, log_path):
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            get(port, "/static/")  # any answer will do
            return
        except OSError:
            time.sleep(0.25)
    pytest.fail(f"gunicorn did not answer within {STARTUP_TIMEOUT}s:\n{log_path.read_text()}")


def stop(process):
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: only gunicorn and its workers
        process.wait(timeout=10)


@dataclass
class ServedSite:
    port: int
    static_root: Path
    demo_loaded: bool
    log_path: Path

    def log(self):
        return self.log_path.read_text()


@pytest.fixture(scope="module")
def served_site(tmp_path_factory):
    """A migrated site with demo content (when the command exists), served by gunicorn."""
    tmp_path = tmp_path_factory.mktemp("production")
    env = production_env(tmp_path)
    manage_ok("migrate", "--noinput", env=env)
    demo_loaded = (BASE_DIR / "guidance/management/commands/load_demo_content.py").exists()
    if demo_loaded:
        manage_ok("load_demo_content", env=env)
    manage_ok("collectstatic", "--noinput", env=env)

    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "30",
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
        yield ServedSite(port, Path(env["DJANGO_STATIC_ROOT"]), demo_loaded, log_path)
    finally:
        stop(process)


def assert_security_headers(headers):
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "same-origin"
    # DJANGO_HTTPS=false: plain HTTP, so no HSTS that would pin browsers to https.
    assert "Strict-Transport-Security" not in headers


def hashed_stylesheet(html, static_root):
    """A hashed stylesheet URL: the first in the page, else from the manifest."""
    match = re.search(r"""["'](/static/[^"'?#]+\.[0-9a-f]{12}\.css)["']""", html)
    if match:
        return match.group(1)
    paths = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    name = (
        "css/portal.css"
        if "css/portal.css" in paths
        else sorted(name for name in paths if name.endswith(".css"))[0]
    )
    return "/static/" + paths[name]


def test_gunicorn_serves_the_home_page_over_plain_http(served_site):
    status, headers, body = get(served_site.port, "/")

    # Without demo content the home page is Wagtail's welcome page, if any.
    expected = {200} if served_site.demo_loaded else {200, 404}
    assert status in expected, f"GET / answered {status}; gunicorn log:\n{served_site.log()}"
    if served_site.demo_loaded:
        assert b"<main" in body  # the portal's own home page, not an error page
    assert "Set-Cookie" not in headers  # no cookie for an anonymous visitor
    assert_security_headers(headers)


def test_whitenoise_serves_hashed_static_files_for_a_year(served_site):
    _, _, body = get(served_site.port, "/")
    url = hashed_stylesheet(body.decode("utf-8", "replace"), served_site.static_root)

    status, headers, css = get(served_site.port, url)

    assert status == 200, url
    assert headers["Content-Type"].startswith("text/css")
    assert css
    max_age = re.search(r"max-age=(\d+)", headers["Cache-Control"])
    assert max_age and int(max_age.group(1)) >= ONE_YEAR, headers["Cache-Control"]
    assert "immutable" in headers["Cache-Control"]
    assert "Set-Cookie" not in headers
    assert_security_headers(headers)


def test_whitenoise_serves_the_compressed_copy_when_there_is_one(served_site):
    _, _, body = get(served_site.port, "/")
    url = hashed_stylesheet(body.decode("utf-8", "replace"), served_site.static_root)
    # The stylesheet is several KB of text: compression always pays, so a copy must exist.
    assert (served_site.static_root / (url.removeprefix("/static/") + ".gz")).exists()

    status, headers, _ = get(served_site.port, url, {"Accept-Encoding": "gzip"})

    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Vary"] == "Accept-Encoding"


def test_production_settings_fail_fast_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]

    result = manage("check", env=env, timeout=120)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr
