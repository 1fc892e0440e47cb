"""Did the edit help? A page's feedback by published version.

The page is published twice, by two people; responses are tied to the
revision the visitor read, as `feedback.views` ties them.
"""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from feedback.models import FeedbackResponse, VisitReason
from feedback.reports.history import page_history, wilson_interval
from tests.feedback.factories import FeedbackResponseFactory
from tests.support.html import parse_ok, text_of
from tests.support.panels import render_page_panel
from tests.support.revisions import publish
from tests.support.users import member_of


def history_url(page):
    return reverse("feedback_reports:page_history", args=[page.pk])


def answer(page, revision, *, responses, useful, reason=None):
    """`responses` answers about `revision` of `page`, the first `useful` of them "useful"."""
    for number in range(responses):
        FeedbackResponseFactory(
            page=page, page_revision=revision, useful=number < useful, reason=reason
        )


@pytest.fixture
def reviewer(db):
    return member_of("Safeguarding reviewers", "rita", name="Rita Reviewer")


@pytest.fixture
def two_versions(site_tree, reviewer):
    """Sexting as first published (by the system), then rewritten and published by a reviewer."""
    page = site_tree.guidance
    first = page.live_revision
    second = publish(page, reviewer, summary="Shorter and plainer: what to do now.")
    return page, first, second


def table_rows(response):
    page = parse_ok(response)
    table = page.select_one("table.listing")
    return [[text_of(cell) for cell in row.find_all("td")] for row in table.select("tbody tr")]


def rows_seen_by_an_analyst(client, page):
    """The rows of the page's "Feedback by version" table, as a feedback analyst sees them."""
    client.force_login(member_of("Feedback analysts", "ana"))
    return table_rows(client.get(history_url(page)))


def compared(client, two_versions, first, second):
    """The table after (responses, useful) answers about each of the two versions."""
    page, *versions = two_versions
    for version, (responses, useful) in zip(versions, [first, second], strict=True):
        answer(page, version, responses=responses, useful=useful)
    return rows_seen_by_an_analyst(client, page)


def test_wilson_interval_matches_the_hand_calculation():
    # 10 useful of 30, z = 1.96: p = 1/3, z²/n = 0.128053, so
    # centre = (0.333333 + 0.064027) / 1.128053 = 0.352253 and
    # half-width = 1.96 × √(0.007407 + 0.001067) / 1.128053 = 0.159950.
    low, high = wilson_interval(10, 30, z=1.96)
    assert low == pytest.approx(0.192303, abs=1e-5)
    assert high == pytest.approx(0.512203, abs=1e-5)
    # All useful: the range reaches 100% and stops there; none: no range at all.
    assert wilson_interval(3, 3)[1] == 1.0
    assert wilson_interval(0, 0) is None


def test_history_shows_each_version_and_marks_the_rewrite_better(client, two_versions):
    page, first, second = two_versions
    parent = VisitReason.objects.get(slug="parent-carer")
    answer(page, first, responses=30, useful=10, reason=parent)
    answer(page, second, responses=30, useful=25)
    client.force_login(member_of("Feedback analysts", "ana"))

    response = client.get(history_url(page))

    rows = table_rows(response)
    assert len(rows) == 2
    version_1, version_2 = rows
    assert version_1[0] == "Version 1"
    assert version_1[1].endswith("by System")
    assert version_1[2] == "30"
    assert version_1[3] == "33% (10 of 30); 95% range 19% to 52%"
    assert version_1[4] == "First version with responses"
    assert version_1[5] == "I'm a parent or carer: 30"
    assert version_2[0] == "Version 2 (live now)"
    assert version_2[1].endswith("by Rita Reviewer")
    assert version_2[3] == "83% (25 of 30); 95% range 66% to 93%"
    assert version_2[4] == "Better than version 1"
    page_text = text_of(response.content)
    assert "only when their 95% ranges do not overlap" in page_text
    assert "Sexting" in page_text


def test_a_rewrite_that_loses_readers_is_worse(client, two_versions):
    rows = compared(client, two_versions, first=(30, 25), second=(30, 10))

    assert rows[1][4] == "Worse than version 1"


def test_three_responses_each_are_no_clear_change(client, two_versions):
    rows = compared(client, two_versions, first=(3, 1), second=(3, 3))

    assert rows[0][3] == "33% (1 of 3); 95% range 6% to 80%"
    assert rows[1][3] == "100% (3 of 3); 95% range 43% to 100%"
    assert rows[1][4] == "No clear change from version 1"


def test_a_version_without_responses_is_skipped_in_the_comparison(client, two_versions, reviewer):
    page, first, second = two_versions
    third = publish(page, reviewer, summary="Third wording.")
    answer(page, first, responses=30, useful=10)
    answer(page, third, responses=30, useful=25)
    FeedbackResponseFactory(page=page, page_revision=None, useful=False)
    client.force_login(member_of("Feedback analysts", "ana"))

    response = client.get(history_url(page))

    rows = table_rows(response)
    assert [row[4] for row in rows] == [
        "First version with responses",
        "No responses yet",
        "Better than version 1",
    ]
    assert "1 response cannot be tied to a version" in text_of(response.content)


def test_history_counts_in_a_fixed_number_of_queries(
    two_versions, reviewer, django_assert_num_queries
):
    page, first, second = two_versions
    answer(page, first, responses=4, useful=1)
    with django_assert_num_queries(2):
        assert len(page_history(page).versions) == 2
    for number in range(5):
        revision = publish(page, reviewer, summary=f"Wording {number}")
        answer(page, revision, responses=2, useful=1)
    with django_assert_num_queries(2):
        assert len(page_history(page).versions) == 7


def test_feedback_by_page_links_to_each_page_history(client, two_versions):
    page, first, second = two_versions
    answer(page, second, responses=2, useful=1)
    client.force_login(member_of("Feedback analysts", "ana"))

    summary = parse_ok(client.get("/admin/reports/feedback-summary/"))

    link = summary.find("a", href=history_url(page))
    assert text_of(link) == f"By version for {page.title}"


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_analysts_download_the_history_and_the_export_is_logged(
    client, two_versions, export_format
):
    page, first, second = two_versions
    answer(page, first, responses=30, useful=10)
    answer(page, second, responses=30, useful=25)
    client.force_login(member_of("Feedback analysts", "ana"))

    response = client.get(f"{history_url(page)}?export={export_format}")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    if export_format == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        rows = [["" if cell is None else str(cell) for cell in row] for row in sheet.values]
    heading, version_1, version_2 = rows
    assert heading[:3] == ["Version", "Revision ID", "Went live"]
    assert heading[-3:] == [
        "% useful, 95% range to",
        "Compared with the version before",
        "Reasons for visit",
    ]
    assert version_1[1] == str(first.pk)
    assert version_2[5:12] == ["30", "25", "5", "83", "66", "93", "Better than version 1"]
    logged = ModelLogEntry.objects.get(action="feedback.export")
    assert logged.data["rows"] == 60
    assert logged.data["format"] == export_format


def test_history_is_for_feedback_readers_only(client, two_versions):
    page, first, second = two_versions
    answer(page, second, responses=2, useful=1)

    client.force_login(member_of("Editors", "ed"))
    refused = client.get(history_url(page))
    assert refused.status_code in (302, 403)
    assert b"Version 1" not in refused.content

    client.force_login(member_of("Moderators", "moe"))
    assert client.get(history_url(page)).status_code == 200
    for export_format in ("csv", "xlsx"):
        download = client.get(f"{history_url(page)}?export={export_format}")
        assert download.status_code in (302, 403)
        assert "attachment" not in download.get("Content-Disposition", "")


def test_a_missing_page_has_no_history(client, db):
    client.force_login(member_of("Feedback analysts", "ana"))

    assert client.get(reverse("feedback_reports:page_history", args=[999999])).status_code == 404


def test_the_page_editor_panel_compares_this_version_with_the_one_before(two_versions):
    page, first, second = two_versions
    answer(page, first, responses=30, useful=10)
    answer(page, second, responses=30, useful=25)

    as_editor = text_of(render_page_panel(page, member_of("Editors", "ed")))
    as_analyst = render_page_panel(page, member_of("Feedback analysts", "ana"))

    assert "Did the last edit help?" in as_editor
    assert "Version 2 (live now): 83% found it useful (25 of 30, 95% range 66% to 93%)" in as_editor
    assert "Version 1: 33% (10 of 30, 95% range 19% to 52%)" in as_editor
    assert "Better than version 1." in as_editor
    assert as_analyst.find("a", string="See feedback by version")["href"] == history_url(page)
    assert FeedbackResponse.objects.count() == 60
