"""What analysts and editors see in the feedback reports and panels.

The "Feedback by page" figures are checked against a small fixture whose
counts are worked out by hand in `july` below.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import FeedbackResponse, VisitReason
from guidance.models import GuidancePage
from tests.feedback.factories import FeedbackResponseFactory, at, respond
from tests.support.html import parse_ok, text_of
from tests.support.panels import render_page_panel
from tests.support.users import member_of

# Every test here that uses the site tree may share one: build it once (tests/conftest.py).
SHARE_SITE_TREE = True

REPORT = "/admin/reports/feedback/"
SUMMARY = "/admin/reports/feedback-summary/"
JULY = "date_from=2026-07-01&date_to=2026-07-31"
SECRET = "Please help, he is hurting me"


def page_rows(page):
    """The cells of the report's main table (not the chart's), as text."""
    table = next(t for t in page.select("table.listing") if not t.find_parent("figure"))
    return [[text_of(cell) for cell in row.find_all("td")] for row in table.select("tbody tr")]


@pytest.fixture
def july(site_tree):
    """Eight July responses (plus two just outside July), worked out by hand.

    | week of | Sexting      | Grooming | deleted page | responses | useful | % |
    | 29 Jun  | yes, no      |          |              | 2         | 1      | 50 |
    | 6 Jul   | no           | yes      |              | 2         | 1      | 50 |
    | 13 Jul  |              |          |              | 0         | 0      | –  |
    | 20 Jul  | no           | yes, no  |              | 3         | 1      | 33 |
    | 27 Jul  |              |          | no           | 1         | 0      | 0  |

    Sexting: 4 responses, 1 useful (25%), 3 not useful; reasons parent ×2,
    professional ×1 → "I'm a parent or carer".
    Grooming: 3 responses, 2 useful (67%), 1 not useful; professional ×1.
    Deleted "/old-advice/": 1 response, 0%.
    July: 8 responses, 3 useful (38%), 5 not useful.
    """
    parent = VisitReason.objects.get(slug="parent-carer")
    professional = VisitReason.objects.get(slug="professional")
    sexting, grooming = site_tree.guidance, site_tree.other_guidance
    respond(sexting, at=at(7, 1, hour=0, minute=30), reason=parent)  # 30 Jun 23:30 UTC
    respond(sexting, at=at(7, 2), useful=False, reason=parent)
    # Still Sunday 5 July in UTC:
    respond(sexting, at=at(7, 6, hour=0, minute=30), useful=False, reason=professional)
    respond(grooming, at=at(7, 8), reason=professional)
    respond(sexting, at=at(7, 21), useful=False, comment=SECRET)
    respond(grooming, at=at(7, 22))
    respond(grooming, at=at(7, 23), useful=False)
    FeedbackResponseFactory(  # about a page deleted since
        page=None,
        page_title="Old advice",
        page_path="/old-advice/",
        submitted_at=at(7, 29),
        useful=False,
    )
    respond(sexting, at=at(6, 30, hour=23, minute=59), useful=False)  # June in London
    respond(sexting, at=at(8, 1, hour=0, minute=30))  # August in London, still July in UTC
    return site_tree


def test_analyst_sees_each_response_newest_first_with_page_links(client, analyst, july):
    client.force_login(analyst)

    page = parse_ok(client.get(f"{REPORT}?{JULY}"))

    rows = page_rows(page)
    assert len(rows) == 8
    assert rows[0][0] == "29 Jul 2026, 12:00"
    assert rows[0][1] == "Old advice /old-advice/ Page deleted"
    assert rows[-1][:4] == [
        "1 Jul 2026, 00:30",
        "Sexting /online-safety/sexting/",
        "Yes",
        "I'm a parent or carer",
    ]
    assert SECRET in page.get_text()
    live_link = page.find("a", string="/online-safety/sexting/")
    assert live_link["href"] == "/online-safety/sexting/"
    assert page.find("time", attrs={"datetime": "2026-07-01T00:30:00+01:00"})


def test_analysts_get_no_edit_links_but_moderators_do(client, analyst, july):
    edit_url = reverse("wagtailadmin_pages:edit", args=[july.guidance.pk])

    client.force_login(analyst)
    assert edit_url not in client.get(REPORT).content.decode()

    client.force_login(member_of("Moderators"))
    assert edit_url in client.get(REPORT).content.decode()


def test_filters_and_comment_search_narrow_the_list(client, analyst, july):
    client.force_login(analyst)

    not_useful = page_rows(parse_ok(client.get(f"{REPORT}?{JULY}&useful=false")))
    assert len(not_useful) == 5

    grooming_only = page_rows(
        parse_ok(client.get(f"{REPORT}?{JULY}&page={july.other_guidance.pk}&scope=only"))
    )
    assert {row[1] for row in grooming_only} == {"Grooming /online-safety/grooming/"}
    assert len(grooming_only) == 3

    parents = page_rows(
        parse_ok(client.get(f"{REPORT}?reason={VisitReason.objects.get(slug='parent-carer').pk}"))
    )
    assert [row[3] for row in parents] == ["I'm a parent or carer"] * 2

    searched = parse_ok(client.get(f"{REPORT}?q=hurting"))
    assert [row[4] for row in page_rows(searched)] == [f"Possible disclosure {SECRET}"]
    assert "There is 1 match" in searched.get_text()


def test_an_impossible_date_shows_an_error_and_no_rows(client, analyst, july):
    client.force_login(analyst)

    page = parse_ok(client.get(f"{REPORT}?date_from=2026-02-30"))

    assert "Correct these filters" in page.get_text()
    assert not page.select("table.listing tbody tr")


def test_a_range_that_ends_before_it_starts_is_refused(client, analyst, july):
    client.force_login(analyst)

    page = parse_ok(client.get(f"{REPORT}?date_from=2026-07-31&date_to=2026-07-01"))

    assert "The start date must not be after the end date." in page.get_text()


def test_the_list_is_paginated_fifty_to_a_page(client, analyst, site_tree):
    FeedbackResponse.objects.bulk_create(
        FeedbackResponseFactory.build_batch(51, page=site_tree.guidance)
    )
    client.force_login(analyst)

    first = parse_ok(client.get(REPORT))
    second = parse_ok(client.get(f"{REPORT}?p=2"))

    assert len(page_rows(first)) == 50
    assert len(page_rows(second)) == 1
    assert "Page 1 of 2" in first.get_text()


def test_summary_counts_match_the_hand_worked_figures(client, analyst, july):
    client.force_login(analyst)

    page = parse_ok(client.get(f"{SUMMARY}?{JULY}"))

    totals = {text_of(div.dt): text_of(div.dd) for div in page.select("dl.feedback-totals div")}
    assert totals == {"Responses": "8", "Found the page useful": "38%", "Not useful": "5"}
    assert page_rows(page) == [
        ["Old advice /old-advice/ Page deleted", "1", "0%", "1", "", "–"],
        [
            "Sexting /online-safety/sexting/",
            "4 responses about Sexting",
            "25%",
            "3",
            "I'm a parent or carer",
            "By version for Sexting",
        ],
        [
            "Grooming /online-safety/grooming/",
            "3 responses about Grooming",
            "67%",
            "1",
            "I'm a teacher or professional working with young people",
            "By version for Grooming",
        ],
    ]
    assert "Responses from 1 July 2026 to 31 July 2026" in page.get_text()


def test_summary_sorts_and_links_each_count_to_its_responses(client, analyst, july):
    client.force_login(analyst)

    by_responses = parse_ok(client.get(f"{SUMMARY}?{JULY}&ordering=-responses"))
    assert [row[0].split(" ")[0] for row in page_rows(by_responses)] == [
        "Sexting",
        "Grooming",
        "Old",
    ]

    link = next(
        a
        for a in parse_ok(client.get(f"{SUMMARY}?{JULY}")).find_all("a")
        if text_of(a).startswith("4 ")
    )
    listed = page_rows(parse_ok(client.get(link["href"])))
    assert len(listed) == 4
    assert {row[1] for row in listed} == {"Sexting /online-safety/sexting/"}


def test_summary_can_leave_out_pages_with_few_responses(client, analyst, july):
    client.force_login(analyst)

    page = parse_ok(client.get(f"{SUMMARY}?{JULY}&min_responses=3"))

    assert [row[2] for row in page_rows(page)] == ["25%", "67%"]


def test_summary_chart_is_svg_with_a_table_of_the_same_figures(client, analyst, july):
    client.force_login(analyst)

    page = parse_ok(client.get(f"{SUMMARY}?{JULY}"))

    svg = page.select_one("figure.feedback-chart svg[role=img]")
    assert svg.title.get_text().startswith("Responses per week and % useful")
    assert "table" in svg.desc.get_text()
    assert len(svg.select("rect.bar")) == 4  # four weeks with responses, one without
    assert len(svg.select("circle.point")) == 4
    assert not page.select("script[src^=http]")
    week_table = page.select_one("figure.feedback-chart table")
    assert text_of(week_table.caption) == "Responses per week"
    assert [
        [text_of(cell) for cell in row.find_all(["th", "td"])]
        for row in week_table.tbody.find_all("tr")
    ] == [
        ["29 Jun 2026", "2", "1", "50%"],
        ["6 Jul 2026", "2", "1", "50%"],
        ["13 Jul 2026", "0", "0", "–"],
        ["20 Jul 2026", "3", "1", "33%"],
        ["27 Jul 2026", "1", "0", "0%"],
    ]


def test_summary_defaults_to_the_last_90_days(client, analyst, site_tree):
    now = timezone.now()
    respond(site_tree.guidance, at=now - datetime.timedelta(days=10), useful=False)
    respond(site_tree.guidance, at=now - datetime.timedelta(days=100))
    client.force_login(analyst)

    page = parse_ok(client.get(SUMMARY))

    assert "(the last 90 days" in page.get_text()
    assert page_rows(page)[0][1:4] == ["1 responses about Sexting", "0%", "1"]


def test_summary_counts_in_the_database_in_a_few_queries(
    client, analyst, july, django_assert_max_num_queries
):
    FeedbackResponse.objects.bulk_create(
        FeedbackResponseFactory.build(page=july.guidance, useful=bool(i % 2)) for i in range(200)
    )
    client.force_login(analyst)

    with django_assert_max_num_queries(30):
        client.get(SUMMARY)


def test_editors_dashboard_shows_counts_and_least_useful_pages_never_comments(client, site_tree):
    now = timezone.now()
    for useful in (True, False, False):
        respond(
            site_tree.guidance, at=now - datetime.timedelta(days=2), useful=useful, comment=SECRET
        )
    respond(site_tree.other_guidance, at=now - datetime.timedelta(days=3), useful=True)
    respond(site_tree.other_guidance, at=now - datetime.timedelta(days=40), useful=False)
    client.force_login(member_of("Editors"))

    page = parse_ok(client.get("/admin/"))

    panel = page.find(id="page-feedback-section")
    assert panel is not None
    assert "4 responses: 50% found the page useful, 2 did not." in text_of(panel)
    rows = [[text_of(td) for td in tr.find_all("td")] for tr in panel.select("tbody tr")]
    assert rows == [["Sexting", "33%", "2", "3"], ["Grooming", "100%", "0", "1"]]
    assert panel.find("a", string="Sexting")["href"] == reverse(
        "wagtailadmin_pages:edit", args=[site_tree.guidance.pk]
    )
    assert SECRET not in page.get_text()
    assert reverse("feedback_reports:by_page") not in str(panel)


def test_page_editor_panel_shows_the_last_90_days_without_comments(site_tree):
    now = timezone.now()
    parent = VisitReason.objects.get(slug="parent-carer")
    respond(site_tree.guidance, at=now - datetime.timedelta(days=1), reason=parent, comment=SECRET)
    respond(site_tree.guidance, at=now - datetime.timedelta(days=89), useful=False, reason=parent)
    respond(site_tree.guidance, at=now - datetime.timedelta(days=91), useful=False)
    respond(site_tree.other_guidance, at=now - datetime.timedelta(days=1), useful=False)

    as_editor = render_page_panel(site_tree.guidance, member_of("Editors"))
    as_analyst = render_page_panel(site_tree.guidance, member_of("Feedback analysts"))

    assert "2 responses, 50% found the page useful, 1 did not." in text_of(as_editor)
    assert "I'm a parent or carer: 2" in text_of(as_editor)
    assert SECRET not in str(as_editor)
    assert as_editor.find("a", string="See this page's responses") is None
    link = as_analyst.find("a", string="See this page's responses")
    assert f"page={site_tree.guidance.pk}" in link["href"]


def test_page_editor_panel_on_a_new_page(site_tree):
    panel = render_page_panel(GuidancePage(title="Draft"), member_of("Editors"))

    assert "Figures appear here once the page is live" in text_of(panel)


def test_the_guidance_page_editor_shows_the_feedback_panel(client, site_tree):
    respond(site_tree.guidance, at=timezone.now(), useful=False, comment=SECRET)
    client.force_login(member_of("Editors"))

    page = client.get(reverse("wagtailadmin_pages:edit", args=[site_tree.guidance.pk]))

    assert "1 response, 0% found the page useful, 1 did not." in text_of(page.content)
    assert SECRET not in page.content.decode()
