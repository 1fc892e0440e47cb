"""What a feedback analyst reads and downloads beyond the raw list.

- "Feedback by page" downloads (CSV and XLSX), permission-checked and logged;
- date cells in every feedback XLSX;
- the version number of each response in the exports, as "Feedback by
  version" numbers it;
- the "possible disclosure" flag in the exports and the list, and the
  "has a comment" filter;
- the line saying times are kept to the hour;
- the demo content's answers, kept to the hour and counted honestly.

Everything is read back as a user gets it: parsed CSV, openpyxl cells,
parsed HTML, the audit log, the command's output.
"""

import csv
import datetime
import io
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from feedback.audit import EXPORT_ACTION
from feedback.exports import EXPORT_COLUMNS, export_rows
from feedback.models import DisclosurePhrase, FeedbackResponse, VisitReason
from feedback.reports.history import page_history
from tests.feedback.factories import FeedbackResponseFactory, at, respond
from tests.guidance.factories import GuidancePageFactory
from tests.support.html import parse_ok, text_of
from tests.support.revisions import publish
from tests.support.users import member_of

REPORT = "/admin/reports/feedback/"
SUMMARY = "/admin/reports/feedback-summary/"
JULY = "date_from=2026-07-01&date_to=2026-07-31"
DISCLOSURE = "Please help, he is HURTING   me"
HOUR_LINE = (
    "Feedback keeps only the hour an answer was sent, not the minute or second: "
    "an answer sent at 14:37 shows as 14:00."
)
SUMMARY_HEADINGS = [
    "Page ID",
    "Page",
    "Path",
    "Page deleted",
    "Responses",
    "Useful",
    "Not useful",
    "% useful",
    "Most common reason for visit",
    "From",
    "To",
]


def column(name):
    return EXPORT_COLUMNS.index(name)


def csv_body(response):
    assert response.status_code == 200, response.content[:300]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"), newline="")))


def xlsx_sheet(response):
    assert response.status_code == 200, response.content[:300]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return openpyxl.load_workbook(io.BytesIO(body)).active


def list_rows(response):
    """The "Page feedback" list as text cells, one list per row."""
    page = parse_ok(response)
    table = page.select_one("table.listing")
    if table is None:
        return []
    return [[text_of(cell) for cell in row.find_all("td")] for row in table.select("tbody tr")]


@pytest.fixture
def july(site_tree):
    """Sexting: 3 answers in July (1 useful), Grooming: 2 (both useful), one in August."""
    parent = VisitReason.objects.get(slug="parent-carer")
    sexting, grooming = site_tree.guidance, site_tree.other_guidance
    return {
        "disclosure": respond(
            sexting, at=at(7, 1, hour=9), useful=False, reason=parent, comment=DISCLOSURE
        ),
        "plain": respond(sexting, at=at(7, 2), useful=False, reason=parent, comment="Too long"),
        "silent": respond(sexting, at=at(7, 3), reason=parent),
        "grooming": respond(grooming, at=at(7, 10), comment='=HYPERLINK("x","y")'),
        "grooming_silent": respond(grooming, at=at(7, 11)),
        "august": respond(sexting, at=at(8, 1), comment="Hurtful words, not hurting"),
    }


# --- 1. "Feedback by page" downloads ---------------------------------------------


def test_feedback_by_page_downloads_as_csv_one_row_per_page(client, analyst, july, site_tree):
    client.force_login(analyst)

    response = client.get(f"{SUMMARY}?{JULY}&export=csv")

    assert response["Content-Disposition"] == (
        'attachment; filename="feedback-by-page_from-2026-07-01_to-2026-07-31.csv"'
    )
    assert "no-store" in response["Cache-Control"]
    heading, *rows = csv_body(response)
    assert heading == SUMMARY_HEADINGS
    # Least useful first, as on screen.
    assert rows == [
        [
            str(site_tree.guidance.pk),
            "Sexting",
            "/online-safety/sexting/",
            "No",
            "3",
            "1",
            "2",
            "33",
            "I'm a parent or carer",
            "2026-07-01",
            "2026-07-31",
        ],
        [
            str(site_tree.other_guidance.pk),
            "Grooming",
            "/online-safety/grooming/",
            "No",
            "2",
            "2",
            "0",
            "100",
            "",
            "2026-07-01",
            "2026-07-31",
        ],
    ]


def test_feedback_by_page_csv_follows_the_filters_and_neutralises_formulas(
    client, analyst, site_tree, july
):
    FeedbackResponseFactory(
        page=None,
        page_title='=HYPERLINK("http://x","y")',
        page_path="/old/",
        submitted_at=at(7, 5),
        useful=False,
    )
    client.force_login(analyst)

    rows = csv_body(client.get(f"{SUMMARY}?{JULY}&min_responses=3&export=csv"))[1:]
    assert [row[1] for row in rows] == ["Sexting"]

    everything = csv_body(client.get(f"{SUMMARY}?{JULY}&export=csv"))[1:]
    deleted = next(row for row in everything if row[3] == "Yes")
    assert deleted[:3] == ["", '\'=HYPERLINK("http://x","y")', "/old/"]


def test_feedback_by_page_downloads_as_xlsx_with_date_cells(client, analyst, july):
    client.force_login(analyst)

    sheet = xlsx_sheet(client.get(f"{SUMMARY}?{JULY}&export=xlsx"))

    rows = list(sheet.iter_rows(min_row=2))
    assert [cell.value for cell in next(sheet.iter_rows(max_row=1))] == SUMMARY_HEADINGS
    assert [row[1].value for row in rows] == ["Sexting", "Grooming"]
    assert rows[0][4].value == 3
    start, end = rows[0][9], rows[0][10]
    assert start.is_date and end.is_date
    assert (start.value, end.value) == (datetime.date(2026, 7, 1), datetime.date(2026, 7, 31))


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_each_feedback_by_page_download_is_in_the_audit_log(client, analyst, july, export_format):
    client.force_login(analyst)

    response = client.get(f"{SUMMARY}?{JULY}&min_responses=&export={export_format}")
    assert response.status_code == 200

    entry = ModelLogEntry.objects.get(action=EXPORT_ACTION)
    assert entry.user == analyst
    assert entry.data == {
        "format": export_format,
        "filters": {
            "date_from": "2026-07-01",
            "date_to": "2026-07-31",
            "by": "page",
            "period": "2026-07-01 to 2026-07-31",
        },
        "rows": 5,
        "source": "admin, feedback by page",
        "forces": ["localhost"],
    }
    assert entry.label == "Page feedback responses"
    assert entry.message.startswith(
        f"Exported 5 feedback responses as {export_format.upper()} (admin, feedback by page)"
    )


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_feedback_by_page_downloads_are_refused_without_the_export_permission(
    client, july, export_format
):
    """Refused as the admin refuses everything: 403 to a script, the dashboard to a person."""
    client.force_login(member_of("Moderators"))

    report = client.get(SUMMARY)
    assert report.status_code == 200
    assert "Download CSV" not in report.content.decode()

    fetched = client.get(
        f"{SUMMARY}?export={export_format}", HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert fetched.status_code == 403
    followed = client.get(f"{SUMMARY}?export={export_format}", follow=True)
    assert followed.redirect_chain == [("/admin/", 302)]
    assert "Sorry, you do not have permission" in followed.content.decode()
    for refused in (fetched, followed):
        assert "attachment" not in refused.get("Content-Disposition", "")
    assert not ModelLogEntry.objects.filter(action=EXPORT_ACTION).exists()


def test_analysts_see_the_feedback_by_page_download_buttons(client, analyst, july):
    client.force_login(analyst)

    page = parse_ok(client.get(f"{SUMMARY}?{JULY}"))

    links = {text_of(link): link["href"] for link in page.find_all("a") if link.get("href")}
    assert "export=csv" in links["Download CSV"]
    assert "export=xlsx" in links["Download XLSX"]
    assert "date_from=2026-07-01" in links["Download CSV"]


def test_a_feedback_by_page_download_costs_the_same_queries_for_any_number_of_pages(
    client, analyst, july, site_tree
):
    client.force_login(analyst)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{SUMMARY}?{JULY}&export=csv")
            rows = csv_body(response)[1:]
        return len(captured), len(rows)

    queries()  # the first request also fills caches (the site, its root paths)
    few = queries()
    for number in range(4):
        page = GuidancePageFactory(parent=site_tree.topic, slug=f"more-{number}")
        respond(page, at=at(7, 4))
    many = queries()

    assert (few[1], many[1]) == (2, 6)
    assert many[0] == few[0]


def test_a_feedback_by_page_download_with_a_bad_filter_is_refused_not_widened(
    client, analyst, july
):
    client.force_login(analyst)

    response = client.get(f"{SUMMARY}?export=csv&date_from=2026-02-30", follow=True)

    assert not getattr(response, "streaming", False)
    assert "Correct the filters before downloading" in response.content.decode()
    assert not ModelLogEntry.objects.filter(action=EXPORT_ACTION).exists()


# --- 2. Date cells in XLSX ---------------------------------------------------------


def test_the_page_feedback_xlsx_download_has_date_cells(client, analyst, july):
    client.force_login(analyst)

    sheet = xlsx_sheet(client.get(f"{REPORT}?{JULY}&export=xlsx"))

    sent = [row[column("submitted_at")] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.is_date and isinstance(cell.value, datetime.datetime) for cell in sent)
    assert sent[0].value == datetime.datetime(2026, 7, 1, 9, 0)  # London time, as on screen
    assert sent[0].number_format == "yyyy-mm-dd hh:mm"


def test_the_export_command_writes_date_cells_and_the_csv_stays_iso_text(july, tmp_path):
    target = tmp_path / "feedback.xlsx"
    call_command("export_feedback", "--format", "xlsx", "--output", target, stderr=StringIO())
    out = StringIO()
    call_command("export_feedback", stdout=out)

    sheet = openpyxl.load_workbook(target).active
    cell = next(sheet.iter_rows(min_row=2, max_row=2))[column("submitted_at")]
    assert cell.is_date
    assert cell.value == datetime.datetime(2026, 7, 1, 9, 0)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[1][column("submitted_at")] == "2026-07-01T09:00:00+01:00"


def test_the_feedback_by_version_xlsx_has_date_cells(client, analyst, july, site_tree):
    client.force_login(analyst)
    url = reverse("feedback_reports:page_history", args=[site_tree.guidance.pk])

    sheet = xlsx_sheet(client.get(f"{url}?export=xlsx"))

    went_live = next(sheet.iter_rows(min_row=2, max_row=2))[2]
    assert went_live.is_date
    assert isinstance(went_live.value, datetime.datetime)


# --- 3. The version each answer was about --------------------------------------------


@pytest.fixture
def versions(site_tree):
    """Sexting published, a draft that visitors never saw live, then a rewrite.

    Visitors "read" the draft too (as if it had been live before publishes
    were logged), so "Feedback by version" places it between the two by its
    creation order: versions 1, 2 (the draft) and 3 (the rewrite).
    """
    page = site_tree.guidance
    first = page.live_revision
    draft = page.save_revision()
    rewrite = publish(page, member_of("Safeguarding reviewers", "rita"), summary="Plainer.")
    for revision, moment in [(first, at(7, 1)), (draft, at(7, 2)), (rewrite, at(7, 20))]:
        for hour in (9, 10):
            FeedbackResponseFactory(
                page=page, page_revision=revision, submitted_at=moment.replace(hour=hour)
            )
    return page, first, draft, rewrite


def test_exports_give_each_response_the_version_number_of_feedback_by_version(
    client, analyst, versions
):
    page, first, draft, rewrite = versions
    client.force_login(analyst)
    screen = parse_ok(client.get(reverse("feedback_reports:page_history", args=[page.pk])))
    shown = [text_of(row.find("td")) for row in screen.select("table.listing tbody tr")]
    assert shown == ["Version 1", "Version 2", "Version 3 (live now)"]
    numbers = {v.revision_id: v.number for v in page_history(page).versions}
    assert numbers == {first.pk: 1, draft.pk: 2, rewrite.pk: 3}

    rows = csv_body(client.get(f"{REPORT}?export=csv"))[1:]
    assert {(row[column("page_revision_id")], row[column("page_version")]) for row in rows} == {
        (str(first.pk), "1"),
        (str(draft.pk), "2"),
        (str(rewrite.pk), "3"),
    }

    # A narrower selection keeps the screen's numbers (the draft still counts).
    late = csv_body(client.get(f"{REPORT}?date_from=2026-07-15&export=csv"))[1:]
    assert [row[column("page_version")] for row in late] == ["3", "3"]

    sheet = xlsx_sheet(client.get(f"{REPORT}?export=xlsx"))
    assert [row[column("page_version")].value for row in sheet.iter_rows(min_row=2)] == [
        1,
        1,
        2,
        2,
        3,
        3,
    ]


def test_a_response_without_a_known_version_has_an_empty_version_cell(site_tree):
    respond(site_tree.guidance, at=at(7, 1))
    FeedbackResponse.objects.update(page_revision=None)
    FeedbackResponseFactory(
        page=None, page_title="Old", page_path="/old/", submitted_at=at(7, 2), useful=False
    )

    rows = list(export_rows(FeedbackResponse.objects.all()))

    assert [row[column("page_version")] for row in rows] == ["", ""]


def test_version_numbers_cost_the_same_queries_for_any_number_of_responses(versions):
    page, first, draft, rewrite = versions

    def queries():
        with CaptureQueriesContext(connection) as captured:
            rows = list(export_rows(FeedbackResponse.objects.all()))
        return len(captured), len(rows)

    few = queries()
    for number in range(30):
        FeedbackResponseFactory(
            page=page, page_revision=(first, draft, rewrite)[number % 3], comment="hurt me"
        )
    many = queries()

    assert few[1] == 6 and many[1] == 36
    assert many[0] == few[0]


# --- 4. Possible disclosures and the "has a comment" filter -------------------------------


def test_exports_flag_comments_that_hold_a_disclosure_phrase(client, analyst, july):
    client.force_login(analyst)

    rows = csv_body(client.get(f"{REPORT}?export=csv"))
    flags = {row[0]: row[column("possible_disclosure")] for row in rows[1:]}

    assert rows[0][-1] == "possible_disclosure"
    assert flags == {
        str(july["disclosure"].pk): "yes",  # "hurting me", whatever the capitals and spaces
        str(july["plain"].pk): "no",
        str(july["silent"].pk): "no",
        str(july["grooming"].pk): "no",
        str(july["grooming_silent"].pk): "no",
        str(july["august"].pk): "no",  # whole phrases only: "hurting" alone is not one
    }


@pytest.mark.parametrize(
    "text",
    [
        "he is HURTING\n\n  me",
        "hurt meat",
        "I was blackmailed",
        "stop blackmailing me",
        "a blackmail",
        "blackmailer",
        "thoughts of self-harm",
        "self harm",
        "selfharm",
        "(raped)",
        "grapes",
        "not safe",
        "notsafe",
        "kill myself",
        "kill mystery",
        "Diolch — ŵ ŷ 👍",
        "",
    ],
)
def test_the_list_and_export_flag_find_what_the_thank_you_finds(db, text):
    """One merged regular expression, read once, agrees with the per-phrase check of the form."""
    assert DisclosurePhrase.objects.matcher()(text) == bool(DisclosurePhrase.objects.matching(text))


def test_the_list_shows_a_possible_disclosure_badge_in_words(client, analyst, july):
    client.force_login(analyst)

    page = parse_ok(client.get(f"{REPORT}?{JULY}"))

    badges = page.select("td.feedback-comment .feedback-flag")
    assert [text_of(badge) for badge in badges] == ["Possible disclosure"]
    row = badges[0].find_parent("tr")
    assert DISCLOSURE.split()[0] in text_of(row)
    assert badges[0].find("strong") is not None
    icon = badges[0].find("svg")
    assert icon is not None and icon.get("aria-hidden") == "true"
    comments = {text_of(r.select_one("td.feedback-comment")) for r in page.select("tbody tr")}
    assert "Too long" in comments  # no badge on an ordinary comment


def test_the_has_a_comment_filter_narrows_the_list_and_the_download(client, analyst, july):
    client.force_login(analyst)

    everything = list_rows(client.get(f"{REPORT}?{JULY}"))
    with_comment = list_rows(client.get(f"{REPORT}?{JULY}&has_comment=true"))
    without = list_rows(client.get(f"{REPORT}?{JULY}&has_comment=false"))

    assert len(everything) == 5
    assert len(with_comment) == 3
    assert all(row[4] for row in with_comment)
    assert len(without) == 2
    assert all(row[4] == "" for row in without)
    downloaded = csv_body(client.get(f"{REPORT}?{JULY}&has_comment=true&export=csv"))[1:]
    assert {row[0] for row in downloaded} == {
        str(july[name].pk) for name in ("disclosure", "plain", "grooming")
    }
    drawer = parse_ok(client.get(REPORT))
    assert drawer.find("input", attrs={"name": "has_comment", "value": "true"}) is not None
    assert "Has a comment" in text_of(drawer)


# --- 5. Times kept to the hour ---------------------------------------------------------


def test_every_feedback_screen_says_times_are_kept_to_the_hour(client, analyst, july, site_tree):
    client.force_login(analyst)
    screens = [
        REPORT,
        SUMMARY,
        reverse("feedback_reports:page_history", args=[site_tree.guidance.pk]),
    ]

    for url in screens:
        assert HOUR_LINE in text_of(parse_ok(client.get(url))), url


def test_the_hour_line_stays_when_the_filters_refresh_the_results(client, analyst, july):
    client.force_login(analyst)

    results = client.get(f"{REPORT}results/?{JULY}&useful=false")

    assert HOUR_LINE in text_of(parse_ok(results))


# --- 6. The demo content's answers -----------------------------------------------------


@pytest.mark.django_db
def test_demo_answers_keep_the_hour_and_the_command_counts_them():
    first = StringIO()
    call_command("load_demo_content", stdout=first)
    again = StringIO()
    call_command("load_demo_content", stdout=again)

    sent = list(FeedbackResponse.objects.values_list("submitted_at", flat=True))
    assert len(sent) == 80
    assert all(moment.minute == moment.second == moment.microsecond == 0 for moment in sent)
    assert "Feedback responses: 80 created" in first.getvalue().splitlines()
    assert "Feedback responses: 80 unchanged" in again.getvalue().splitlines()
