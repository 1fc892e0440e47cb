"""Feedback belongs to a force, and analysts see their own force's only.

Two forces (tests/support/force_feedback.py): the site tree's on `localhost`
and Southdale, three answers on each. "A analysts" may read and download
feedback for the first force only (a `ForceGroup`); "Feedback analysts" (no
force) see every force and get a "Force" filter and column.
"""

import csv
import importlib
import io
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from wagtail.models import ModelLogEntry

from feedback.audit import EXPORT_ACTION
from feedback.exports import EXPORT_COLUMNS
from feedback.models import FeedbackResponse
from tests.feedback.factories import FeedbackResponseFactory
from tests.support.admin_urls import report_urls
from tests.support.force_feedback import (
    DELETED_PATH,
    SECOND_COMMENT,
    SECOND_DELETED_TITLE,
    SECOND_PAGE_TITLE,
    force_analysts,
    two_forces_with_feedback,
)
from tests.support.forces import FIRST_HOST, SECOND_HOST
from tests.support.html import parse, parse_ok, text_of
from tests.support.panels import render_page_panel
from tests.support.users import member_of

SHARE_SITE_TREE = True

REPORT = "/admin/reports/feedback/"
SUMMARY = "/admin/reports/feedback-summary/"
READING_AGE = "/admin/reports/reading-age/"
FIRST_FORCE = "Safeguarding guidance"  # the site tree's site name
SECOND_FORCE = "Southdale Police: keeping children safe"
SECOND_WORDS = [SECOND_COMMENT, SECOND_PAGE_TITLE, SECOND_DELETED_TITLE, SECOND_HOST, SECOND_FORCE]


@pytest.fixture
def forces(site_tree, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, SECOND_HOST]
    return two_forces_with_feedback(site_tree)


@pytest.fixture
def first_analyst(forces):
    force_analysts(forces.first_site, "A analysts")
    return member_of("A analysts", "ann")


@pytest.fixture
def national_analyst(forces):
    return member_of("Feedback analysts", "nat")


def ids(responses):
    return sorted(response.pk for response in responses)


def table_rows(response):
    """The report's main table (not the chart's) as {header: cell text} per row."""
    page = parse_ok(response)
    table = next(t for t in page.select("table.listing") if not t.find_parent("figure"))
    headers = [text_of(th) for th in table.select("thead th")]
    return [
        dict(zip(headers, [text_of(td) for td in row.find_all("td")], strict=False))
        for row in table.select("tbody tr")
    ]


def csv_of(response):
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def assert_nothing_of_the_second_force(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", errors="replace")
    assert not [words for words in SECOND_WORDS if words in text]


# --- Who sent it: the force of the host name -----------------------------------------------


def test_a_posted_answer_records_the_force_of_the_host_name_it_was_sent_on(client, forces):
    answer = {"useful": "no", "comment": "Sent on Southdale"}

    on_second = client.post(
        "/feedback/", {**answer, "page": forces.second_page.pk}, HTTP_HOST=SECOND_HOST
    )
    on_first = client.post(
        "/feedback/", {**answer, "page": forces.first.guidance.pk}, HTTP_HOST=FIRST_HOST
    )

    assert (on_second.status_code, on_first.status_code) == (303, 303)
    newest = FeedbackResponse.objects.filter(comment="Sent on Southdale").order_by("pk")
    assert [(r.site_id, r.page_id) for r in newest] == [
        (forces.second_site.pk, forces.second_page.pk),
        (forces.first_site.pk, forces.first.guidance.pk),
    ]


def test_an_answer_about_another_forces_page_is_refused(client, forces):
    before = FeedbackResponse.objects.count()

    response = client.post(
        "/feedback/", {"useful": "yes", "page": forces.first.guidance.pk}, HTTP_HOST=SECOND_HOST
    )

    assert response.status_code == 400
    assert FeedbackResponse.objects.count() == before


def test_the_migration_gives_older_answers_the_force_of_their_page(forces, monkeypatch):
    """0006 places each answer by its page's site, else on the default site, in batches."""
    migration = importlib.import_module("feedback.migrations.0006_fill_feedbackresponse_site")
    monkeypatch.setattr(migration, "BATCH", 2)
    FeedbackResponseFactory(page=None, page_title="Gone", page_path="/gone/")
    FeedbackResponse.objects.update(site=None)

    migration.fill_sites(apps, SimpleNamespace(connection=connection))

    first, second = forces.first_site.pk, forces.second_site.pk
    placed = dict(FeedbackResponse.objects.values_list("pk", "site_id"))
    *about_second_page, second_deleted = forces.second_responses
    assert {placed[r.pk] for r in about_second_page} == {second}
    # Answers about deleted pages (whichever force they came from) go to the default site.
    assert {placed[r.pk] for r in [*forces.first_responses, second_deleted]} == {first}
    assert set(placed.values()) == {first, second}


def test_a_deleted_forces_answers_stay_for_those_who_see_every_force(
    client, first_analyst, national_analyst, forces
):
    forces.second_site.delete()

    client.force_login(national_analyst)
    national = table_rows(client.get(REPORT))
    client.force_login(first_analyst)
    first = table_rows(client.get(REPORT))

    assert FeedbackResponse.objects.filter(site=None).count() == 3
    assert (len(national), len(first)) == (6, 3)


# --- A force's analyst: their force only, everywhere ----------------------------------------


def test_visible_to_gives_each_analyst_their_forces_answers(
    first_analyst, national_analyst, forces
):
    visible = FeedbackResponse.objects.visible_to

    assert ids(visible(first_analyst)) == ids(forces.first_responses)
    assert ids(visible(national_analyst)) == ids(forces.first_responses + forces.second_responses)
    assert not visible(User.objects.create_user("in-no-group")).exists()


def test_a_force_analyst_lists_and_searches_only_their_forces_answers(
    client, first_analyst, forces
):
    client.force_login(first_analyst)

    listed = client.get(REPORT)
    rows = table_rows(listed)

    assert len(rows) == 3 and "Force" not in rows[0]
    assert_nothing_of_the_second_force(listed)
    assert 'name="force"' not in listed.content.decode()
    for query in ("q=Southdale", "q=secret", f"force={forces.second_site.pk}"):
        assert_nothing_of_the_second_force(client.get(f"{REPORT}results/?{query}"))
    assert len(table_rows(client.get(f"{REPORT}?force={forces.second_site.pk}"))) == 3


@pytest.mark.parametrize("page", ["second_page", "second_home"])
def test_another_forces_page_id_gives_no_rows_and_no_download(client, first_analyst, forces, page):
    client.force_login(first_analyst)
    page_id = (forces.second_page if page == "second_page" else forces.second.home).pk

    for url in (REPORT, f"{REPORT}results/", SUMMARY, f"{SUMMARY}results/"):
        response = client.get(f"{url}?page={page_id}")
        assert response.status_code == 200
        assert "Correct these filters" in response.content.decode()
        assert_nothing_of_the_second_force(response)
    download = client.get(f"{REPORT}?page={page_id}&export=csv")
    assert download.status_code == 302
    history = reverse("feedback_reports:page_history", args=[page_id])
    assert client.get(history).status_code == 404
    assert client.get(f"{history}?export=csv").status_code == 404
    assert not ModelLogEntry.objects.filter(action=EXPORT_ACTION).exists()


def test_a_force_analysts_downloads_hold_their_forces_rows_only(client, first_analyst, forces):
    client.force_login(first_analyst)

    rows = csv_of(client.get(f"{REPORT}?export=csv"))
    workbook = client.get(f"{REPORT}?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active
    by_page = csv_of(client.get(f"{SUMMARY}?export=csv"))

    assert rows[0] == EXPORT_COLUMNS
    assert sorted(int(row[0]) for row in rows[1:]) == ids(forces.first_responses)
    assert sorted(row[0].value for row in sheet.iter_rows(min_row=2)) == ids(forces.first_responses)
    assert by_page[0][0] == "Page ID"
    assert sorted(row[1] for row in by_page[1:]) == ["Grooming", "Old advice", "Sexting"]
    logged = ModelLogEntry.objects.filter(action=EXPORT_ACTION)
    assert [entry.data["forces"] for entry in logged] == [[FIRST_HOST]] * 3


def test_a_force_analysts_figures_count_their_force_only(client, first_analyst, forces):
    client.force_login(first_analyst)

    summary = client.get(SUMMARY)
    totals = {
        text_of(div.dt): text_of(div.dd) for div in parse_ok(summary).select(".feedback-totals div")
    }
    pages = {row["Page"].split(" /")[0]: row["Responses"] for row in table_rows(summary)}
    dashboard = text_of(
        parse_ok(client.get("/admin/")).select_one("#page-feedback-content, #page-feedback")
    )
    reading_age = [row["Page"] for row in table_rows(client.get(READING_AGE))]
    history = client.get(reverse("feedback_reports:page_history", args=[forces.first.guidance.pk]))

    assert totals["Responses"] == "3"
    assert pages == {
        "Sexting": "1 responses about Sexting",
        "Grooming": "1 responses about Grooming",
        "Old advice": "1",
    }
    assert "3 responses: 33% found the page useful" in dashboard
    assert sorted(reading_age) == ["Grooming", "Sexting"]
    assert history.status_code == 200
    assert_nothing_of_the_second_force(summary)


def test_the_editor_panel_counts_the_readers_forces_only(first_analyst, national_analyst, forces):
    as_first = text_of(render_page_panel(forces.second_page, first_analyst))
    as_national = text_of(render_page_panel(forces.second_page, national_analyst))

    assert "No responses in the last 90 days" in as_first
    assert "2 responses, 50% found the page useful" in as_national


# --- A national analyst: every force, and a "Force" filter ----------------------------------


def test_a_national_analyst_sees_every_force_with_a_force_column_and_filter(
    client, national_analyst, forces
):
    client.force_login(national_analyst)

    everything = client.get(REPORT)
    second_only = table_rows(client.get(f"{REPORT}?force={forces.second_site.pk}"))

    rows = table_rows(everything)
    assert len(rows) == 6
    assert sorted(row["Force"] for row in rows) == [FIRST_FORCE] * 3 + [SECOND_FORCE] * 3
    options = parse(everything).select('select[name="force"] option')
    assert [text_of(option) for option in options] == ["All forces", FIRST_FORCE, SECOND_FORCE]
    assert [row["Force"] for row in second_only] == [SECOND_FORCE] * 3
    assert SECOND_COMMENT in " ".join(row["Comment"] for row in second_only)


def test_a_national_analysts_downloads_name_each_answers_force(client, national_analyst, forces):
    client.force_login(national_analyst)

    rows = csv_of(client.get(f"{REPORT}?export=csv"))
    first_only = csv_of(client.get(f"{REPORT}?export=csv&force={forces.first_site.pk}"))

    assert rows[0] == [*EXPORT_COLUMNS, "force"]
    by_id = {int(row[0]): row[-1] for row in rows[1:]}
    assert by_id == {
        **{r.pk: FIRST_HOST for r in forces.first_responses},
        **{r.pk: SECOND_HOST for r in forces.second_responses},
    }
    assert sorted(int(row[0]) for row in first_only[1:]) == ids(forces.first_responses)
    logged = ModelLogEntry.objects.filter(action=EXPORT_ACTION).order_by("pk")
    assert [entry.data["forces"] for entry in logged] == [[FIRST_HOST, SECOND_HOST], [FIRST_HOST]]
    assert "forces: localhost, southdale.localhost" in logged[0].message


def test_feedback_by_page_is_grouped_per_force_for_a_national_analyst(
    client, national_analyst, forces
):
    client.force_login(national_analyst)

    summary = client.get(SUMMARY)
    rows = table_rows(summary)
    download = csv_of(client.get(f"{SUMMARY}?export=csv"))
    link = parse(summary).select_one(f'a[href*="page={forces.second_page.pk}&"]')["href"]

    assert [row["Force"] for row in rows] == [FIRST_FORCE] * 3 + [SECOND_FORCE] * 2
    deleted = [row for row in rows if DELETED_PATH in row["Page"]]
    assert [(row["Force"], row["Responses"]) for row in deleted] == [
        (FIRST_FORCE, "1"),
        (SECOND_FORCE, "1"),
    ]
    assert download[0][0] == "Force"
    assert [row[0] for row in download[1:]] == [FIRST_HOST] * 3 + [SECOND_HOST] * 2
    # Each count links to those responses: that page, on that force.
    assert f"force={forces.second_site.pk}" in link
    assert [row["Force"] for row in table_rows(client.get(link))] == [SECOND_FORCE] * 2


# --- export_feedback --force -----------------------------------------------------------------


def export(*args):
    out = io.StringIO()
    call_command("export_feedback", *args, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_export_feedback_exports_one_force_by_its_host_name(forces):
    second = export("--force", SECOND_HOST.upper())
    every = export()

    assert second[0] == EXPORT_COLUMNS
    assert sorted(int(row[0]) for row in second[1:]) == ids(forces.second_responses)
    assert every[0] == [*EXPORT_COLUMNS, "force"]
    assert len(every) == 7
    logged = ModelLogEntry.objects.filter(action=EXPORT_ACTION).order_by("pk")
    assert [entry.data["forces"] for entry in logged] == [[SECOND_HOST], [FIRST_HOST, SECOND_HOST]]


def test_export_feedback_refuses_an_unknown_host_name(forces):
    with pytest.raises(
        CommandError, match="no force .site. with the host name 'nowhere.localhost'"
    ):
        export("--force", "nowhere.localhost")


# --- No report can forget: every feedback and guidance report URL, as the first force's analyst


def test_no_report_or_download_shows_a_force_analyst_another_forces_feedback(
    client, first_analyst, forces
):
    client.force_login(first_analyst)
    urls = [url for url, _view in report_urls()]
    assert {REPORT, SUMMARY, READING_AGE} <= set(urls)

    for url in urls:
        for query in ("", "?export=csv", f"?page={forces.second_page.pk}"):
            assert_nothing_of_the_second_force(client.get(url + query))


def test_reports_read_feedback_only_through_the_users_forces():
    """A report module that reads `FeedbackResponse.objects` itself could forget the forces."""
    root = Path(__file__).resolve().parents[2]
    modules = [*root.glob("feedback/reports/*.py"), *root.glob("guidance/reports/*.py")]
    # history.py counts what its callers pass; its default (every response) is for tests.
    offenders = [
        str(path.relative_to(root))
        for path in modules
        if "FeedbackResponse.objects." in path.read_text() and path.name != "history.py"
    ]

    assert offenders == []
