"""Fixtures for page feedback: a published guidance page and a clean cache."""

import pytest
from django.core.cache import cache

from feedback.models import VisitReason


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


def answer(about, **fields):
    """Form data for an answer about the page `about`; override any field."""
    data = {"page": str(about.pk), "useful": "yes", "reason": "", "comment": "", "giraffe": ""}
    data.update(fields)
    return data
