"""Whatever is thrown at POST /feedback/, it never answers 500 or stores a bad row.

Runs on whichever database the suite uses (SQLite and PostgreSQL in CI):
PostgreSQL rejects NUL bytes, so this is where a missed one would show.
"""

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from feedback.models import COMMENT_MAX_LENGTH, FeedbackResponse
from tests.support.fuzzing import hypothesis_examples
from tests.support.site import build_site_tree

pytestmark = pytest.mark.slow  # fuzzes the endpoint (hypothesis)

FIELD_NAMES = ["page", "useful", "reason", "comment", "giraffe", "extra"]
any_text = st.text(max_size=1500) | st.sampled_from(["", "yes", "no", "other", "\x00", "1"])
form_data = st.dictionaries(st.sampled_from(FIELD_NAMES), any_text, max_size=6)
headers = st.fixed_dictionaries(
    {},
    optional={
        "HTTP_ACCEPT": st.sampled_from(["application/json", "text/html", "*/*", "\x00"]),
        "HTTP_ORIGIN": st.sampled_from(["http://testserver", "https://evil.example", "null"]),
        "HTTP_SEC_FETCH_SITE": st.sampled_from(["same-origin", "cross-site", "none", "x"]),
    },
)


class FeedbackEndpointPropertiesTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = build_site_tree()
        cls.tree.guidance.save_revision().publish()

    def _check(self, data, request_headers):
        cache.clear()  # keep the rate limit out of the way of this test
        before = FeedbackResponse.objects.count()

        response = self.client.post("/feedback/", data, **request_headers)

        assert response.status_code in {201, 303, 400, 403, 413}, response.status_code
        stored = list(FeedbackResponse.objects.all()[: before + 2])
        assert len(stored) - before <= 1
        for row in stored:
            assert len(row.comment) <= COMMENT_MAX_LENGTH
            assert "\x00" not in row.comment
            assert row.page_title and row.page_path
        if response.status_code >= 400:
            assert len(stored) == before

    @settings(
        max_examples=hypothesis_examples(len(FIELD_NAMES) + 3),  # the form's fields, 3 headers
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(data=form_data, request_headers=headers)
    def test_arbitrary_fields_never_break_the_endpoint(self, data, request_headers):
        self._check(data, request_headers)

    @settings(
        max_examples=hypothesis_examples(3),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        useful=st.sampled_from(["yes", "no", "", "YES", "maybe"]),
        reason=st.sampled_from(["", "parent-carer", "other", "nope"]),
        comment=st.text(max_size=COMMENT_MAX_LENGTH + 50),
    )
    def test_arbitrary_answers_about_a_real_page(self, useful, reason, comment):
        data = {
            "page": str(self.tree.guidance.pk),
            "useful": useful,
            "reason": reason,
            "comment": comment,
        }
        self._check(data, {"HTTP_ACCEPT": "application/json"})
