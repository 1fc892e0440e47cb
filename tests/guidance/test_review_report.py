"""Reports → "Guidance due for review": the pages whose review date has come, for editors."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.guidance.factories import GuidancePageFactory
from tests.support.html import parse, parse_ok, text_of
from tests.support.users import member_of

# Every test here that uses the site tree may share one: build it once (tests/conftest.py).
SHARE_SITE_TREE = True

REPORT_URL = "/admin/reports/review-due/"


def rows(response):
    """(page, next review) for each row of the report, top to bottom."""
    return [
        tuple(text_of(cell) for cell in row.find_all("td")[:2])
        for row in parse_ok(response).select("table tbody tr")
    ]


@pytest.fixture
def review_dates(site_tree):
    """One page overdue, one due in three weeks, one due next year, one never given a date."""
    today = timezone.localdate()
    dates = {
        site_tree.guidance.title: today - datetime.timedelta(days=10),
        site_tree.other_guidance.title: today + datetime.timedelta(days=21),
        "Bullying": today + datetime.timedelta(days=400),
    }
    GuidancePageFactory(parent=site_tree.topic, title="Bullying")
    GuidancePageFactory(parent=site_tree.topic, title="Staying safe on games")
    for page in site_tree.topic.get_children().specific():
        page.last_reviewed = today - datetime.timedelta(days=500)
        page.next_review_due = dates.get(page.title)
        page.save_revision().publish()
    return {title: f"{due:%-d %B %Y}" for title, due in dates.items()}


def test_editors_see_undated_pages_then_the_most_urgent_first(client, site_tree, review_dates):
    client.force_login(member_of("Editors"))

    listed = rows(client.get(REPORT_URL))

    sexting, grooming = site_tree.guidance.title, site_tree.other_guidance.title
    assert listed == [
        ("Staying safe on games", "No review date"),
        (sexting, f"Overdue since {review_dates[sexting]}"),
        (grooming, f"Due {review_dates[grooming]}"),
        ("Bullying", f"Due {review_dates['Bullying']}"),
    ]


def test_filter_shows_only_what_is_due_soon(client, site_tree, review_dates):
    client.force_login(member_of("Editors"))

    overdue = [page for page, _ in rows(client.get(REPORT_URL, {"due": "overdue"}))]
    within_30 = [page for page, _ in rows(client.get(REPORT_URL, {"due": "30"}))]
    unset = [page for page, _ in rows(client.get(REPORT_URL, {"due": "unset"}))]

    assert overdue == [site_tree.guidance.title]
    assert within_30 == [site_tree.guidance.title, site_tree.other_guidance.title]
    assert unset == ["Staying safe on games"]


def test_rows_link_to_the_page_editor(client, site_tree, review_dates):
    client.force_login(member_of("Editors"))

    soup = parse(client.get(REPORT_URL, {"due": "overdue"}))

    link = soup.select_one("table tbody tr a")
    assert link["href"] == reverse("wagtailadmin_pages:edit", args=[site_tree.guidance.pk])


def test_editors_find_it_in_the_reports_menu(client, site_tree):
    client.force_login(member_of("Editors"))

    dashboard = client.get("/admin/")

    assert REPORT_URL.encode() in dashboard.content


def test_people_who_cannot_edit_pages_are_refused(client, site_tree):
    anonymous = client.get(REPORT_URL)
    client.force_login(member_of("Feedback analysts"))
    analyst = client.get(REPORT_URL)

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/admin/login/")
    assert analyst.status_code in (302, 403)
    assert b"Guidance due for review" not in client.get("/admin/").content


def test_the_dashboard_counts_what_needs_review(client, site_tree, review_dates):
    client.force_login(member_of("Editors"))

    soup = parse(client.get("/admin/"))

    panel = text_of(soup.find(id="guidance-review-due-section"))
    assert "1 page overdue for review" in panel
    assert "1 page due within 30 days" in panel
    assert "1 page without a review date" in panel
