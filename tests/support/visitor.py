"""What the visitor-input cases (T1–T11) share: the feedback endpoint, answers and fixtures.

A module uses a fixture by naming it at module level (`moderator =
visitor.moderator`; pytest registers it there), with the feedback tests'
`guidance_page` (the published "Sexting" page) and `analyst` of
tests/support/feedback.py; tests/adversarial/conftest.py is shared
with the other cases and left alone.
"""

import pytest

from feedback.models import FeedbackResponse
from tests.support import feedback
from tests.support.users import member_of

__all__ = ["analyst", "guidance_page", "moderator"]

FEEDBACK_URL = "/feedback/"
JSON = {"HTTP_ACCEPT": "application/json"}
FEEDBACK_REPORT = "/admin/reports/feedback/"
SAME_SITE = {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"}

guidance_page = feedback.guidance_page
analyst = feedback.analyst


def answer(about, **fields):
    """Form data for an answer about the page `about`; override any field."""
    data = {"page": str(about.pk), "useful": "yes", "reason": "", "comment": "", "giraffe": ""}
    data.update(fields)
    return data


def stored_text():
    """Every text column of every stored response, joined: what a database reader sees."""
    rows = FeedbackResponse.objects.values_list("page_title", "page_path", "comment")
    return "\n".join("\n".join(row) for row in rows)


@pytest.fixture
def moderator(db):
    """A member of "Moderators": edits and publishes pages, reads feedback."""
    return member_of("Moderators", "adv-moderator")
