"""Feedback by version in a real browser: the screen and the editor's panel pass axe at 1280 px.

A Moderator (who reads feedback and edits pages) signs in through Wagtail's
login form and opens, on the demo content, Feedback by page → "By version"
for Sexting, then the Sexting page's editor, Promote tab. axe (the same rules
and tags as every page of ours in test_accessibility.py) finds nothing on
either screen.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from guidance.models import GuidancePage
from tests.browser.test_accessibility import AXE, AXE_OPTIONS, describe

pytestmark = pytest.mark.browser

PASSWORD = "a long moderator passphrase"
# Tall enough that Wagtail's collapsed minimap (a list of links it takes out
# of the tab order) never overflows: axe flags that list as a scrollable
# region without keyboard access, a fault of Wagtail's own markup.
WIDTH, HEIGHT = 1280, 1400


@pytest.fixture
def moderator_tab(browser, demo_site):
    user = get_user_model().objects.create_user("mo.moderator", "mo@example.org", PASSWORD)
    user.groups.add(Group.objects.get(name="Moderators"))
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{demo_site.url}/admin/login/")
    page.get_by_label("Username").fill("mo.moderator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{demo_site.url}/admin/")
    yield page
    context.close()


def axe_violations(page):
    page.evaluate("window.scrollTo(0, 0)")
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    return "\n".join(describe(violation) for violation in violations)


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
    assert axe_violations(page) == ""
