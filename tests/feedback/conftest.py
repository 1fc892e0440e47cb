"""Fixtures for page feedback: a published guidance page, an analyst and a clean cache."""

import pytest
from django.core.cache import cache

from feedback.models import VisitReason
from tests.support.users import member_of


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit and duplicate keys live in the cache; start each test without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def guidance_page(site_tree):
    """The "Sexting" page, published through a revision as the admin does."""
    page = site_tree.guidance
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def parent_reason(db):
    return VisitReason.objects.get(slug="parent-carer")


@pytest.fixture
def analyst(db):
    """A member of "Feedback analysts" only, who may read and download feedback."""
    return member_of("Feedback analysts", "ana")
