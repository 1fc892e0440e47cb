"""Reports → "Guidance due for review": pages to review and contacts to verify, for editors."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from guidance.models import SignpostingContact
from tests.guidance.factories import GuidancePageFactory, SignpostingContactFactory
from tests.support.html import parse, parse_ok, text_of
from tests.support.users import member_of

# Every test here that uses the site tree may share one: build it once (tests/conftest.py).
SHARE_SITE_TREE = True

REPORT_URL = "/admin/reports/review-due/"


def rows(response):
    """(page, next review) for each row of the report, top to bottom."""
    return [
        tuple(text_of(cell) for cell in row.find_all("td")[:2])
        for row in parse_ok(response).select("table:not(#contacts-due) tbody tr")
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


# --- Signposting contacts to verify, beside the pages ------------------------


@pytest.fixture
def verification_dates(site_tree):
    """NSPCC verified a year ago, Stop It Now last month, the others today, one never."""
    today = timezone.localdate()
    SignpostingContact.objects.update(last_verified=today)
    verifier = member_of("Safeguarding reviewers", username="jo.checker")
    verifier.first_name, verifier.last_name = "Jo", "Checker"
    verifier.save()
    SignpostingContact.objects.filter(pk=site_tree.nspcc.pk).update(
        last_verified=today - datetime.timedelta(days=365), verified_by=verifier
    )
    SignpostingContact.objects.filter(pk=site_tree.stop_it_now.pk).update(
        last_verified=today - datetime.timedelta(days=30)
    )
    SignpostingContactFactory(name='=HYPERLINK("https://evil.example")')
    return today


def contact_rows(response):
    return [
        tuple(text_of(cell) for cell in row.find_all("td"))
        for row in parse(response).select("#contacts-due tbody tr")
    ]


def test_contacts_not_verified_for_six_months_are_listed_beside_the_pages(
    client, site_tree, review_dates, verification_dates
):
    client.force_login(member_of("Editors"))

    overdue = contact_rows(client.get(REPORT_URL, {"due": "overdue"}))
    never = contact_rows(client.get(REPORT_URL, {"due": "unset"}))

    year_ago = verification_dates - datetime.timedelta(days=365)
    due = year_ago + datetime.timedelta(days=183)
    assert overdue == [
        (
            "NSPCC helpline",
            f"Overdue since {due:%-d %B %Y}",
            f"{year_ago:%-d %B %Y} by Jo Checker",
            "Live",
        )
    ]
    assert [name for name, *_ in never] == ['=HYPERLINK("https://evil.example")']


def test_the_verification_interval_is_a_setting(
    client, settings, site_tree, review_dates, verification_dates
):
    settings.CONTACT_VERIFY_EVERY_DAYS = 20
    client.force_login(member_of("Editors"))

    overdue = contact_rows(client.get(REPORT_URL, {"due": "overdue"}))

    assert [name for name, *_ in overdue] == ["NSPCC helpline", "Stop It Now"]


def test_the_csv_holds_overdue_pages_and_stale_contacts_safe_to_open(
    client, site_tree, review_dates, verification_dates
):
    client.force_login(member_of("Editors"))

    response = client.get(REPORT_URL, {"due": "overdue", "export": "csv"})

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert table[0][:3] == ["Kind", "Page or contact", "Review or verification"]
    assert [(row[0], row[1]) for row in table[1:]] == [
        ("Page", site_tree.guidance.title),
        ("Contact", "NSPCC helpline"),
    ]
    assert table[2][4] == "Jo Checker"
    unset = client.get(REPORT_URL, {"due": "unset", "export": "csv"})
    unset_text = b"".join(unset.streaming_content).decode("utf-8")
    assert "'=HYPERLINK" in unset_text  # neutralised, never a live formula


def test_the_xlsx_holds_the_same_rows_as_text(client, site_tree, review_dates, verification_dates):
    client.force_login(member_of("Editors"))

    response = client.get(REPORT_URL, {"due": "unset", "export": "xlsx"})

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [[cell.value for cell in row] for row in workbook.active.iter_rows()]
    assert [row[:2] for row in cells[1:]] == [
        ["Page", "Staying safe on games"],
        ["Contact", '=HYPERLINK("https://evil.example")'],
    ]
    assert workbook.active.cell(row=3, column=2).data_type == "s"  # text, not a formula


def test_the_dashboard_counts_contacts_to_verify(client, site_tree, verification_dates):
    client.force_login(member_of("Editors"))

    panel = text_of(parse(client.get("/admin/")).find(id="guidance-review-due-section"))

    assert "1 signposting contact overdue for verification" in panel
    assert "1 signposting contact never verified" in panel


def test_a_contacts_screen_shows_every_page_that_uses_it(admin_client, site_tree):
    for page in (site_tree.guidance, site_tree.other_guidance):
        page.save_revision().publish()  # records the contact in the reference index
    url = reverse("wagtailsnippets_guidance_signpostingcontact:usage", args=[site_tree.nspcc.pk])

    usage = text_of(parse_ok(admin_client.get(url)))

    assert site_tree.guidance.title in usage
    assert site_tree.other_guidance.title in usage
