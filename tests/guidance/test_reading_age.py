"""Reading age: worked out on publish, shown in the page editor and in Reports → Reading age."""

import csv
import io
from io import StringIO

import pytest
import textstat
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from feedback.models import FeedbackResponse
from guidance.models import GuidancePage, TopicPage
from guidance.reading_age import estimate, word_count, words_in
from guidance.wagtail_hooks import reading_age_menu_item
from tests.feedback.factories import FeedbackResponseFactory
from tests.guidance.factories import (
    GuidancePageFactory,
    SignpostingContactFactory,
    TopicPageFactory,
    contacts_block,
    paragraph,
    section,
)
from tests.support.admin_forms import guidance_form_data, paragraph_text
from tests.support.checks import WORDS_AS_THE_BROWSER_COUNTS
from tests.support.html import parse, parse_ok, text_of
from tests.support.users import member_of

pytestmark = pytest.mark.django_db

REPORT_URL = "/admin/reports/reading-age/"

# A page with every kind of text the estimate reads, and a contact card it must not.
FIXED_BODY_TITLE = "Staying safe"
FIXED_BODY_SUMMARY = "What to do if someone online worries you."
LONG_WORDED_CONTACT = (
    "Comprehensive, multidisciplinary safeguarding consultations regarding "
    "institutional responsibilities, notwithstanding jurisdictional complications."
)


def fixed_body(contact):
    return [
        section("Tell someone"),
        paragraph("<p>If a person online makes you feel bad, tell an adult you trust.</p>"),
        (
            "know_the_law",
            {"heading": "Know the law", "text": "<p>Nobody may ask you for a sexual photo.</p>"},
        ),
        ("quote", {"quote": "Would I say this to their face?", "attribution": ""}),
        (
            "point_list",
            {
                "intro": "You can:",
                "numbered": False,
                "points": ["<p>block them</p>", "<p>keep the messages</p>"],
            },
        ),
        (
            "question_answer",
            {"question": "Am I in trouble?", "answer": "<p>No. It is not your fault.</p>"},
        ),
        contacts_block([contact], heading="Who can help"),
    ]


# What a visitor reads, in order, as textstat is given it: each heading,
# paragraph and point ends a sentence. The contact card is not there.
FIXED_TEXT = (
    "Staying safe. What to do if someone online worries you. Tell someone. "
    "If a person online makes you feel bad, tell an adult you trust. Know the law. "
    "Nobody may ask you for a sexual photo. Would I say this to their face? You can:. "
    "block them. keep the messages. Am I in trouble? No. It is not your fault. Who can help."
)


def textstat_reading_age(text):
    """textstat's own Coleman–Liau grade, plus 5 for a UK reading age."""
    return round(textstat.coleman_liau_index(text) + 5, 1)


@pytest.fixture
def fixed_page(site_tree):
    contact = SignpostingContactFactory(name="Long-worded service", helps_with=LONG_WORDED_CONTACT)
    return GuidancePageFactory(
        parent=site_tree.topic,
        title=FIXED_BODY_TITLE,
        summary=FIXED_BODY_SUMMARY,
        body=fixed_body(contact),
    )


def test_the_estimate_is_textstats_coleman_liau_grade_plus_five(fixed_page):
    assert fixed_page.reading_age == textstat_reading_age(FIXED_TEXT)
    assert fixed_page.reading_age_words == word_count(FIXED_TEXT)
    assert fixed_page.reading_age_computed_at is not None


def test_contact_cards_are_left_out(fixed_page):
    with_contact = textstat_reading_age(f"{FIXED_TEXT} {LONG_WORDED_CONTACT}")
    assert with_contact > fixed_page.reading_age  # the card would have counted…

    fixed_page.save_revision().publish()  # …and republishing does not count it either
    fixed_page.refresh_from_db()
    assert fixed_page.reading_age == textstat_reading_age(FIXED_TEXT)


def test_text_without_words_has_no_estimate():
    nothing = estimate("", "", [{"type": "paragraph", "value": "<p> </p>"}])

    assert nothing.reading_age is None
    assert nothing.hardest == []


# --- Words, counted as Wagtail's Checks panel counts them ----------------------------


@pytest.mark.parametrize("text, words", WORDS_AS_THE_BROWSER_COUNTS)
def test_words_are_counted_as_wagtail_s_checks_panel_counts_them(text, words):
    assert words_in(text) == words
    assert word_count(text) == len(words)


def test_the_panel_and_the_stored_figure_count_words_the_browser_s_way(client, site_tree):
    text = WORDS_AS_THE_BROWSER_COUNTS[0][0]
    page = GuidancePageFactory(
        parent=site_tree.topic,
        title="Self-harm",
        summary="What to do — now.",
        body=[paragraph(f"<p>{text}</p>")],
    )
    # 2 + 4 + 10 words as the browser counts them; textstat counted 11.
    assert textstat.lexicon_count(f"{page.title}. {page.summary} {text}") == 11
    client.force_login(member_of("Editors"))

    panel = parse_ok(client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])))

    assert text_of(panel.select_one("[data-reading-age-words]")) == "16"
    assert GuidancePage.objects.get(pk=page.pk).reading_age_words == 16


# --- Publishing updates it; saving a draft does not ------------------------------------

PLAIN = "Tell an adult you trust. You are not in trouble."
HARD = (
    "Notwithstanding organisational considerations, investigative professionals "
    "systematically contextualise exploitative communications, evaluating "
    "proportionality before initiating any criminal justice intervention whatsoever."
)


def edit_form(page, text, title=None):
    """The page's edit form with one section whose paragraph is `text`."""
    return guidance_form_data(
        page.title if title is None else title,
        [("section_heading", {"heading": "What happens"}), ("paragraph", paragraph_text(text))],
        slug=page.slug,
        summary=page.summary,
    )


def edit(client, page, text, publish):
    data = edit_form(page, text)
    if publish:
        data["action-publish"] = "action-publish"
    response = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)
    assert response.status_code == 302, response.content[:2000]
    page.refresh_from_db()
    return page


def panel_text(client, page):
    editor = parse_ok(client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])))
    return text_of(editor.select_one(".reading-age-panel"))


def edited_text_age(page, text):
    """The reading age of the text `edit` gives `page`, straight from textstat."""
    return textstat_reading_age(f"{page.title}. {page.summary} What happens. {text}")


def test_the_panel_describes_the_version_being_edited(client, site_tree):
    client.force_login(get_user_model().objects.create_superuser("comms", "c@example.org", "x"))
    page = site_tree.guidance

    hard = edit(client, page, HARD, publish=True).reading_age
    assert hard == edited_text_age(page, HARD)
    live = panel_text(client, page)
    assert "This is the live version" in live
    assert f"It has a reading age of about {hard:.1f} years" in live
    assert "The live version, which visitors see now" not in live

    edit(client, page, HARD, publish=False)  # a draft that reads as the live version does
    assert "The live version, which visitors see now, has the same reading age" in panel_text(
        client, page
    )

    after_draft = edit(client, page, PLAIN, publish=False)
    plain = edited_text_age(page, PLAIN)
    assert plain < hard
    assert after_draft.reading_age == hard  # the stored, live figure (for the report) stays
    draft = panel_text(client, page)
    assert "This is the latest draft" in draft
    assert "It is not live yet" in draft
    assert f"It has a reading age of about {plain:.1f} years" in draft
    assert f"which visitors see now, has a reading age of about {hard:.1f} years" in draft

    assert edit(client, page, PLAIN, publish=True).reading_age == plain
    republished = panel_text(client, page)
    assert "This is the live version" in republished
    assert f"It has a reading age of about {plain:.1f} years" in republished


def test_an_autosave_sends_the_panel_again_for_the_version_just_saved(client, site_tree):
    client.force_login(member_of("Editors"))
    page = site_tree.guidance
    data = edit_form(page, HARD)

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]), data, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 200, response.content[:2000]
    assert response.json()["success"] is True
    partials = parse(response.json()["html"])
    update = partials.select_one(
        'template[data-w-teleport-target-value="[data-reading-age-panel]"]'
    )
    assert update is not None and update["data-w-teleport-mode-value"] == "outerHTML"
    sent = text_of(parse(update.decode_contents()).select_one("[data-reading-age-panel]"))
    assert "This is the latest draft" in sent
    assert f"reading age of about {edited_text_age(page, HARD):.1f} years" in sent


def test_a_form_with_errors_says_the_changes_are_not_saved(client, site_tree):
    client.force_login(member_of("Editors"))
    page = site_tree.guidance
    data = edit_form(page, HARD, title="")  # no title: the form comes back with an error

    response = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)

    panel = text_of(parse_ok(response).select_one(".reading-age-panel"))
    assert "Your changes are not saved yet" in panel
    assert "This is the live version" in panel
    assert f"reading age of about {page.reading_age:.1f} years" in panel


def test_the_revert_screen_s_panel_describes_the_earlier_version(client, site_tree):
    client.force_login(member_of("Editors"))
    page = site_tree.guidance
    hard = edit(client, page, HARD, publish=False).latest_revision
    edit(client, page, PLAIN, publish=False)

    revert = client.get(reverse("wagtailadmin_pages:revisions_revert", args=[page.pk, hard.pk]))

    panel = text_of(parse_ok(revert).select_one(".reading-age-panel"))
    assert "This is the earlier version saved" in panel
    assert f"reading age of about {edited_text_age(page, HARD):.1f} years" in panel
    assert f"which visitors see now, has a reading age of about {page.reading_age:.1f}" in panel


def test_publishing_a_saved_draft_works_out_the_draft_s_text(client, site_tree):
    page = site_tree.guidance
    page.body = [("paragraph", f"<p>{HARD}</p>")]
    revision = page.save_revision()
    assert GuidancePage.objects.get(pk=page.pk).reading_age != textstat_reading_age(
        f"{page.title}. {page.summary} {HARD}"
    )

    revision.publish()

    stored = GuidancePage.objects.get(pk=page.pk)
    assert stored.reading_age == textstat_reading_age(f"{page.title}. {page.summary} {HARD}")


def test_a_draft_copy_has_no_stored_figure_until_it_is_published(client, site_tree):
    client.force_login(member_of("Editors"))
    original = site_tree.guidance

    draft = original.copy(update_attrs={"slug": "draft-copy"}, keep_live=False)
    live = original.copy(update_attrs={"slug": "live-copy"}, keep_live=True)

    assert GuidancePage.objects.get(pk=draft.pk).reading_age is None
    assert GuidancePage.objects.get(pk=live.pk).reading_age == original.reading_age
    panel = panel_text(client, draft)  # the copy's own text, which is not live
    assert "The page is not live" in panel
    assert f"reading age of about {original.reading_age:.1f} years" in panel
    assert "which visitors see now" not in panel


# --- The editor's panel --------------------------------------------------------------


def load_demo_content():
    call_command("load_demo_content", stdout=StringIO())


def test_the_editor_shows_the_estimate_the_target_and_the_three_hardest_sentences(client):
    load_demo_content()
    client.force_login(member_of("Editors"))
    sexting = GuidancePage.objects.get(slug="sexting")

    editor = parse_ok(client.get(reverse("wagtailadmin_pages:edit", args=[sexting.pk])))

    panel = editor.select_one(".reading-age-panel")
    assert "This is the live version" in text_of(panel)
    assert f"reading age of about {sexting.reading_age:.1f} years" in text_of(panel)
    assert "The target for this topic is 11" in text_of(panel)
    assert f"{sexting.reading_age - 11:.1f} years over" in text_of(panel)
    flagged = [text_of(item) for item in panel.select("ol li")]
    assert len(flagged) == 3
    for item, sentence in zip(flagged, sexting.reading_age_hardest, strict=True):
        assert item.startswith(f"“{sentence['text']}”")
    # The sentence adding most is a long one a young reader would stumble over.
    assert sexting.reading_age_hardest[0]["words"] >= 20


def test_the_panel_on_a_new_page_names_the_topic_s_target(client, site_tree):
    TopicPage.objects.filter(pk=site_tree.topic.pk).update(target_reading_age=9)
    client.force_login(member_of("Editors"))

    add = client.get(
        reverse("wagtailadmin_pages:add", args=["guidance", "guidancepage", site_tree.topic.pk])
    )

    panel = text_of(parse_ok(add).select_one(".reading-age-panel"))
    assert "a reading age of 9" in panel
    assert "worked out from its text once it is saved" in panel


# --- The demo content ------------------------------------------------------------------


def test_the_demo_content_has_exactly_one_page_over_its_target():
    load_demo_content()

    over = [page.title for page in GuidancePage.objects.live() if page.reading_age > 11]

    assert TopicPage.objects.get(slug="online-safety").target_reading_age == 11
    assert over == ["Sexting"]


def test_loading_the_demo_content_again_leaves_the_estimates_alone():
    load_demo_content()
    before = list(GuidancePage.objects.values_list("pk", "reading_age", "reading_age_computed_at"))

    load_demo_content()

    after = list(GuidancePage.objects.values_list("pk", "reading_age", "reading_age_computed_at"))
    assert after == before


# --- Reports → Reading age -------------------------------------------------------------


def report_rows(response):
    """(page, topic, reading age, target, over target, found it useful) per row, top to bottom."""
    return [
        tuple(text_of(cell) for cell in row.find_all("td"))
        for row in parse_ok(response).select("table tbody tr")
    ]


def useful_label(page):
    """What the report's "Found it useful" should say, counted here from the responses."""
    answers = list(FeedbackResponse.objects.filter(page=page).values_list("useful", flat=True))
    if not answers:
        return "No responses"
    return f"{100 * sum(answers) / len(answers):.0f}% of {len(answers)}"


def test_most_over_target_first_when_sorted_by_distance_from_target(client):
    load_demo_content()
    client.force_login(member_of("Editors"))

    by_distance = report_rows(client.get(REPORT_URL, {"ordering": "-over_target"}))
    by_default = report_rows(client.get(REPORT_URL))
    closest_first = report_rows(client.get(REPORT_URL, {"ordering": "over_target"}))

    sexting = GuidancePage.objects.get(slug="sexting")
    assert by_distance[0] == (
        "Sexting",
        "Online safety",
        f"{sexting.reading_age:.1f}",
        "11",
        f"{sexting.reading_age - 11:.1f} over",
        useful_label(sexting),
    )
    assert [row[4] for row in by_distance[1:]] == ["Within target", "Within target"]
    assert by_default == by_distance
    assert closest_first[-1][0] == "Sexting"


@pytest.mark.parametrize("ordering", ["title", "-reading_age", "target", "-percent_useful"])
def test_every_column_sorts(client, ordering):
    load_demo_content()
    client.force_login(member_of("Editors"))

    rows = report_rows(client.get(REPORT_URL, {"ordering": ordering}))

    assert len(rows) == 3


@pytest.mark.parametrize("query", [{"ordering": "password"}, {"topic": "x"}, {"topic": "99999"}])
def test_bad_parameters_are_not_an_error(client, query):
    load_demo_content()
    client.force_login(member_of("Editors"))

    response = client.get(REPORT_URL, query)

    assert response.status_code == 200


@pytest.fixture
def two_topics(site_tree):
    """The site tree's topic, and "Bullying" with a page written for readers of 9."""
    bullying = TopicPageFactory(parent=site_tree.home, title="Bullying")
    TopicPage.objects.filter(pk=bullying.pk).update(target_reading_age=9)
    page = GuidancePageFactory(parent=bullying, title="Bullying online")
    return site_tree.topic, bullying, page


def test_the_report_filters_by_topic(client, two_topics):
    online_safety, bullying, _ = two_topics
    client.force_login(member_of("Editors"))

    in_bullying = report_rows(client.get(REPORT_URL, {"topic": bullying.pk}))
    in_online_safety = report_rows(client.get(REPORT_URL, {"topic": online_safety.pk}))

    assert [(row[0], row[1], row[3]) for row in in_bullying] == [
        ("Bullying online", "Bullying", "9")
    ]
    assert sorted(row[0] for row in in_online_safety) == ["Grooming", "Sexting"]


def test_the_share_found_useful_comes_from_the_page_feedback(client, site_tree):
    for useful in (True, True, True, False):
        FeedbackResponseFactory(page=site_tree.guidance, useful=useful)
    client.force_login(member_of("Editors"))

    rows = {row[0]: row[5] for row in report_rows(client.get(REPORT_URL))}

    assert rows == {"Sexting": "75% of 4", "Grooming": "No responses"}


def test_the_report_takes_the_same_queries_however_many_pages(client, site_tree):
    client.force_login(member_of("Editors"))
    client.get(REPORT_URL)  # first request: sessions, permissions, caches

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(REPORT_URL).status_code == 200
        return len(captured)

    few = queries()
    for n in range(4):
        page = GuidancePageFactory(parent=site_tree.topic, title=f"More guidance {n}")
        FeedbackResponseFactory(page=page, useful=bool(n % 2))
    assert queries() == few


def test_draft_pages_are_not_listed(client, site_tree):
    site_tree.other_guidance.unpublish()
    client.force_login(member_of("Editors"))

    assert [row[0] for row in report_rows(client.get(REPORT_URL))] == ["Sexting"]


def csv_table(response):
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


EXPORT_HEADINGS = [
    "Page",
    "Topic",
    "Reading age (years)",
    "Target reading age",
    "Years over target",
    "Feedback responses",
    "Useful",
    "% useful",
    "Words measured",
    "Worked out",
    "Edit at",
]


def test_the_csv_export_is_safe_to_open(client, two_topics):
    online_safety, bullying, page = two_topics
    page.title = '=HYPERLINK("https://evil.example","Bullying")'
    page.save_revision().publish()
    FeedbackResponseFactory(page=page, useful=True)
    client.force_login(member_of("Editors"))

    table = csv_table(client.get(REPORT_URL, {"topic": bullying.pk, "export": "csv"}))

    page.refresh_from_db()
    assert table[0] == EXPORT_HEADINGS
    assert len(table) == 2
    row = dict(zip(EXPORT_HEADINGS, table[1], strict=True))
    assert row["Page"] == "'" + page.title  # neutralised, never a live formula
    assert row["Topic"] == "Bullying"
    assert row["Reading age (years)"] == f"{page.reading_age:.1f}"
    assert row["Target reading age"] == "9"
    assert row["Years over target"] == f"{page.reading_age - 9:.1f}"
    assert (row["Feedback responses"], row["Useful"], row["% useful"]) == ("1", "1", "100.0")
    assert row["Edit at"].endswith(f"/admin/pages/{page.pk}/edit/")


def test_the_xlsx_export_holds_the_same_rows(client):
    load_demo_content()
    client.force_login(member_of("Editors"))

    response = client.get(REPORT_URL, {"export": "xlsx"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert list(values[0]) == EXPORT_HEADINGS
    assert [row[0] for row in values[1:]] == [row[0] for row in report_rows(client.get(REPORT_URL))]
    assert values[1][0] == "Sexting"
    assert values[1][3] == 11


def test_a_feedback_analyst_reads_every_live_page_s_figures(client, site_tree):
    """Analysts edit no pages but read feedback: they see every live page, unlinked."""
    for useful in (True, False):
        FeedbackResponseFactory(page=site_tree.guidance, useful=useful)
    client.force_login(member_of("Feedback analysts"))

    response = client.get(REPORT_URL)

    sexting = GuidancePage.objects.get(pk=site_tree.guidance.pk)
    rows = {row[0]: row for row in report_rows(response)}
    assert sorted(rows) == ["Grooming", "Sexting"]
    assert rows["Sexting"] == (
        "Sexting",
        "Online safety",
        f"{sexting.reading_age:.1f}",
        "11",
        _over_label(sexting.reading_age - 11),
        "50% of 2",
    )
    # No link to an editor they may not open.
    assert not parse_ok(response).select("table tbody a[href*='/edit/']")


def _over_label(over):
    return f"{over:.1f} over" if over > 0 else "Within target"


def test_a_feedback_analyst_downloads_the_figures_without_edit_links(client, site_tree):
    client.force_login(member_of("Feedback analysts"))

    table = csv_table(client.get(REPORT_URL, {"export": "csv"}))

    rows = [dict(zip(EXPORT_HEADINGS, row, strict=True)) for row in table[1:]]
    assert sorted(row["Page"] for row in rows) == ["Grooming", "Sexting"]
    assert {row["Edit at"] for row in rows} == {""}


def test_an_editor_still_gets_edit_links(client, site_tree):
    client.force_login(member_of("Editors"))

    response = client.get(REPORT_URL)

    links = parse_ok(response).select("table tbody a[href*='/edit/']")
    assert len(links) == 2


@pytest.fixture
def admin_access_only():
    """Staff who may sign in to the admin and do nothing else there."""
    group = Group.objects.create(name="Admin access only")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user = get_user_model().objects.create_user("nobody-special", "n@example.org", "x")
    user.groups.add(group)
    return user


def test_people_with_no_business_there_are_refused(client, site_tree, admin_access_only):
    anonymous = client.get(REPORT_URL)
    client.force_login(admin_access_only)
    other_staff = client.get(REPORT_URL)
    other_staff_export = client.get(REPORT_URL, {"export": "csv"})

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/admin/login/")
    # Wagtail's admin answers PermissionDenied with a redirect to the dashboard and a message.
    for refused in (other_staff, other_staff_export):
        assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    dashboard = client.get("/admin/")
    assert "you do not have permission" in text_of(dashboard.content)
    assert REPORT_URL.encode() not in dashboard.content


@pytest.mark.parametrize(
    "group", ["Editors", "Moderators", "Safeguarding reviewers", "Feedback analysts"]
)
def test_the_menu_entry_is_for_those_who_may_open_it(rf, site_tree, admin_access_only, group):
    item = reading_age_menu_item()
    request = rf.get("/admin/")

    request.user = member_of(group)
    assert item.is_shown(request)
    request.user = admin_access_only
    assert not item.is_shown(request)


@pytest.mark.parametrize(
    "group", ["Editors", "Moderators", "Safeguarding reviewers", "Feedback analysts"]
)
def test_people_who_edit_pages_or_read_feedback_find_it_in_the_reports_menu(
    client, site_tree, group
):
    client.force_login(member_of(group))

    assert REPORT_URL.encode() in client.get("/admin/").content
    assert client.get(REPORT_URL).status_code == 200
