"""Search that finds help: ranking, promoted results, odd queries, and what is counted.

Through the whole stack (middleware, page cache, Wagtail's database search
backend) on the suite's database: SQLite, or PostgreSQL's full-text search
with DATABASE_URL=postgres://... The basic search behaviour (finds a page,
leaves out drafts, says "no results") is in tests/guidance/test_pages.py.
"""

import csv
import datetime
import io
import logging

import openpyxl
import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.contrib.search_promotions.models import Query, QueryDailyHits, SearchPromotion
from wagtail.models import PageViewRestriction
from wagtail.search.backends import get_search_backend

from guidance.search import NoResultsSearch, stored_query_text
from tests.guidance.factories import GuidancePageFactory, paragraph, section
from tests.support.html import parse, parse_ok, text_of
from tests.support.users import member_of

SEARCH = "/search/"
NO_RESULTS_REPORT = "/admin/reports/searches-with-no-results/"
SYMBOL_QUERIES = [
    '"',
    "'",
    '"sexting',
    "sexting'",
    "&|!():*<>",
    "sexting & | ! ( ) : * < >",
    "!sexting",
    "sexting:*",
    "sexting <-> law",
    "(((((",
    ")",
    "\\",
    "\\\\sexting\\",
    "'; DROP TABLE guidance_guidancepage; --",
    "%_%",
    "NOT",
    "sexting OR",
    "AND OR NOT",
    "-sexting",
    "*",
    "^$.?+[]{}",
    "title:sexting",
    "live:false sexting",
    "\x00",
    "sex\x00ting",
    "\u202esexting",
    "😀 sexting",
    "\t\n\r",
]


def search(query, **params):
    """A search by an anonymous visitor, through the page cache and every middleware."""
    return Client().get(SEARCH, {"q": query, **params})


def result_links(response):
    """(href, title) of each result, promoted ones first, as a visitor meets them."""
    soup = parse_ok(response)
    return [(link["href"], text_of(link)) for link in soup.select(".search-results__title a")]


def promote(query_string, page, *, description="", sort_order=0):
    """A promoted result, as an editor makes one under Settings → Promoted search results."""
    return SearchPromotion.objects.create(
        query=Query.get(query_string), page=page, description=description, sort_order=sort_order
    )


@pytest.fixture
def seed_page(site_tree):
    """The "Sexting" page with the seed page's "Outcome 21" section."""
    page = site_tree.guidance
    page.body = [
        section("Know the law"),
        paragraph("<p>If you are under 18, sharing a sexual image is against the law.</p>"),
        section("Outcome 21"),
        paragraph(
            "<p>Outcome 21 is a code the police use. It records that a crime happened, "
            "but that taking action was not in the public interest.</p>"
        ),
    ]
    page.save_revision().publish()
    page.refresh_from_db()
    return page


# Finding the seed page --------------------------------------------------------


@pytest.mark.parametrize("query", ["sexting", "Sexting", "Outcome 21", "outcome 21"])
def test_the_seed_page_is_found(seed_page, query):
    assert (seed_page.url, "Sexting") in result_links(search(query))


@pytest.mark.parametrize("query", ["sexting", "Outcome 21", "nudes"])
def test_the_demo_seed_page_is_found(db, query):
    """The same on the demo content itself, whose promotion leads "nudes" to it."""
    from django.core.management import call_command

    from guidance.models import GuidancePage

    call_command("load_demo_content", stdout=io.StringIO())
    sexting = GuidancePage.objects.get(slug="sexting")

    assert result_links(search(query))[0] == (sexting.url, sexting.title)


def test_postgresql_full_text_search_is_used_on_postgresql(db):
    """Wagtail's database backend picks its implementation from the database in use."""
    backend = type(get_search_backend()).__name__

    expected = {"postgresql": "PostgresSearchBackend", "sqlite": "SQLiteSearchBackend"}
    assert backend == expected[connection.vendor]


def test_title_and_summary_rank_above_the_body(site_tree):
    """Title and summary (boost 2 each) outrank the same word in the body only."""
    in_body = GuidancePageFactory(
        parent=site_tree.topic,
        title="Threats online",
        summary="What to do if someone threatens you.",
        body=[section("What it is"), paragraph("<p>This is called sextortion.</p>")],
    )
    in_summary = GuidancePageFactory(
        parent=site_tree.topic,
        title="Blackmail",
        summary="Sextortion: when someone demands money or more images.",
        body=[section("What it is"), paragraph("<p>Someone demands money.</p>")],
    )
    in_title = GuidancePageFactory(
        parent=site_tree.topic,
        title="Sextortion",
        summary="When someone demands money or more images.",
        body=[section("What it is"), paragraph("<p>Someone demands money.</p>")],
    )

    found = [href for href, _ in result_links(search("sextortion"))]

    assert set(found[:2]) == {in_title.url, in_summary.url}
    assert found[2:] == [in_body.url]


# Promoted results -------------------------------------------------------------


def test_a_promotion_leads_a_word_the_pages_do_not_use_to_the_right_page(site_tree):
    promote("nudes", site_tree.guidance, description="Sharing nude images: the law and help.")

    soup = parse_ok(search("Nudes?"))

    promoted = soup.select_one(".search-promoted")
    assert promoted is not None
    assert text_of(promoted.find("h2")) == "Recommended for “Nudes?”"
    link = promoted.find("a", href=site_tree.guidance.url)
    assert text_of(link) == "Sexting"
    assert "Sharing nude images: the law and help." in text_of(promoted)
    assert "No results" not in text_of(soup)


def test_promoted_results_come_first_then_the_others_without_them(site_tree):
    promote("sexting", site_tree.other_guidance)
    promote("sexting", site_tree.topic, sort_order=1)

    links = result_links(search("sexting"))

    assert links[:2] == [
        (site_tree.other_guidance.url, "Grooming"),
        (site_tree.topic.url, "Online safety"),
    ]
    assert (site_tree.guidance.url, "Sexting") in links[2:]
    assert len(links) == len(set(links))  # a promoted page is not listed twice


def test_promotions_of_draft_or_private_pages_are_not_shown(site_tree):
    draft = GuidancePageFactory(parent=site_tree.topic, title="Unfinished")
    draft.unpublish()
    private = GuidancePageFactory(parent=site_tree.topic, title="Staff only")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    promote("xyzzy", draft)
    promote("xyzzy", private)

    soup = parse_ok(search("xyzzy"))

    assert soup.select_one(".search-promoted") is None
    assert "No results" in text_of(soup)


# Queries that must not break anything -----------------------------------------


@pytest.mark.parametrize("query", ["a" * 1000, "sexting " * 125, *SYMBOL_QUERIES])
def test_long_or_odd_queries_answer_with_results_or_none(site_tree, query):
    response = search(query)

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert not response.cookies
    assert response["Cache-Control"] == "no-store"
    soup = parse(response)
    assert (
        soup.select(".search-results__item")
        or "No results" in text_of(soup)
        or (
            not soup.select_one(".search-summary")  # nothing but symbols and spaces: the bare form
        )
    )
    assert len(soup.find("input", attrs={"name": "q"}).get("value", "")) <= 200


def test_nul_and_control_characters_are_dropped_not_searched(site_tree):
    assert (site_tree.guidance.url, "Sexting") in result_links(search("sex\x00ting"))


def test_a_query_that_finds_nothing_keeps_the_help_box(site_tree):
    soup = parse_ok(search("xyzzy"))

    assert text_of(soup.select_one(".search-summary")) == "No results for “ xyzzy ”."
    assert soup.select_one(".help-numbers") is not None
    assert soup.find("a", href="/") is not None  # "go to the home page and choose a subject"


# What is counted ----------------------------------------------------------------


def daily_hits(text):
    return sum(
        QueryDailyHits.objects.filter(query__query_string=text).values_list("hits", flat=True)
    )


def test_every_search_is_counted_even_with_the_page_cache_on(site_tree, settings):
    assert settings.PAGE_CACHE_MAX_AGE > 0
    for _ in range(3):
        assert search("xyzzy")["Cache-Control"] == "no-store"
    search("Sexting")
    search("sexting")

    assert daily_hits("xyzzy") == 3
    assert daily_hits("sexting") == 2
    today = timezone.localdate()
    assert list(NoResultsSearch.objects.values_list("date", "query_text", "hits")) == [
        (today, "xyzzy", 3)
    ]


def test_later_pages_of_the_same_search_are_not_counted_again(site_tree):
    for number in range(12):
        GuidancePageFactory(parent=site_tree.topic, title=f"Online safety guide {number}")

    search("online")
    search("online", page=2)

    assert daily_hits("online") == 1


def test_a_promoted_search_is_not_a_search_with_no_results(site_tree):
    promote("nudes", site_tree.guidance)

    search("nudes")

    assert daily_hits("nudes") == 1
    assert not NoResultsSearch.objects.exists()


def test_email_addresses_and_phone_numbers_are_never_stored(site_tree):
    search("help me@example.com 07700 900123")
    search("call +44 (0)20 7946 0018 now")
    search("Outcome 21 on 01/02/2026")

    stored = set(Query.objects.values_list("query_string", flat=True))
    stored |= set(NoResultsSearch.objects.values_list("query_text", flat=True))
    assert stored == {"help [removed] [removed]", "call [removed] now", "outcome 21 on 01 02 2026"}
    for text in stored:
        assert "@" not in text and "example" not in text
        assert "07700" not in text and "7946" not in text


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Nudes?", "nudes"),
        ("  WHAT   is\tsexting?? ", "what is sexting"),
        ("don't tell my mum", "don't tell my mum"),
        ("e-safety", "e-safety"),
        ("&|!():*<>", ""),
        ("=cmd|' /C calc'!A0", "cmd c calc a0"),
        ("write to jo.bloggs@example.co.uk", "write to [removed]"),
        ("07700900123", "[removed]"),
        ("ring 999 or 101", "ring 999 or 101"),
        ("SW1A 1AA police station", "[removed] police station"),
    ],
)
def test_what_is_kept_of_a_search(typed, stored):
    assert stored_query_text(typed) == stored


def test_a_phone_number_cut_by_the_length_limit_is_still_removed_whole():
    typed = "a" * 195 + " 07700 900123"

    assert "07700" not in stored_query_text(typed)
    assert stored_query_text(typed).endswith("[removed]")


def test_when_the_database_cannot_count_the_search_is_still_answered(site_tree, caplog):
    def refuse_counting(execute, sql, params, many, context):
        if "wagtailsearchpromotions_querydailyhits" in sql:
            raise OperationalError("the database is unavailable")
        return execute(sql, params, many, context)

    with (
        caplog.at_level(logging.WARNING, logger="guidance.search"),
        connection.execute_wrapper(refuse_counting),
    ):
        response = search("sexting")

    assert (site_tree.guidance.url, "Sexting") in result_links(response)
    assert "Search not counted" in caplog.text
    assert "sexting" not in caplog.text.lower()  # the words are not logged
    assert not QueryDailyHits.objects.exists()
    assert not Query.objects.exists()  # the whole count is rolled back
    # The connection is still usable afterwards.
    search("xyzzy")
    assert daily_hits("xyzzy") == 1


# The reports --------------------------------------------------------------------


def report_rows(response):
    """(search words, searches, last searched) for each row of a search report."""
    return [
        tuple(text_of(cell) for cell in row.find_all("td")[:3])
        for row in parse_ok(response).select("table tbody tr")
    ]


def csv_download(client, url, query=""):
    response = client.get(f"{url}?export=csv&{query}")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


@pytest.fixture
def searches(site_tree):
    """xyzzy searched three times today; "plover" four times, two days ago; "sexting" once."""
    for _ in range(3):
        search("xyzzy")
    search("sexting")
    two_days_ago = timezone.localdate() - datetime.timedelta(days=2)
    for _ in range(4):
        Query.get("plover").add_hit(date=two_days_ago)
        NoResultsSearch.add_hit("plover", date=two_days_ago)
    return two_days_ago


@pytest.mark.parametrize("group", ["Feedback analysts", "Moderators"])
def test_analysts_and_moderators_see_the_searches_with_no_results(client, searches, group):
    client.force_login(member_of(group))
    today, earlier = timezone.localdate(), searches

    rows = report_rows(client.get(NO_RESULTS_REPORT))

    assert rows == [
        ("plover", "4", f"{earlier:%-d %B %Y}"),
        ("xyzzy", "3", f"{today:%-d %B %Y}"),
    ]
    newest_first = report_rows(client.get(NO_RESULTS_REPORT, {"ordering": "-last_searched"}))
    assert [row[0] for row in newest_first] == ["xyzzy", "plover"]
    only_today = {"date_from": today.isoformat(), "date_to": today.isoformat()}
    assert report_rows(client.get(NO_RESULTS_REPORT, only_today)) == [
        ("xyzzy", "3", f"{today:%-d %B %Y}")
    ]


def test_the_no_results_download_counts_xyzzy_three_times(client, searches):
    client.force_login(member_of("Feedback analysts"))
    today = timezone.localdate().isoformat()

    rows = csv_download(client, NO_RESULTS_REPORT, f"date_from={today}&date_to={today}")

    assert rows == [["Search words", "Searches", "Last searched"], ["xyzzy", "3", today]]


def test_downloads_neutralise_what_a_spreadsheet_would_run(client, site_tree):
    today = timezone.localdate()
    for text in ("=1+2", "+44 20", "-cmd", "@SUM(A1)"):
        NoResultsSearch.add_hit(text, date=today)
        Query.objects.create(query_string=text).add_hit(date=today)
    client.force_login(member_of("Feedback analysts"))

    for url in (NO_RESULTS_REPORT, reverse("wagtailsearchpromotions:search_terms")):
        words = sorted(row[0].lower() for row in csv_download(client, url)[1:])
        assert words == ["'+44 20", "'-cmd", "'=1+2", "'@sum(a1)"], url


def test_the_xlsx_download_keeps_formula_like_words_as_text(client, site_tree):
    NoResultsSearch.add_hit("=1+2")
    client.force_login(member_of("Feedback analysts"))

    response = client.get(f"{NO_RESULTS_REPORT}?export=xlsx")

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cell = sheet["A2"]
    assert (cell.value, cell.data_type) == ("=1+2", "s")


@pytest.mark.parametrize("group", ["Feedback analysts", "Moderators"])
def test_analysts_and_moderators_see_wagtails_search_terms_for_the_chosen_days(
    client, searches, group
):
    client.force_login(member_of(group))
    url = reverse("wagtailsearchpromotions:search_terms")
    today = timezone.localdate()

    everything = report_rows(client.get(url))
    only_today = report_rows(
        client.get(url, {"date_from": today.isoformat(), "date_to": today.isoformat()})
    )

    assert [row[:2] for row in everything] == [("plover", "4"), ("xyzzy", "3"), ("sexting", "1")]
    assert [row[:2] for row in only_today] == [("xyzzy", "3"), ("sexting", "1")]
    download = csv_download(client, url, f"date_from={today}&date_to={today}")
    assert download[1:] == [["xyzzy", "3", today.isoformat()], ["sexting", "1", today.isoformat()]]


def test_the_reports_are_in_the_reports_menu_for_analysts(client, site_tree):
    client.force_login(member_of("Feedback analysts"))

    soup = parse_ok(client.get("/admin/"))

    menu = str(soup)
    assert NO_RESULTS_REPORT in menu
    assert reverse("wagtailsearchpromotions:search_terms") in menu


def test_superusers_find_search_terms_once_in_the_menu(admin_client, site_tree):
    menu = str(parse_ok(admin_client.get("/admin/")))

    assert menu.count(reverse("wagtailsearchpromotions:search_terms")) == 1


@pytest.mark.parametrize("group", ["Editors"])
def test_other_staff_cannot_read_the_search_reports(client, site_tree, group):
    client.force_login(member_of(group))

    for url in (NO_RESULTS_REPORT, reverse("wagtailsearchpromotions:search_terms")):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"xyzzy" not in response.content
    assert NO_RESULTS_REPORT not in str(parse(client.get("/admin/")))
