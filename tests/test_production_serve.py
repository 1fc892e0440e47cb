"""`make serve` in miniature: production settings, gunicorn, static files from whitenoise.

With portal.settings.production, DJANGO_HTTPS=false and the other variables
set, gunicorn serves the site and whitenoise serves the hashed, compressed
static files with a long cache lifetime and the same security headers.
Everything runs in subprocesses against a SQLite database and a static
folder under pytest's temporary directory, so the working tree is untouched.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.servers import (
    get,
    manage,
    manage_ok,
    production_env,
    start_gunicorn,
    stop,
)

pytestmark = pytest.mark.slow  # starts gunicorn against a database migrated in a subprocess

ONE_YEAR = 365 * 24 * 60 * 60


@dataclass
class ServedSite:
    port: int
    static_root: Path
    demo_loaded: bool
    log_path: Path

    def log(self):
        return self.log_path.read_text()


@pytest.fixture(scope="module")
def served_site(tmp_path_factory, demo_databases, collected_static):
    """A migrated site with demo content, served by gunicorn (static files collected once)."""
    tmp_path = tmp_path_factory.mktemp("production")
    env = production_env(tmp_path, DJANGO_STATIC_ROOT=collected_static)
    demo_databases.fill(env["DATABASE_URL"])  # migrated, with the demo content
    demo_loaded = True

    log_path = tmp_path / "gunicorn.log"
    process, port = start_gunicorn(env, log_path)
    try:
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


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("DJANGO_SECRET_KEY", "Set DJANGO_SECRET_KEY for production: a long random secret key."),
        ("DATABASE_URL", "Set DATABASE_URL for production: the PostgreSQL database"),
        ("DJANGO_ALLOWED_HOSTS", "Set DJANGO_ALLOWED_HOSTS for production"),
        ("WAGTAILADMIN_BASE_URL", "Set WAGTAILADMIN_BASE_URL for production"),
    ],
)
def test_production_refuses_to_start_half_configured(tmp_path, missing, message):
    env = production_env(tmp_path)
    del env[missing]

    result = manage("check", env=env, timeout=120)

    assert result.returncode != 0
    error_line = result.stderr.strip().splitlines()[-1]
    assert error_line.startswith("django.core.exceptions.ImproperlyConfigured: " + message)


def test_production_refuses_sqlite_unless_told_it_is_a_trial(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_ALLOW_SQLITE"]

    refused = manage("check", env=env, timeout=120)
    allowed = manage("check", env={**env, "DJANGO_ALLOW_SQLITE": "true"}, timeout=120)

    assert refused.returncode != 0
    assert (
        refused.stderr.strip()
        .splitlines()[-1]
        .endswith(
            "DATABASE_URL is SQLite, which cannot serve several workers safely: use PostgreSQL, "
            "or set DJANGO_ALLOW_SQLITE=true for a trial run."
        )
    )
    assert allowed.returncode == 0, allowed.stderr


HEADERS_OVER_HTTPS = """
import json
from django.test import Client
client = Client()
answers = {}
for path in ["/health/live/", "/exit/"]:
    response = client.get(path, secure=True)
    answers[path] = dict(response.headers)
plain = client.get("/exit/", secure=False)
answers["plain"] = {"status": plain.status_code, "location": plain.headers.get("Location", "")}
print(json.dumps(answers))
"""


def test_production_over_https_sends_the_whole_observatory_header_set(tmp_path):
    env = production_env(tmp_path, DJANGO_HTTPS="true", DJANGO_ALLOWED_HOSTS="testserver")

    result = manage_ok("shell", "-c", HEADERS_OVER_HTTPS, env=env, timeout=120)

    answers = json.loads(result.stdout.strip().splitlines()[-1])
    for path in ["/health/live/", "/exit/"]:
        headers = answers[path]
        assert headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        ), path
        assert "default-src 'self'" in headers["Content-Security-Policy"], path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin", path
        assert headers["Cross-Origin-Resource-Policy"] == "same-origin", path
        assert "camera=()" in headers["Permissions-Policy"], path
    assert answers["/health/live/"]["Referrer-Policy"] == "same-origin"
    # Plain HTTP is sent to https before anything else happens.
    assert answers["plain"]["status"] == 301
    assert answers["plain"]["location"] == "https://testserver/exit/"


SESSION_COOKIE_SETTINGS = """
from django.conf import settings
print(settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_SECURE,
      settings.SESSION_COOKIE_HTTPONLY, settings.SESSION_COOKIE_SAMESITE,
      settings.CSRF_COOKIE_SECURE)
"""


def test_production_over_https_keeps_staff_cookies_to_https_and_this_host(tmp_path):
    env = production_env(tmp_path, DJANGO_HTTPS="true")

    result = manage_ok("shell", "-c", SESSION_COOKIE_SETTINGS, env=env, timeout=120)

    assert result.stdout.strip().splitlines()[-1].split() == [
        "__Host-sessionid",
        "True",
        "True",
        "Lax",
        "True",
    ]
