"""Privacy of what visitors send: T9 (personal details in free text) and T10 (data minimisation).

Comments and searches go through the real form, view, scrubbing and
database; what is checked is what a person reading the database, the logs
or the admin would find.
"""

import logging
import re

import pytest
from wagtail.contrib.search_promotions.models import Query

from feedback.models import FeedbackResponse
from guidance.search import NoResultsSearch
from portal.scrubbing import REMOVED
from tests.support import visitor
from tests.support.visitor import FEEDBACK_REPORT, FEEDBACK_URL, JSON, answer, stored_text

SHARE_SITE_TREE = True
guidance_page = visitor.guidance_page
analyst = visitor.analyst

# (what a visitor writes, the personal details in it that must not be kept)
PERSONAL_DETAILS = [
    ("Please email me@example.com about this", ["me@example.com"]),
    ("ring me on 07700 900123 after school", ["07700 900123", "900123"]),
    ("or +44 7700 900123 at night", ["7700 900123", "900123"]),
    ("we live near SW1A 1AA", ["SW1A 1AA"]),
    ("my NI number is QQ 12 34 56 C", ["QQ 12 34 56 C", "QQ123456C"]),
    ("Hi my name is Jane Smith and I need help", ["Jane", "Smith"]),
    ("my name is jane smith and i am 12", ["jane", "smith"]),
    ("I'm Jane, 14, and this page helped", ["Jane"]),
    ("My son Tom was sent photos", ["Tom"]),
    ("my daughter's name is amy", ["amy"]),
    ("born 03/04/2010 so I am 16", ["03/04/2010"]),
    ("DOB 3 April 2010", ["3 April 2010"]),
    ("date of birth: April 3rd, 2010", ["April 3rd, 2010"]),
    ("he messaged @jane_smith99 last night", ["jane_smith99"]),
    ("my snapchat is jane.s2010 if you want to talk", ["jane.s2010"]),
    ("insta: janesmith_x", ["janesmith_x"]),
    ("add me on snap jsmith10", ["jsmith10"]),
    ("write to jane at example dot com", ["jane at example", "example dot com"]),
    ("jane (at) example (dot) co (dot) uk", ["example", "jane"]),
    ("jane[at]example.com", ["example.com"]),
]
# Ordinary comments the scrubbing must leave exactly as written.
ORDINARY = [
    "I'm worried about my son",
    "It happened at school",
    "The page at the top was confusing",
    "We met at the park. Then he asked for photos",
    "This is really helpful, thank you",
    "I'm Not sure what to do next",
    "My son is 14 and was sent a photo on 3 April",
    "my snapchat is private now",
    "Call Childline on 0800 1111 or 999",
    "I am a parent and I found the law section clear",
    "He said he was born in 2010",
    "my son I think is at risk",
    "Was this page useful? Yes, at last",
]


def _words_in(text, secret):
    """`secret` as whole words in `text`, in any case ("Tom" is not in "bottom" or a token)."""
    return re.search(rf"(?<!\w){re.escape(secret)}(?!\w)", text, re.IGNORECASE) is not None


@pytest.mark.parametrize(("comment", "secrets"), PERSONAL_DETAILS)
def test_t09_personal_details_in_free_text(
    client, tally, guidance_page, analyst, caplog, comment, secrets
):
    """T9: personal details become [removed] before anything is stored, logged or shown."""
    caplog.set_level(logging.DEBUG)
    tally.tried(2)

    response = client.post(FEEDBACK_URL, answer(guidance_page, comment=comment), **JSON)
    searched = client.get("/search/", {"q": comment})

    assert response.status_code == 201
    assert searched.status_code == 200
    stored = FeedbackResponse.objects.get()
    tally.responses(accepted=1, stored=1)
    assert REMOVED in stored.comment
    searches = [*Query.objects.values_list("query_string", flat=True)]
    searches += NoResultsSearch.objects.values_list("query_text", flat=True)
    client.force_login(analyst)
    listing = client.get(FEEDBACK_REPORT).content.decode()
    for secret in secrets:
        assert not _words_in(stored_text(), secret), secret
        assert not _words_in(caplog.text, secret), secret
        assert not [text for text in searches if _words_in(text, secret)], secret
        assert not _words_in(listing, secret), secret


@pytest.mark.parametrize("comment", ORDINARY)
def test_t09_personal_details_ordinary_comments_survive(client, tally, guidance_page, comment):
    """T9: the scrubbing leaves ordinary comments exactly as the visitor wrote them."""
    response = client.post(FEEDBACK_URL, answer(guidance_page, comment=comment), **JSON)

    assert response.status_code == 201
    assert FeedbackResponse.objects.get().comment == comment
    tally.responses(accepted=1, stored=FeedbackResponse.objects.count())


ALLOWED_COLUMNS = {
    "id",
    "submitted_at",
    "page",
    "page_revision",
    "site",  # the force the page belongs to: nothing about the visitor
    "page_title",
    "page_path",
    "useful",
    "reason",
    "comment",
}


def test_t10_data_minimisation(client, tally, guidance_page):
    """T10: a post with a user agent, cookies, forwarding and a referrer keeps none of them."""
    secrets = {
        "user_agent": "Mozilla/5.0 (Secret-Device-4471)",
        "cookie": "tracking-5519",
        "address": "203.0.113.99",
        "forwarded": "198.51.100.23",
        "query": "from=email-8812",
    }
    client.cookies["sessionid"] = secrets["cookie"]
    client.cookies["_ga"] = secrets["cookie"]
    tally.tried(5)

    response = client.post(
        FEEDBACK_URL,
        answer(guidance_page, comment="Clear and kind"),
        HTTP_USER_AGENT=secrets["user_agent"],
        REMOTE_ADDR=secrets["address"],
        HTTP_X_FORWARDED_FOR=secrets["forwarded"],
        HTTP_REFERER=f"http://testserver{guidance_page.url}?{secrets['query']}",
    )
    thanks = client.get(response["Location"])

    assert response.status_code == 303
    assert thanks.status_code == 200
    # Nothing is set; a bogus session cookie sent in may only be deleted.
    assert not response.cookies
    assert [morsel.value for morsel in thanks.cookies.values()] in ([], [""])
    assert {field.name for field in FeedbackResponse._meta.concrete_fields} <= ALLOWED_COLUMNS
    row = FeedbackResponse.objects.get()
    tally.responses(accepted=1, stored=1)
    values = " ".join(str(value) for value in FeedbackResponse.objects.values().get().values())
    for name, secret in secrets.items():
        assert secret not in values, name
    assert row.page_id == guidance_page.pk
    assert row.page_path == guidance_page.url  # the page's path: no host, no query string
    # Coarse: the hour the answer was sent, never the minute or second.
    assert (row.submitted_at.minute, row.submitted_at.second, row.submitted_at.microsecond) == (
        0,
        0,
        0,
    )


def test_t10_data_minimisation_thank_you_address_hides_a_disclosure(client, tally, guidance_page):
    """T10: a thank-you address left in browser history never says a comment was a disclosure.

    A signed value is only base64: anyone holding the device could read it.
    The two kinds of address carry the same readable part; only the
    signature, which needs the secret key to check, differs.
    """
    tally.tried(2)
    plain = client.post(FEEDBACK_URL, answer(guidance_page, comment="Clear page"))
    disclosure = client.post(
        FEEDBACK_URL, answer(guidance_page, comment="he is hurting me"), REMOTE_ADDR="192.0.2.7"
    )

    assert (plain.status_code, disclosure.status_code) == (303, 303)
    tally.responses(accepted=2, stored=FeedbackResponse.objects.count())
    readable = [
        response["Location"].split("/")[-2].split(":")[0] for response in (plain, disclosure)
    ]
    assert readable[0] == readable[1]
    assert plain["Location"] != disclosure["Location"]
    for response, heading in ((plain, "Thank you for your feedback"), (disclosure, "Get help now")):
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert heading in page.content.decode()
        assert "<title>Thank you for your feedback" in page.content.decode()
