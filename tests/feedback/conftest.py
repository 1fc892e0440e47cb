"""Fixtures for page feedback: a published guidance page, an analyst and a clean cache.

The page and the analyst come from tests/support/feedback.py, which the
visitor-input cases (tests/support/visitor.py) share.
"""

import pytest
from django.core.cache import cache

from feedback.models import VisitReason
from tests.support import feedback


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit and duplicate keys live in the cache; start each test without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def parent_reason(db):
    return VisitReason.objects.get(slug="parent-carer")


guidance_page = feedback.guidance_page
analyst = feedback.analyst
