"""T7: hostile characters in every input a visitor or a member of staff controls.

NUL, other control characters, invalid UTF-8 (raw and percent-encoded,
lone surrogates among them), the text-direction controls, zero-width
characters, 4-byte emoji, floods of combining marks, noncharacters, markup
and very long strings go into the feedback form's fields, the search box,
the query strings of pages, URL paths, the staff sign-in form, and every
filter, search, sort, page and download parameter of every report the
feedback and guidance apps register, as the staff who read them.

What must hold: no 5xx anywhere (a 4xx, or a 200 saying what is wrong);
nothing half-written (no partial or broken feedback row, one audit entry per
download served); and whatever is shown again is escaped.
"""

import itertools
from urllib.parse import quote

import pytest
from django.test import override_settings
from wagtail.models import ModelLogEntry

from feedback.models import COMMENT_MAX_LENGTH, FeedbackResponse
from guidance.search import NoResultsSearch
from portal.scrubbing import BIDI_CONTROLS
from tests.support import visitor
from tests.support.admin_urls import report_urls
from tests.support.fuzzing import values_for
from tests.support.visitor import FEEDBACK_URL, JSON, answer

pytestmark = pytest.mark.slow  # fuzzes every input as every role

SHARE_SITE_TREE = True
guidance_page = visitor.guidance_page
analyst = visitor.analyst
moderator = visitor.moderator

MARKUP = "<script>alert(1)</script>"
BIDI = "".join(map(chr, BIDI_CONTROLS))
# Text a visitor can type or paste (the test client sends it as UTF-8).
HOSTILE = {
    "nul": "a\x00b",
    "controls": "\x01\x07\x08\x0b\x0c\x1b[31m\x7f\x85",
    "rtl_override": "\u202egpj.exe",
    "bidi_controls": f"x{BIDI}y",
    "zero_width": "a\u200b\u200c\u200d\u2060\ufeffb",
    "emoji": "😀👩‍👩‍👧🏳️‍🌈",
    "combining_flood": "Z" + "\u0336\u0301" * 500,
    "noncharacters": "\ufffe\uffff\U0010ffff\U000e0001",
    "markup": MARKUP + "\"'&",
    "sql": "' OR 1=1; DROP TABLE feedback_feedbackresponse; --",
    "huge_number": "9" * 40,
    "negative": "-1",
    "bad_date": "2026-02-30",
    "long": "x" * 20_000,
}
# Bytes no UTF-8 text holds, percent-encoded (as a URL or a form body carries them)
# and raw: a lone surrogate, stray and overlong bytes, a cut-off emoji, NUL.
INVALID_UTF8 = [b"\xed\xa0\x80", b"\xff\xfe", b"\xc0\xaf", b"\xf0\x9f\x98", b"\x00"]
PERCENT_ENCODED = [quote(raw) for raw in INVALID_UTF8]
ALLOWED = {200, 201, 301, 302, 303, 400, 403, 404, 405, 413}


def percent_text(text):
    return quote(text, safe="")


def assert_answered(response, what):
    """Not a 5xx; and markup sent in is never given back live."""
    assert response.status_code in ALLOWED, (response.status_code, what)
    # A download fails while it streams: read it all.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert MARKUP.encode() not in body, what


def assert_stored_rows_are_clean():
    """Every stored comment is within the limit and free of what must never be kept."""
    for comment in FeedbackResponse.objects.values_list("comment", flat=True):
        assert len(comment) <= COMMENT_MAX_LENGTH
        assert "\x00" not in comment
        assert not [char for char in comment if char != "\n" and ord(char) < 32]
        assert not set(comment) & set(BIDI)


FORM_FIELDS = ["page", "useful", "reason", "comment", "giraffe"]


@override_settings(FEEDBACK_RATE_LIMIT_PER_MINUTE=100_000)
def test_t07_hostile_characters_feedback_form(client, tally, guidance_page, analyst):
    """Every field of the form, as text, as raw invalid UTF-8, percent-encoded, and multipart."""
    accepted = 0
    sent = 0
    for n, ((name, text), field) in enumerate(itertools.product(HOSTILE.items(), FORM_FIELDS)):
        # A word first keeps each comment its own (the scrubbing may replace digits).
        value = f"note{n}: {text}" if field == "comment" else text
        before = FeedbackResponse.objects.count()
        response = client.post(FEEDBACK_URL, answer(guidance_page, **{field: value}), **JSON)
        sent += 1
        assert_answered(response, (name, field))
        stored = FeedbackResponse.objects.count() - before
        assert stored in {0, 1}
        if response.status_code == 201 and field != "giraffe":
            accepted += 1
            assert stored == 1, (name, field)
        if response.status_code >= 400:
            assert stored == 0
        if field == "comment" and name in {"zero_width", "emoji", "combining_flood"}:
            kept = FeedbackResponse.objects.order_by("-pk").first().comment
            assert kept == value.strip()[:COMMENT_MAX_LENGTH], name  # kept as typed

    # Raw bodies: the same bytes unencoded, and percent-encoded, in each field.
    for n, (raw, field) in enumerate(itertools.product(INVALID_UTF8, FORM_FIELDS)):
        for body_value in (raw, quote(raw).encode()):
            fields = {key: value.encode() for key, value in answer(guidance_page).items()}
            prefix = f"raw{n}{len(body_value)}: ".encode() if field == "comment" else b""
            fields[field] = prefix + body_value
            body = b"&".join(key.encode() + b"=" + value for key, value in fields.items())
            before = FeedbackResponse.objects.count()
            response = client.generic(
                "POST", FEEDBACK_URL, body, "application/x-www-form-urlencoded", **JSON
            )
            sent += 1
            assert_answered(response, (raw, field))
            stored = FeedbackResponse.objects.count() - before
            if response.status_code == 201 and field != "giraffe":
                accepted += 1
                assert stored == 1, (raw, field)
            assert stored in {0, 1}
    multipart = (
        b'--b\r\nContent-Disposition: form-data; name="page"\r\n\r\n'
        + str(guidance_page.pk).encode()
        + b'\r\n--b\r\nContent-Disposition: form-data; name="useful"\r\n\r\nyes'
        + b'\r\n--b\r\nContent-Disposition: form-data; name="comment"\r\n\r\n'
        + b"multi \xed\xa0\x80\x00\xff"
        + b'\r\n--b\r\nContent-Disposition: form-data; name="\xff\x00"\r\n\r\nx\r\n--b--\r\n'
    )
    response = client.generic("POST", FEEDBACK_URL, multipart, "multipart/form-data; boundary=b")
    sent += 1
    assert_answered(response, "multipart")
    if response.status_code == 303:
        accepted += 1

    tally.tried(sent)
    assert_stored_rows_are_clean()
    stored = FeedbackResponse.objects.count()
    assert stored == accepted
    tally.responses(accepted=accepted, stored=stored)
    # Invalid bytes arrive as U+FFFD, a visible mark, never as a broken string.
    assert FeedbackResponse.objects.filter(comment__contains="\ufffd").exists()

    # Staff read it all back escaped, on every page of the report.
    client.force_login(analyst)
    pages = FeedbackResponse.objects.count() // 50 + 1
    for number in range(1, pages + 1):
        listing = client.get(f"/admin/reports/feedback/?p={number}")
        assert listing.status_code == 200
        assert MARKUP.encode() not in listing.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in b"".join(
        client.get(f"/admin/reports/feedback/?p={number}").content for number in range(1, pages + 1)
    )


def _invalid_bytes_in_query_strings(client, paths):
    """Invalid UTF-8 in query strings, percent-encoded and raw; returns how many were sent."""
    sent = 0
    for encoded, path in itertools.product(PERCENT_ENCODED, paths):
        for query in (f"q={encoded}", f"q=sexting&page={encoded}", f"{encoded}={encoded}"):
            response = client.get(f"{path}?{query}")
            sent += 1
            assert_answered(response, (path, query))
    for raw, path in itertools.product(INVALID_UTF8, paths):  # unencoded bytes
        response = client.get(path, QUERY_STRING="q=" + raw.decode("latin-1"))
        sent += 1
        assert_answered(response, (path, raw))
    return sent


def test_t07_hostile_characters_search_box_and_page_query_strings(client, tally, guidance_page):
    """/search/?q= and ?page=, and the query strings of pages, with every hostile value."""
    pages = ["/", "/online-safety/", guidance_page.url, "/exit/", "/search/"]
    sent = 0
    for name, text in HOSTILE.items():
        for params in ({"q": text}, {"q": "sexting", "page": text}, {text[:50]: "x"}):
            response = client.get("/search/", params)
            sent += 1
            assert_answered(response, (name, params.keys()))
            if "q" in params and response.status_code == 200:
                assert "no-store" in response["Cache-Control"]
        for path in pages:
            response = client.get(path, {"utm_source": text, text[:50]: text[:50]})
            sent += 1
            assert_answered(response, (name, path))
    sent += _invalid_bytes_in_query_strings(client, ["/search/", *pages])
    tally.tried(sent)
    for stored in NoResultsSearch.objects.values_list("query_text", flat=True):
        assert "\x00" not in stored
        assert "<" not in stored


def test_t07_hostile_characters_url_paths(client, tally, guidance_page):
    """Hostile characters in URL paths: public pages, the thank-you token, the admin."""
    prefixes = [
        "/",
        "/online-safety/",
        guidance_page.url,
        "/feedback/thanks/",
        "/admin/",
        "/search/",
    ]
    segments = [percent_text(text) for text in HOSTILE.values()] + PERCENT_ENCODED
    sent = 0
    for prefix, segment in itertools.product(prefixes, segments):
        for path in (f"{prefix}{segment}/", f"{prefix}{segment}"):
            response = client.get(path)
            sent += 1
            assert_answered(response, path[:80])
    long_path = "/" + "/".join(["a" * 200] * 60) + "/"
    for path in (long_path, "/" + "%00" * 5000, "/%2e%2e/%2e%2e/etc/passwd", "//evil.example/"):
        response = client.get(path)
        sent += 1
        assert_answered(response, path[:80])
    tally.tried(sent)


def report_parameters(callback):
    """The parameters a report reads: its filters (both ends of a date range) and the listing's."""
    view = getattr(callback, "view_class", None)
    names = {"p", "ordering", "export", "q", "_w_filter_fragment"}
    filterset = getattr(view, "filterset_class", None)
    for name in getattr(filterset, "base_filters", {}):
        names |= {name, f"{name}_from", f"{name}_to"}
    return sorted(names)


STAFF_LISTINGS = [
    "/admin/snippets/feedback/disclosurephrase/",
    "/admin/snippets/feedback/visitreason/",
    "/admin/snippets/guidance/signpostingcontact/",
    "/admin/pages/search/",
]
ADMIN_VALUES = {
    name: HOSTILE[name]
    for name in [
        "nul",
        "controls",
        "rtl_override",
        "zero_width",
        "emoji",
        "combining_flood",
        "markup",
        "sql",
        "huge_number",
        "negative",
        "bad_date",
        "long",
    ]
}


def _export_entries():
    return ModelLogEntry.objects.filter(action="feedback.export").count()


# Values sent to each export on top of its filters (a download streams: errors show late).
EXPORT_VALUES = [HOSTILE["nul"], "\ud800", HOSTILE["markup"], HOSTILE["huge_number"]]


def _probe_report(client, url, names, values, *, exports, together=False):
    """Each parameter alone (or all together) with its share of values and bytes; then downloads.

    Each parameter gets the fuzzing budget's number of values
    (tests/support/fuzzing.py), taken in turn so that the report's
    parameters between them send every value; FUZZ_EXAMPLES raises it.
    """
    sent = downloads = 0
    groups = [names] if together else [[name] for name in names]
    for index, group in enumerate(groups):
        for text in values_for(index, values):
            response = client.get(url, dict.fromkeys(group, text))
            sent += len(group)
            assert_answered(response, (url, group, text[:20]))
        for encoded in values_for(index, PERCENT_ENCODED):
            response = client.get(url + "?" + "&".join(f"{name}={encoded}" for name in group))
            sent += len(group)
            assert_answered(response, (url, group, encoded))
    for export_format, (index, name) in itertools.product(exports, enumerate(names)):
        if name == "export":
            continue
        for text in values_for(index, EXPORT_VALUES):
            query = f"export={export_format}&{quote(name)}={quote(text, errors='surrogatepass')}"
            response = client.get(f"{url}?{query}")
            sent += 1
            assert_answered(response, (url, query[:80]))
            downloads += response.status_code == 200 and url.startswith("/admin/reports/feedback")
    return sent, downloads


@pytest.mark.parametrize("role", ["admin_user", "analyst", "moderator"])
def test_t07_hostile_characters_admin_reports_and_exports(
    client, tally, guidance_page, role, request
):
    """Every report's filters, search, sort, page and export parameters, as the staff who read it.

    A superuser, who sees every report, gets every value in every parameter;
    an analyst and a moderator (whose rights narrow what a report lists)
    every parameter of the reports they may open, with fewer values.
    """
    user = request.getfixturevalue(role)
    client.force_login(user)
    urls = report_urls()
    assert {"/admin/reports/feedback/", "/admin/reports/review-due/"} <= {url for url, _ in urls}
    assert "/admin/searchpicks/reports/search-terms/" in {url for url, _ in urls}
    FeedbackResponse.objects.create(
        page=guidance_page,
        page_title=guidance_page.title,
        page_path=guidance_page.url,
        useful=False,
        comment="A comment to list",
    )
    values = list(ADMIN_VALUES.values())
    if role != "admin_user":
        values = [HOSTILE[name] for name in ("nul", "rtl_override", "markup", "huge_number")]
    sent = downloads = 0
    exports_before = _export_entries()
    for url, callback in urls + [(url, None) for url in STAFF_LISTINGS]:
        if client.get(url).status_code in {302, 403}:
            continue  # not this role's report: T24 covers forced browsing
        names = report_parameters(callback) if callback else ["q", "p", "ordering"]
        view = getattr(callback, "view_class", None)
        results_only = getattr(callback, "view_initkwargs", {}).get("results_only")
        formats = () if results_only or view is None else getattr(view, "FORMATS", ())
        # The results-only address is the same view: its parameters go all at once.
        tried, served = _probe_report(
            client, url, names, values, exports=formats, together=bool(results_only)
        )
        sent += tried
        downloads += served
    if role == "admin_user":  # the contacts' search answers, on SQLite as on PostgreSQL
        found = client.get("/admin/snippets/guidance/signpostingcontact/", {"q": "advice"})
        assert "Stop It Now" in found.content.decode()
    tally.tried(sent)
    # Nothing half-written: one audit entry per feedback download served.
    assert _export_entries() - exports_before == downloads


def test_t07_hostile_characters_staff_sign_in(client, tally, db):
    """The sign-in form's username and password: refused as wrong, never a 5xx."""
    sent = 0
    for text in [*HOSTILE.values(), "\ud800"]:
        value = quote(text, errors="surrogatepass")
        body = f"username={value}&password={value}"
        response = client.generic(
            "POST", "/admin/login/", body.encode(), "application/x-www-form-urlencoded"
        )
        sent += 1
        assert response.status_code in {200, 400, 403, 429}, text[:20]
        assert MARKUP.encode() not in response.content
    tally.tried(sent)
