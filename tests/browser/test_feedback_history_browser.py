"""Feedback by version in a real browser: the screen and the editor's panel pass axe at 1280 px.

A Moderator (who reads feedback and edits pages) signs in through Wagtail's
login form and opens, on the demo content, Feedback by page → "By version"
for Sexting, then the Sexting page's editor, Promote tab. axe (the same rules
and tags as every page of ours in test_accessibility.py) finds nothing on
either screen (the editor's run leaves out only Wagtail's own elements
that fail axe on every editor tab: tests/support/admin_screens.py).
"""

import pytest

from guidance.models import GuidancePage
from tests.support.admin_screens import WAGTAILS_OWN, axe_violations, signed_in_tab

pytestmark = pytest.mark.browser


@pytest.fixture
def moderator_tab(browser, demo_site):
    with signed_in_tab(browser, demo_site.url, "mo.moderator", "Moderators") as page:
        yield page


def test_feedback_by_version_is_reached_from_feedback_by_page_and_passes_axe(
    moderator_tab, demo_site
):
    page = moderator_tab
    page.goto(f"{demo_site.url}/admin/reports/feedback-summary/")

    page.get_by_role("link", name="By version for Sexting").click()

    page.get_by_role("heading", name="Versions, oldest first").wait_for()
    rows = page.locator("table.listing tbody tr")
    assert rows.count() == 2
    assert "Better than version 1" in rows.nth(1).inner_text()
    assert "only when their 95% ranges do not overlap" in page.inner_text("main")
    assert axe_violations(page) == ""


def test_the_editor_panel_compares_the_last_two_versions_and_passes_axe(moderator_tab, demo_site):
    page = moderator_tab
    sexting = GuidancePage.objects.get(slug="sexting")
    page.goto(f"{demo_site.url}/admin/pages/{sexting.pk}/edit/")

    page.get_by_role("tab", name="Promote").click()

    panel = page.locator(".feedback-page-panel")
    panel.get_by_text("Did the last edit help?").wait_for()
    assert "Better than version 1." in panel.inner_text()
    assert panel.get_by_role("link", name="See feedback by version").is_visible()
    assert axe_violations(page, exclude=WAGTAILS_OWN) == ""
