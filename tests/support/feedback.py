"""Fixtures the feedback tests and the visitor-input cases share: a published page, an analyst.

tests/feedback/conftest.py and tests/support/visitor.py name them at
module level (`analyst = feedback.analyst`), which is how pytest finds them.
"""

import pytest

from tests.support.users import member_of


@pytest.fixture
def guidance_page(site_tree):
    """The "Sexting" page, published through a revision as the admin does."""
    page = site_tree.guidance
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def analyst(db):
    """A member of "Feedback analysts" only, who may read and download feedback."""
    return member_of("Feedback analysts", "ana")
