"""Visitors answer "Was this page useful?" with and without JavaScript."""

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from feedback.models import DisclosurePhrase, FeedbackResponse
from tests.support.html import parse

FEEDBACK_URL = "/feedback/"
JSON = {"HTTP_ACCEPT": "application/json"}


def answer(about, **fields):
    """Form data for an answer about the page `about`; override any field."""
    data = {"page": str(about.pk), "useful": "yes", "reason": "", "comment": "", "giraffe": ""}
    data.update(fields)
    return data


def test_guidance_page_shows_the_feedback_form(client, guidance_page):
    response = client.get(guidance_page.url)

    soup = parse(response)
    form = soup.select_one("form[data-feedback-form]")
    assert form["action"] == FEEDBACK_URL
    legends = [legend.get_text(" ", strip=True) for legend in form.select("legend")]
    assert legends[0].startswith("Was this page useful?")
    assert legends[1] == "What best describes the reason for your visit today?"
    assert [i["value"] for i in form.select("input[name=useful]")] == ["yes", "no"]
    assert "I'm a parent or carer" in form.get_text()
    notice = form.select_one(".notice").get_text(" ", strip=True)
    assert "not monitored" in notice
    assert "999" in notice and "101" in notice and "CEOP" in notice
    assert form.select_one("label[for=id_comment]").get_text() == "How could we improve this page?"
    assert not form.select("input[name=csrfmiddlewaretoken]")
    assert "Set-Cookie" not in response.headers


def test_editor_can_switch_the_form_off(client, guidance_page):
    guidance_page.show_feedback_form = False
    guidance_page.save_revision().publish()

    soup = parse(client.get(guidance_page.url))

    assert soup.select_one("form[data-feedback-form]") is None


def test_answer_without_javascript_is_stored_once_and_thanked(client, guidance_page, parent_reason):
    response = client.post(
        FEEDBACK_URL,
        answer(guidance_page, useful="no", reason="parent-carer", comment="More on apps, please."),
    )

    assert response.status_code == 303
    stored = FeedbackResponse.objects.get()
    assert stored.page_id == guidance_page.pk
    assert stored.page_revision_id == guidance_page.live_revision_id
    assert stored.page_title == "Sexting"
    assert stored.page_path == "/online-safety/sexting/"
    assert stored.useful is False
    assert stored.reason == parent_reason
    assert stored.comment == "More on apps, please."

    thanks = client.get(response["Location"])
    soup = parse(thanks)
    assert thanks.status_code == 200
    assert soup.h1.get_text(strip=True) == "Thank you for your feedback"
    back = soup.find("a", string=lambda s: s and "Sexting" in s)
    assert back["href"] == "/online-safety/sexting/"
    assert soup.select_one('a[href="tel:999"]')
    assert soup.select_one('a[href="tel:08001111"]')


def test_answer_with_javascript_gets_json(client, guidance_page):
    response = client.post(FEEDBACK_URL, answer(guidance_page), **JSON)

    assert response.status_code == 201
    body = response.json()
    assert body["support"] is False
    assert "Thank you for your feedback" in body["html"]
    assert FeedbackResponse.objects.count() == 1


def test_missing_answer_redisplays_the_form_with_answers_kept(client, guidance_page):
    response = client.post(
        FEEDBACK_URL, answer(guidance_page, useful="", reason="research", comment="Too long")
    )

    assert response.status_code == 400
    soup = parse(response)
    summary = soup.select_one(".error-summary")
    link = summary.select_one("a")
    assert link.get_text() == "Select yes if this page was useful, or no if it was not"
    assert link["href"] == "#id_useful_0"
    assert soup.select_one("#id_useful_0") is not None
    assert "Select yes if this page was useful" in soup.select_one(".error-message").get_text()
    assert soup.select_one("input[name=reason][value=research]").has_attr("checked")
    assert soup.select_one("textarea[name=comment]").get_text() == "Too long"
    assert soup.title.get_text().startswith("Error:")
    assert FeedbackResponse.objects.count() == 0


def test_missing_answer_with_javascript_lists_field_errors(client, guidance_page):
    response = client.post(FEEDBACK_URL, answer(guidance_page, useful=""), **JSON)

    assert response.status_code == 400
    assert response.json()["errors"]["useful"] == [
        "Select yes if this page was useful, or no if it was not"
    ]
    assert 'class="error-summary"' in response.json()["html"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"useful": "maybe"}, "useful", "Select yes if this page was useful"),
        ({"reason": "not-a-reason"}, "reason", "Select a reason from the list"),
        ({"comment": "x" * 1201}, "comment", "1,200 characters or fewer"),
        ({"page": "999999"}, "page", "This page cannot take feedback"),
        ({"page": "not-a-number"}, "page", "Enter a whole number"),
    ],
)
def test_bad_answers_store_nothing_and_say_what_to_fix(
    client, guidance_page, fields, field, message
):
    response = client.post(FEEDBACK_URL, answer(guidance_page, **fields), **JSON)

    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert FeedbackResponse.objects.count() == 0


def test_retired_reason_is_not_accepted(client, guidance_page, parent_reason):
    parent_reason.active = False
    parent_reason.save()

    response = client.post(FEEDBACK_URL, answer(guidance_page, reason="parent-carer"), **JSON)

    assert response.status_code == 400
    assert FeedbackResponse.objects.count() == 0


def test_unpublished_page_cannot_take_feedback(client, guidance_page):
    guidance_page.unpublish()

    response = client.post(FEEDBACK_URL, answer(guidance_page), **JSON)

    assert response.status_code == 400
    assert FeedbackResponse.objects.count() == 0


def test_page_without_the_form_cannot_take_feedback(client, site_tree):
    response = client.post(FEEDBACK_URL, answer(site_tree.home), **JSON)

    assert response.status_code == 400
    assert FeedbackResponse.objects.count() == 0


def test_malformed_body_is_a_bad_request(client, guidance_page):
    response = client.generic(
        "POST",
        FEEDBACK_URL,
        b'--broken\r\nContent-Disposition: form-data; name="useful"\r\n\r\nyes',
        content_type="multipart/form-data; boundary=",
    )

    assert response.status_code == 400
    assert FeedbackResponse.objects.count() == 0


def test_oversized_body_is_refused(client, guidance_page):
    response = client.post(FEEDBACK_URL, answer(guidance_page, comment="x" * 20_000), **JSON)

    assert response.status_code == 413
    assert FeedbackResponse.objects.count() == 0


def test_reading_the_endpoint_is_not_allowed(client, db):
    assert client.get(FEEDBACK_URL).status_code == 405


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_REFERER": "https://evil.example/page"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_ORIGIN": "null"},
    ],
)
def test_cross_site_posts_are_refused(client, guidance_page, headers):
    response = client.post(FEEDBACK_URL, answer(guidance_page), **headers)

    assert response.status_code == 403
    assert "only be sent from this website" in response.content.decode()
    assert FeedbackResponse.objects.count() == 0


def test_same_site_posts_from_a_browser_are_accepted(client, guidance_page):
    response = client.post(
        FEEDBACK_URL,
        answer(guidance_page),
        HTTP_ORIGIN="http://testserver",
        HTTP_REFERER="http://testserver/online-safety/sexting/",
        HTTP_SEC_FETCH_SITE="same-origin",
    )

    assert response.status_code == 303
    assert FeedbackResponse.objects.count() == 1


def test_filled_honeypot_looks_like_success_but_stores_nothing(client, guidance_page):
    plain = client.post(FEEDBACK_URL, answer(guidance_page, giraffe="http://spam.example"))
    as_json = client.post(FEEDBACK_URL, answer(guidance_page, giraffe="spam"), **JSON)

    assert plain.status_code == 303
    assert as_json.status_code == 201
    assert FeedbackResponse.objects.count() == 0


def test_identical_answer_from_one_client_is_stored_once(client, guidance_page):
    first = client.post(FEEDBACK_URL, answer(guidance_page, comment="Same words"), **JSON)
    again = client.post(FEEDBACK_URL, answer(guidance_page, comment="Same words"), **JSON)
    different = client.post(FEEDBACK_URL, answer(guidance_page, comment="Other words"), **JSON)
    other_client = client.post(
        FEEDBACK_URL, answer(guidance_page, comment="Same words"), REMOTE_ADDR="10.0.0.9", **JSON
    )

    assert [first.status_code, again.status_code, different.status_code] == [201, 201, 201]
    assert other_client.status_code == 201
    assert FeedbackResponse.objects.count() == 3


def test_eleventh_post_in_a_minute_is_rate_limited(client, guidance_page):
    statuses = [
        client.post(FEEDBACK_URL, answer(guidance_page, comment=f"note {n}"), **JSON).status_code
        for n in range(11)
    ]
    plain = client.post(FEEDBACK_URL, answer(guidance_page, comment="plain"))
    other_client = client.post(
        FEEDBACK_URL, answer(guidance_page, comment="note 0"), REMOTE_ADDR="10.0.0.8", **JSON
    )

    assert statuses == [201] * 10 + [429]
    assert plain.status_code == 429
    assert "Please wait a minute" in parse(plain).h1.get_text()
    assert parse(plain).select_one('a[href="tel:999"]')
    assert other_client.status_code == 201
    assert FeedbackResponse.objects.count() == 11


@override_settings(FEEDBACK_RATE_LIMIT_PER_MINUTE=2)
def test_rate_limit_is_a_setting(client, guidance_page):
    statuses = [
        client.post(FEEDBACK_URL, answer(guidance_page, comment=str(n)), **JSON).status_code
        for n in range(3)
    ]

    assert statuses == [201, 201, 429]


def test_personal_details_never_reach_the_database(client, guidance_page):
    comment = (
        "Email me at jo.bloggs+x@example.co.uk or call 07700 900123 / +44 (0)20 7946 0000. "
        "I live at SW1A 1AA, NI number QQ 12 34 56 C. Call 999 or 101 in 2 weeks."
    )

    client.post(FEEDBACK_URL, answer(guidance_page, comment=comment), **JSON)

    stored = FeedbackResponse.objects.get().comment
    assert stored == (
        "Email me at [removed] or call [removed] / [removed]. "
        "I live at [removed], NI number [removed]. Call 999 or 101 in 2 weeks."
    )


def test_control_characters_never_reach_the_database(client, guidance_page):
    client.post(FEEDBACK_URL, answer(guidance_page, comment="Hel\x00lo\x07\r\nthere\u202e"), **JSON)

    assert FeedbackResponse.objects.get().comment == "Hello\nthere"


def test_every_invisible_direction_control_is_removed_alike(client, guidance_page):
    controls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    comment = "".join(f"{char}word{n}" for n, char in enumerate(controls))

    client.post(FEEDBACK_URL, answer(guidance_page, comment=comment), **JSON)

    assert FeedbackResponse.objects.get().comment == "".join(
        f"word{n}" for n in range(len(controls))
    )


def test_disclosure_leads_with_help_contacts(client, guidance_page):
    response = client.post(
        FEEDBACK_URL, answer(guidance_page, useful="no", comment="My uncle is HURTING me")
    )

    soup = parse(client.get(response["Location"]))
    assert soup.h1.get_text(strip=True) == "Get help now"
    first_block = soup.select_one("[data-thanks]")
    assert "You do not have to deal with this alone" in first_block.get_text()
    assert first_block.select_one('a[href="tel:999"]')
    assert first_block.select_one('a[href="tel:08001111"]')
    assert FeedbackResponse.objects.count() == 1


def test_editors_can_add_disclosure_phrases(client, guidance_page):
    as_json = answer(guidance_page, comment="he takes my phone every night")
    before = client.post(FEEDBACK_URL, as_json, **JSON).json()
    DisclosurePhrase.objects.create(phrase="takes my phone")
    cache_busting = answer(guidance_page, comment="He takes my phone every night!")
    after = client.post(FEEDBACK_URL, cache_busting, **JSON).json()

    assert before["support"] is False
    assert after["support"] is True
    assert "You do not have to deal with this alone" in after["html"]


def test_database_outage_gets_a_friendly_503_with_help(client, guidance_page):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    with connection.execute_wrapper(refuse):
        response = client.post(FEEDBACK_URL, answer(guidance_page))

    assert response.status_code == 503
    soup = parse(response)
    assert "could not be saved" in soup.h1.get_text()
    assert soup.select_one('a[href="tel:999"]')
    assert soup.select_one('a[href="tel:08088005000"]')
    assert FeedbackResponse.objects.count() == 0


def test_database_outage_with_javascript_still_shows_the_help_contacts(client, guidance_page):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    with connection.execute_wrapper(refuse):
        response = client.post(FEEDBACK_URL, answer(guidance_page), **JSON)

    assert response.status_code == 503
    shown = parse(response.json()["html"])
    assert "could not save your feedback" in shown.get_text()
    assert shown.select_one('a[href="tel:999"]')
    assert shown.select_one('a[href="tel:08001111"]')
    assert FeedbackResponse.objects.count() == 0


def test_thanks_page_with_a_forged_token_is_not_found(client, db):
    assert client.get("/feedback/thanks/not-a-token/").status_code == 404


def test_responses_survive_the_page_being_deleted(client, guidance_page):
    client.post(FEEDBACK_URL, answer(guidance_page, comment="Clear, thanks"), **JSON)

    guidance_page.delete()

    stored = FeedbackResponse.objects.get()
    assert stored.page is None
    assert (stored.page_title, stored.page_path) == ("Sexting", "/online-safety/sexting/")
