"""T14, T15, T16: security headers on every kind of answer, deploy checks, Host and method abuse.

T14 and T16 go through the whole middleware stack with the test client,
under the HTTPS settings that production uses (read from
`portal.settings.production` itself). T15 runs `manage.py check --deploy`
in a subprocess with production settings, as CI does.
"""

import importlib
import re
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from wagtail.documents.models import Document

from tests.feedback.factories import at, respond
from tests.support.html import parse
from tests.support.servers import manage, production_env
from tests.support.users import member_of

ONE_YEAR = 31_536_000
HTTPS_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
)
TRACEBACK_SIGNS = (b"Traceback", b"File &quot;", b'File "', b"django.core", b"DEBUG = True")


@pytest.fixture
def https(settings, monkeypatch, tmp_path):
    """The test settings with production's HTTPS protections, exactly as production.py sets them."""
    for name, value in production_env(tmp_path, DJANGO_HTTPS="true").items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("portal.settings.production", None)
    production = importlib.import_module("portal.settings.production")
    sys.modules.pop("portal.settings.production", None)
    for name in HTTPS_SETTINGS:
        setattr(settings, name, getattr(production, name))
    return settings


def secure_client(**kwargs):
    return Client(headers={"X-Forwarded-Proto": "https"}, **kwargs)


def directives(policy):
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def csp_score(csp):
    """(penalty, bonus) of the Observatory's CSP test."""
    scripts = csp.get("script-src", csp.get("default-src", []))
    if not csp:
        return -25, 0
    if "'unsafe-inline'" in scripts:
        return -20, 0
    if "'unsafe-eval'" in scripts:
        return -10, 0
    return 0, 10 if csp.get("default-src") == ["'none'"] else 0


def observatory_score(headers):
    """The Mozilla Observatory's score (2024 rules) from the headers it grades without a browser.

    Baseline 100; penalties and bonuses for CSP, HSTS, X-Content-Type-Options,
    framing and Referrer-Policy (no cookie is graded: visitors get none).
    Bonuses count only from 90 up.
    """
    csp = directives(headers.get("Content-Security-Policy", ""))
    score, bonus = csp_score(csp)
    score += 100
    hsts = re.search(r"max-age=(\d+)", headers.get("Strict-Transport-Security", ""))
    if not hsts or int(hsts.group(1)) < 15_768_000:
        score -= 10 if hsts else 20
    if headers.get("X-Content-Type-Options", "").lower() != "nosniff":
        score -= 5
    if csp.get("frame-ancestors") in (["'none'"], ["'self'"]):
        bonus += 5
    elif headers.get("X-Frame-Options", "").upper() not in ("DENY", "SAMEORIGIN"):
        score -= 20
    referrer = headers.get("Referrer-Policy")
    private = ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin")
    if referrer in private:
        bonus += 5
    elif referrer in ("unsafe-url", "origin", "origin-when-cross-origin"):
        score -= 5
    return score + bonus if score >= 90 else score


def assert_security_headers(response, where, public=True):
    headers = response.headers
    hsts = headers.get("Strict-Transport-Security", "")
    max_age = re.search(r"max-age=(\d+)", hsts)
    assert max_age and int(max_age.group(1)) >= ONE_YEAR, (where, hsts)
    assert "includeSubDomains" in hsts, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    # same-origin everywhere; the quick exit sends no referrer at all (stricter).
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer"), where
    assert "camera=()" in headers.get("Permissions-Policy", ""), where
    assert headers.get("Cross-Origin-Opener-Policy") == "same-origin", where
    policy = headers.get("Content-Security-Policy", "")
    assert policy, f"{where}: no Content-Security-Policy"
    csp = directives(policy)
    if csp.get("default-src") == ["'none'"] and len(csp) == 1:
        # A document: Wagtail's own policy, nothing may load or run at all.
        assert headers.get("X-Frame-Options") == "DENY", where
        return
    assert csp["object-src"] == ["'none'"], where
    if public:
        assert "'unsafe-inline'" not in csp["script-src"], where
        assert "'unsafe-eval'" not in csp["script-src"], where
        assert csp["base-uri"] == ["'none'"], where
        assert csp["frame-ancestors"] == ["'none'"], where
        assert observatory_score(headers) >= 100, (where, observatory_score(headers))
    else:
        assert "'unsafe-eval'" not in csp["script-src"], where
        assert csp["script-src-attr"] == ["'none'"], where


@pytest.mark.urls("tests.support.failing_urls")
def test_t14_security_headers_everywhere(https, site_tree, tmp_path, tally):
    https.MEDIA_ROOT = tmp_path
    respond(site_tree.guidance, at=at(7, 1), useful=False, comment='=HYPERLINK("http://x","y")')
    document = Document.objects.create(
        title="Leaflet", file=ContentFile(b"Plain text leaflet.\n", name="leaflet.txt")
    )
    visitor = secure_client(raise_request_exception=False)
    analyst = secure_client()
    analyst.force_login(member_of("Feedback analysts"))

    answers = {
        "public page": (visitor.get(site_tree.guidance.url), True, 200),
        "404": (visitor.get("/no-such-page/"), True, 404),
        "500": (visitor.get("/broken/"), True, 500),
        "503": (visitor.get("/database-gone/"), True, 503),
        "quick exit": (visitor.get("/exit/"), True, 303),
        "admin login": (visitor.get("/admin/login/"), False, 200),
        "CSV export": (analyst.get("/admin/reports/feedback/?export=csv"), False, 200),
        "document": (visitor.get(document.url), True, 200),
    }
    tally.tried(len(answers))
    for where, (response, public, status) in answers.items():
        assert response.status_code == status, (where, response.status_code)
        assert_security_headers(response, where, public=public)
    assert answers["quick exit"][0]["Referrer-Policy"] == "no-referrer"
    export = answers["CSV export"][0]
    assert export["Content-Disposition"].startswith("attachment")
    assert "no-store" in export.get("Cache-Control", "")
    leaflet = answers["document"][0]
    assert "attachment" in leaflet["Content-Disposition"]

    # Plain HTTP is redirected to HTTPS on the same host before anything else.
    plain = Client().get(site_tree.guidance.url)
    assert plain.status_code == 301
    assert plain["Location"] == f"https://testserver{site_tree.guidance.url}"


@pytest.mark.parametrize(
    ("flip", "check_id"),
    [
        (None, None),
        ({"DJANGO_SETTINGS_MODULE": "portal.settings.dev"}, "security.W018"),
        ({"DJANGO_ALLOWED_HOSTS": " , "}, "security.W020"),
        ({"DJANGO_SECRET_KEY": "short-key"}, "security.W009"),
        ({"DJANGO_SECRET_KEY": "django-insecure-" + "x" * 60}, "security.W009"),
        ({"DJANGO_HTTPS": "false"}, "security.W004"),
        ({"REDIS_URL": ""}, "portal.W001"),
    ],
    ids=["production", "debug", "no-hosts", "short-key", "insecure-key", "no-https", "no-redis"],
)
def test_t15_deploy_misconfiguration(tmp_path, flip, check_id, tally):
    env = production_env(
        tmp_path,
        DJANGO_HTTPS="true",
        DJANGO_ALLOWED_HOSTS="portal.example",
        REDIS_URL="redis://127.0.0.1:6379/15",  # named, never reached by the checks
    )
    env.update(flip or {})
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env, timeout=120)
    output = result.stdout + result.stderr

    if check_id is None:
        assert result.returncode == 0, output
        assert "System check identified no issues" in result.stdout
        return
    tally.tried()
    # Either the deploy check names the problem, or production refuses to start.
    assert result.returncode != 0, output
    assert check_id in output or "ImproperlyConfigured" in output, output


def assert_branded(response, where):
    """Our own error page: the quick exit, 999, no traceback, the public policy."""
    soup = parse(response)
    leave = soup.find("a", id="quick-exit")
    assert leave is not None and leave["href"] == "/exit/", f"{where}: not our page"
    assert soup.find("a", href="tel:999") is not None, where
    for sign in TRACEBACK_SIGNS:
        assert sign not in response.content, (where, sign)
    assert "Content-Security-Policy" in response.headers, where


@pytest.mark.urls("tests.support.failing_urls")
def test_t16_host_header_method_abuse_and_django_error_paths(client, site_tree, settings, tally):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
    page = site_tree.guidance.url
    visitor = Client(raise_request_exception=False)
    checked = []

    def expect(response, statuses, where, branded=True):
        checked.append(where)
        assert response.status_code in statuses, (where, response.status_code)
        if branded:
            assert_branded(response, where)

    # A bad Host: our 400, never a page built for evil.example.
    for host in ("evil.example", "evil.example:80", "localhost@evil.example", "[::1"):
        expect(visitor.get(page, HTTP_HOST=host), {400}, f"Host: {host}")

    # X-Forwarded-Host is ignored: links and the canonical address name our host.
    forwarded = visitor.get(page, HTTP_X_FORWARDED_HOST="evil.example")
    checked.append("X-Forwarded-Host")
    assert forwarded.status_code == 200
    assert b"evil.example" not in forwarded.content
    forwarded_admin = visitor.get("/admin/", HTTP_X_FORWARDED_HOST="evil.example")
    assert "evil.example" not in forwarded_admin.get("Location", "")

    # Password-reset links name the canonical address, whatever Host or
    # X-Forwarded-Host the request carried.
    settings.WAGTAIL_PASSWORD_RESET_ENABLED = True
    settings.WAGTAILADMIN_BASE_URL = "https://guidance.example.police.uk"
    get_user_model().objects.create_user("officer", "officer@example.org", "an old passphrase")
    reset = visitor.post(
        "/admin/password_reset/",
        {"email": "officer@example.org"},
        HTTP_HOST="127.0.0.1",
        HTTP_X_FORWARDED_HOST="evil.example",
    )
    checked.append("password reset")
    assert reset.status_code == 302
    [message] = mail.outbox
    links = re.findall(r"https?://[^/\s]+", message.body)
    assert links and set(links) == {"https://guidance.example.police.uk"}, links

    # Methods a page does not accept: 405 naming the ones it does, on our page.
    for method in ("put", "delete", "patch", "trace"):
        response = getattr(visitor, method)(page)
        expect(response, {405}, f"{method.upper()} {page}")
        assert "GET" in response["Allow"], method
    expect(visitor.get("/feedback/"), {405}, "GET /feedback/")
    expect(visitor.put("/exit/"), {405}, "PUT /exit/")
    options = visitor.options(page)
    checked.append("OPTIONS")
    assert options.status_code in (200, 204, 405)

    # Django's own error paths.
    expect(visitor.get("/no-such-page/"), {404}, "404")
    expect(visitor.get("/broken/"), {500}, "500")
    expect(Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "a"}), {403}, "CSRF")
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    expect(
        Client(enforce_csrf_checks=False).post("/admin/login/", {"username": big}),
        {400, 413},
        "oversized admin post",
    )
    many = {f"field{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    expect(Client().post("/admin/login/", many), {400, 413}, "too many fields")
    expect(
        visitor.post("/feedback/", {"page": site_tree.guidance.pk, "comment": "x" * 20_000}),
        {400, 413},
        "oversized feedback",
    )
    expect(visitor.get(page + "%00"), {400, 404}, "NUL in the path")
    expect(visitor.get("/%c0%ae%c0%ae/etc/passwd"), {400, 404}, "overlong UTF-8 path")
    tally.tried(len(checked))
