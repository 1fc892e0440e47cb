"""Visitor input against the feedback form and the downloads: T1–T6, T8 and T11.

Everything goes through the real stack: the Django test client, the
middleware, the view, the database of the run (SQLite or PostgreSQL) and
the real export writers. T7 (hostile characters everywhere) and T9–T10
(privacy) have their own modules.
"""

import csv
import datetime
import io
import logging
from unittest import mock

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from wagtail.contrib.search_promotions.models import Query

from feedback.models import COMMENT_MAX_LENGTH, FeedbackResponse
from guidance.search import NoResultsSearch
from portal.spreadsheets import FORMULA_TRIGGERS
from tests.feedback.factories import FeedbackResponseFactory
from tests.guidance.factories import GuidancePageFactory, SignpostingContactFactory
from tests.support import visitor
from tests.support.html import parse
from tests.support.visitor import (
    FEEDBACK_REPORT,
    FEEDBACK_URL,
    JSON,
    SAME_SITE,
    answer,
    stored_text,
)

SHARE_SITE_TREE = True
# Fixtures shared by the visitor-input modules (tests/support/visitor.py).
guidance_page = visitor.guidance_page
analyst = visitor.analyst

# T1's payloads, as the table lists them, and values that must come out unchanged.
FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\0=1",
    "  =1",
]
# PostgreSQL cannot store NUL, so rows written straight to the database leave it out
# (through the form it is dropped before storing: the form path sends it).
STORABLE_FORMULAS = [value for value in FORMULAS if "\0" not in value]
PLAIN = ["hello", "12"]
QUOTED = 'She said "stop"\nthen, later, left'


def _post_each(client, page, comments):
    """Post each comment from its own address (the rate limit is T3's); return the statuses."""
    return [
        client.post(
            FEEDBACK_URL,
            answer(page, comment=comment),
            REMOTE_ADDR=f"192.0.2.{n + 1}",
            **JSON,
            **SAME_SITE,
        ).status_code
        for n, comment in enumerate(comments)
    ]


def csv_rows(body, *, bom):
    text = body.decode("utf-8")
    assert text.startswith("\ufeff") is bom
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def xlsx_cells(body):
    workbook = load_workbook(io.BytesIO(body))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_csv_is_safe(rows, *, neutralised, plain):
    """No cell starts as a formula; hostile values are there behind a `'`; plain ones unchanged."""
    cells = [cell for row in rows for cell in row]
    live = [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)]
    assert live == []
    for value in neutralised:
        assert "'" + value in cells, value
    for value in plain:
        assert value in cells, value


def assert_xlsx_is_text(body, *, values, plain):
    """Every cell is a value, never a formula; text cells hold the words as typed."""
    cells = xlsx_cells(body)
    assert cells
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    for value in values:
        legal = ILLEGAL_CHARACTERS_RE.sub("", value)
        # XML reads a stored CR back as LF.
        assert {legal, legal.replace("\r", "\n")} & texts, value
    assert set(plain) <= {str(cell.value) for cell in cells}


@pytest.fixture
def formula_responses(client, guidance_page):
    """The table's payloads sent through the form, and the same text as stored rows."""
    sent = [*FORMULAS, *PLAIN, QUOTED]
    statuses = _post_each(client, guidance_page, sent)
    assert statuses == [201] * len(sent)
    for value in STORABLE_FORMULAS:
        FeedbackResponseFactory(page=guidance_page, comment=value)
    return guidance_page


def _download(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Disposition"].startswith("attachment;"), url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_t01_formula_injection_csv_and_xlsx(
    client, tally, formula_responses, analyst, admin_user, tmp_path, export_format
):
    """T1: every download path writes formulas as inert text, and plain values unchanged.

    Paths: the "Page feedback" report's downloads, `manage.py export_feedback`,
    and every report built on SafeSpreadsheetExportMixin (review due, search
    terms, searches with no results), with staff- and visitor-typed text in it.
    """
    tally.tried(len(FORMULAS) * 2 + 1)
    stored_forms = set(FeedbackResponse.objects.values_list("comment", flat=True))
    # Through the form: trimmed and NUL-free, so every payload is stored starting with
    # its trigger (the scrubbing may replace "@SUM" as a handle) and must come out neutralised.
    neutralised = sorted(value for value in stored_forms if value.startswith(FORMULA_TRIGGERS))
    assert set(STORABLE_FORMULAS) <= set(neutralised)

    # Staff-typed text in the other reports, and visitor searches as stored.
    topic = formula_responses.get_parent()
    for n, title in enumerate(STORABLE_FORMULAS):
        GuidancePageFactory(parent=topic, title=title, slug=f"formula-{n}", next_review_due=None)
    for name in STORABLE_FORMULAS:
        SignpostingContactFactory(name=name)
    today = timezone.localdate()
    for text in [*STORABLE_FORMULAS, *PLAIN]:
        Query.get(text).add_hit(date=today)
        NoResultsSearch.add_hit(text)

    # Rows each report holds that start like a formula (Wagtail folds "  =1" into "=1").
    searched = Query.objects.filter(daily_hits__isnull=False).values_list("query_string", flat=True)
    hostile_rows = {
        "/admin/reports/review-due/": 2 * len(STORABLE_FORMULAS),
        "/admin/searchpicks/reports/search-terms/": len(
            {text for text in searched if text.startswith(FORMULA_TRIGGERS)}
        ),
        "/admin/reports/searches-with-no-results/": len(STORABLE_FORMULAS),
    }

    client.force_login(analyst)
    response, body = _download(client, f"{FEEDBACK_REPORT}?export={export_format}")
    if export_format == "csv":
        assert response["Content-Type"].startswith("text/csv")
        rows = csv_rows(body, bom=True)
        assert_csv_is_safe(rows, neutralised=neutralised, plain=PLAIN)
        # RFC 4180: quotes doubled, the line break kept inside one quoted cell.
        assert b'"She said ""stop""\nthen, later, left"' in body
        assert QUOTED in [cell for row in rows for cell in row]
    else:
        assert_xlsx_is_text(body, values=[*STORABLE_FORMULAS, QUOTED], plain=PLAIN)

    if export_format == "csv":
        out = io.StringIO()
        call_command("export_feedback", stdout=out)
        rows = csv_rows(out.getvalue().encode(), bom=False)
        assert_csv_is_safe(rows, neutralised=neutralised, plain=PLAIN)
    else:
        target = tmp_path / "feedback.xlsx"
        call_command("export_feedback", "--format=xlsx", f"--output={target}", stderr=io.StringIO())
        assert_xlsx_is_text(target.read_bytes(), values=STORABLE_FORMULAS, plain=PLAIN)

    search_reports = [
        "/admin/searchpicks/reports/search-terms/",
        "/admin/reports/searches-with-no-results/",
    ]
    for user, url in [(admin_user, "/admin/reports/review-due/")] + [
        (analyst, url) for url in search_reports
    ]:
        client.force_login(user)
        response, body = _download(client, f"{url}?export={export_format}")
        if export_format == "csv":
            rows = csv_rows(body, bom=True)
            assert_csv_is_safe(rows, neutralised=[], plain=[])
            hostile = [cell for row in rows for cell in row if cell.startswith("'")]
            assert len(hostile) == hostile_rows[url], url
        else:
            cells = xlsx_cells(body)
            assert [cell.coordinate for cell in cells if cell.data_type == "f"] == [], url
            texts = {cell.value for cell in cells if cell.data_type == "s"}
            assert '=HYPERLINK("http://x","y")' in texts or '=hyperlink("http://x","y")' in texts


def test_t02_honeypot_answers_like_a_person_and_stores_nothing(
    client, tally, guidance_page, caplog
):
    """T2: a filled honeypot gets exactly the answer a person gets; nothing is stored.

    Decision (docs/security.md, "Decisions on visitor input"): the same
    thank-you, not GOV.UK's 400, so a bot cannot tell it was caught; one
    log line says so, without the address or the words.
    """
    caplog.set_level(logging.INFO)
    person_words = "he is hurting me"
    person = client.post(
        FEEDBACK_URL, answer(guidance_page, comment="Clear page"), REMOTE_ADDR="192.0.2.10"
    )
    person_json = client.post(
        FEEDBACK_URL, answer(guidance_page, comment=person_words), REMOTE_ADDR="192.0.2.11", **JSON
    )
    FeedbackResponse.objects.all().delete()

    bot = client.post(
        FEEDBACK_URL,
        answer(guidance_page, comment="Clear page", giraffe="http://spam.example"),
        REMOTE_ADDR="198.51.100.77",
    )
    bot_json = client.post(
        FEEDBACK_URL,
        answer(guidance_page, comment=person_words, giraffe="spam"),
        REMOTE_ADDR="198.51.100.78",
        **JSON,
    )
    tally.tried(2)

    assert (bot.status_code, bot["Location"]) == (person.status_code, person["Location"])
    assert bot.status_code == 303
    assert (bot_json.status_code, bot_json.json()) == (person_json.status_code, person_json.json())
    assert bot_json.json()["support"] is True  # a disclosure still leads with help
    assert FeedbackResponse.objects.count() == 0
    caught = [record for record in caplog.records if "hidden field" in record.getMessage()]
    assert len(caught) == 2
    assert "198.51.100" not in caplog.text
    assert "spam" not in caplog.text
    assert person_words not in caplog.text


FIXED_MOMENT = datetime.datetime(2026, 7, 1, 11, 0, 30, tzinfo=datetime.UTC)


@pytest.fixture
def clock_mid_minute():
    """The clock held in the middle of one rate-limit minute, so a flood never spans two."""
    with mock.patch("django.utils.timezone.now", return_value=FIXED_MOMENT):
        yield


def _flood(client, page, count, **headers):
    return [
        client.post(FEEDBACK_URL, answer(page, comment=f"flood {n}"), **JSON, **headers)
        for n in range(count)
    ]


def test_t03_flood_from_one_client(client, tally, guidance_page, clock_mid_minute, caplog):
    """T3: 30 posts in a minute from one address: 10 stored, 20 refused kindly, others go on."""
    caplog.set_level(logging.DEBUG)
    address = "203.0.113.45"
    answers = _flood(client, guidance_page, 30, REMOTE_ADDR=address)
    plain = client.post(
        FEEDBACK_URL, answer(guidance_page, comment="one more"), REMOTE_ADDR=address
    )
    neighbour = client.post(
        FEEDBACK_URL, answer(guidance_page, comment="flood 0"), REMOTE_ADDR="203.0.113.46", **JSON
    )
    tally.tried(31)

    statuses = [response.status_code for response in answers]
    assert statuses == [201] * 10 + [429] * 20
    assert all(response["Retry-After"] == "60" for response in answers[10:])
    assert "Please wait a minute" in parse(plain).h1.get_text()
    assert parse(plain).select_one('a[href="tel:999"]')  # still shows where to get help
    assert plain.status_code == 429
    assert neighbour.status_code == 201
    stored = FeedbackResponse.objects.count()
    assert stored == 11
    tally.responses(accepted=statuses.count(201) + 1, stored=stored)
    # The address is nowhere: not stored, not logged, not in a cache key.
    assert address not in stored_text()
    assert address not in caplog.text
    backend = caches["default"]
    assert isinstance(backend, LocMemCache)
    keys = list(backend._cache)  # the keys the limiter wrote
    assert keys
    assert not [key for key in keys if address in key or "203.0.113" in key]


@pytest.mark.parametrize("proxies", [0, 1])
def test_t04_spoofed_x_forwarded_for(client, tally, guidance_page, clock_mid_minute, proxies):
    """T4: rotating X-Forwarded-For never escapes the limit.

    With no proxy (0) the header is ignored; behind one proxy (1) only the
    address that proxy appended counts, whatever the client wrote before it.
    """
    real_client = "203.0.113.7"
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        answers = []
        for n in range(30):
            spoofed = f"10.{n}.{n}.{n}, 172.16.0.{n}"
            if proxies:
                headers = {
                    "REMOTE_ADDR": "10.0.0.1",
                    "HTTP_X_FORWARDED_FOR": f"{spoofed}, {real_client}",
                }
            else:
                headers = {"REMOTE_ADDR": real_client, "HTTP_X_FORWARDED_FOR": spoofed}
            answers.append(
                client.post(
                    FEEDBACK_URL, answer(guidance_page, comment=f"spoof {n}"), **JSON, **headers
                )
            )
        other = {"HTTP_X_FORWARDED_FOR": "198.51.100.9"} if proxies else {}
        other_client = client.post(
            FEEDBACK_URL,
            answer(guidance_page, comment="someone else"),
            REMOTE_ADDR="10.0.0.1" if proxies else "198.51.100.9",
            **other,
            **JSON,
        )
    tally.tried(30)

    statuses = [response.status_code for response in answers]
    assert statuses == [201] * 10 + [429] * 20
    assert other_client.status_code == 201
    stored = FeedbackResponse.objects.count()
    assert stored == 11
    tally.responses(accepted=11, stored=stored)


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"useful": None}, "useful"),
        ({"useful": "maybe"}, "useful"),
        ({"useful": "YES"}, "useful"),
        ({"reason": "<script>alert(1)</script>"}, "reason"),
        ({"reason": "not-a-reason"}, "reason"),
        ({"useful": ["yes", "no"]}, "useful"),
        ({"useful": ["yes", "yes"]}, "useful"),
        ({"reason": ["parent-carer", "other"]}, "reason"),
        ({"comment": ["first", "second"]}, "comment"),
        ({"page": ["{page}", "1"]}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "99999999999999999999999"}, "page"),
        ({"page": "{home}"}, "page"),
    ],
)
@pytest.mark.parametrize("wants_json", [False, True])
def test_t05_missing_or_invalid_field(
    client, tally, guidance_page, site_tree, fields, error_field, wants_json
):
    """T5: a missing, unknown or repeated answer re-shows the form with its error; none stored."""
    data = answer(guidance_page, comment="A real comment")
    for name, value in fields.items():
        if value is None:
            del data[name]
            continue
        values = value if isinstance(value, list) else [value]
        data[name] = [item.format(page=guidance_page.pk, home=site_tree.home.pk) for item in values]
    tally.tried()

    response = client.post(FEEDBACK_URL, data, **(JSON if wants_json else {}))

    assert response.status_code == 400
    assert FeedbackResponse.objects.count() == 0
    if wants_json:
        assert error_field in response.json()["errors"]
        html = response.json()["html"]
    else:
        html = response.content.decode()
        summary = parse(response).select_one(".error-summary")
        assert summary is not None
        assert summary.select_one(f'a[href^="#id_{error_field}"]') or error_field == "page"
    assert "<script>alert(1)</script>" not in html


def test_t06_oversized_input(client, tally, guidance_page):
    """T6: too long a comment, too big a body, too many fields: refused clearly, nothing stored."""
    too_long = client.post(FEEDBACK_URL, answer(guidance_page, comment="x" * 1251))
    at_limit_emoji = client.post(
        FEEDBACK_URL, answer(guidance_page, comment="😀" * COMMENT_MAX_LENGTH), **JSON
    )
    FeedbackResponse.objects.all().delete()
    five_mb = client.post(FEEDBACK_URL, answer(guidance_page, comment="x" * 5_000_000))
    many_fields = client.generic(
        "POST",
        FEEDBACK_URL,
        "&".join(
            [
                *(f"{name}={value}" for name, value in answer(guidance_page).items()),
                *("a" for _ in range(5000)),
            ]
        ),
        content_type="application/x-www-form-urlencoded",
    )
    past_django_limit = client.generic(
        "POST",
        FEEDBACK_URL,
        "&" * 10_001,
        content_type="application/x-www-form-urlencoded",
    )
    tally.tried(4)

    assert too_long.status_code == 400
    assert "1,200 characters or fewer (it has 1251)" in too_long.content.decode()
    assert at_limit_emoji.status_code == 201  # counted in characters, not bytes
    assert five_mb.status_code == 413
    assert "too long to send" in five_mb.content.decode()
    assert many_fields.status_code == 400
    assert "could not be read" in many_fields.content.decode()
    assert past_django_limit.status_code == 400
    assert FeedbackResponse.objects.count() == 0


XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    '"><svg onload=alert(1)>',
    "{{ 7|add:7 }} {% now 'Y' %}",
]


def test_t08_stored_xss_via_feedback(client, tally, guidance_page, analyst):
    """T8: hostile markup in comments is inert text wherever staff read it."""
    for n, payload in enumerate(XSS):
        response = client.post(
            FEEDBACK_URL, answer(guidance_page, comment=payload), REMOTE_ADDR=f"192.0.2.{n + 1}"
        )
        assert response.status_code == 303
    redisplayed = client.post(
        FEEDBACK_URL,
        answer(guidance_page, useful="", comment=XSS[0] + XSS[1]),
        REMOTE_ADDR="192.0.2.99",
    )
    tally.tried(len(XSS) + 1)
    assert FeedbackResponse.objects.count() == len(XSS)

    client.force_login(analyst)
    pages = [
        client.get(FEEDBACK_REPORT),
        client.get(f"{FEEDBACK_REPORT}results/"),
        client.get(f"{FEEDBACK_REPORT}?q=alert"),
        redisplayed,
    ]
    for response in pages:
        assert response.status_code in {200, 400}
        html = response.content.decode()
        document = parse(response)
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x" not in html
        assert not document.select("[onerror], [onload]")
        assert not document.select('a[href^="javascript:"]')
        assert "{% now" not in html or "&#x27;Y&#x27;" in html  # never rendered as a template
    listing = pages[0].content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
    assert "{{ 7|add:7 }}" in listing
    # The admin's policy (docs/staff_sign_in.md) would still refuse an inline handler.
    policy = _directives(pages[0]["Content-Security-Policy"])
    assert policy["script-src-attr"] == "'none'"
    assert "'unsafe-eval'" not in policy["script-src"]


def _directives(policy):
    pairs = (directive.strip().partition(" ") for directive in policy.split(";"))
    return {name: value for name, _, value in pairs if name}


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"HTTP_ORIGIN": "https://evil.example"}, 403),
        ({"HTTP_ORIGIN": "null"}, 403),
        ({"HTTP_ORIGIN": "http://testserver.evil.example"}, 403),
        ({"HTTP_SEC_FETCH_SITE": "cross-site"}, 403),
        ({"HTTP_SEC_FETCH_SITE": "same-site"}, 403),
        ({"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "http://testserver"}, 403),
        ({"HTTP_REFERER": "https://evil.example/page"}, 403),
        ({"HTTP_REFERER": "http://testserver@evil.example/"}, 403),
        ({"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"}, 303),
        ({"HTTP_REFERER": "http://testserver/online-safety/sexting/"}, 303),
        ({"HTTP_SEC_FETCH_SITE": "none"}, 303),
        ({}, 303),  # no Origin, Fetch Metadata or Referer: a non-browser client (decision)
    ],
)
def test_t11_cross_site_forged_post(client, tally, guidance_page, headers, expected):
    """T11: cross-site posts are refused; same-origin and header-less ones accepted (decision)."""
    tally.tried()
    response = client.post(FEEDBACK_URL, answer(guidance_page, comment="About the page"), **headers)

    assert response.status_code == expected
    stored = FeedbackResponse.objects.count()
    if expected == 403:
        assert "only be sent from this website" in response.content.decode()
        assert stored == 0
    else:
        assert stored == 1
        tally.responses(accepted=1, stored=stored)


def test_t11_cross_site_forged_post_to_the_admin_needs_its_token(client, tally, admin_user):
    """T11: the admin keeps Django's CSRF check: a post without the token is refused."""
    client.handler.enforce_csrf_checks = True
    client.force_login(admin_user)
    tally.tried(2)

    response = client.post(
        "/admin/snippets/feedback/disclosurephrase/add/",
        {"phrase": "forged phrase"},
        HTTP_ORIGIN="https://evil.example",
    )
    logout = client.post("/admin/logout/")

    assert response.status_code == 403
    assert logout.status_code == 403
    from feedback.models import DisclosurePhrase

    assert not DisclosurePhrase.objects.filter(phrase="forged phrase").exists()
