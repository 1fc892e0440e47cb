"""Reading age in a real browser: the report and the editor's panel pass axe at 1280 px.

An Editor signs in through Wagtail's login form, opens Reports → Reading age
(the demo content: Sexting is the one page over its target) and the Sexting
page's editor, and axe (the same rules and tags as every page of ours in
test_accessibility.py) finds nothing on either screen.

The panel sits on the editor's Content tab, above the body. Two parts of
Wagtail's own Content tab fail axe on every page with a rich text body,
whatever our panel does: Draftail's rich text boxes have no accessible name
(`aria-input-field-name`) and the minimap's list scrolls without keyboard
access (`scrollable-region-focusable`). Only those elements are left out of
the editor's run (`WAGTAILS_OWN`); everything else on the screen is checked.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from guidance.models import GuidancePage
from tests.browser.test_accessibility import AXE, AXE_OPTIONS, describe

pytestmark = pytest.mark.browser

PASSWORD = "a long editor passphrase"
WIDTH = 1280


@pytest.fixture
def editor_tab(browser, demo_site):
    user = get_user_model().objects.create_user("ed.editor", "ed@example.org", PASSWORD)
    user.groups.add(Group.objects.get(name="Editors"))
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{demo_site.url}/admin/login/")
    page.get_by_label("Username").fill("ed.editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{demo_site.url}/admin/")
    yield page
    context.close()


# Wagtail's elements that fail axe on its Content tab (see above).
WAGTAILS_OWN = [[".public-DraftEditor-content"], [".w-minimap__list"]]


def axe_violations(page, exclude=()):
    page.evaluate("window.scrollTo(0, 0)")
    context = {"include": [["html"]], "exclude": list(exclude)} if exclude else None
    violations = AXE.run(page, context=context, options=AXE_OPTIONS).response["violations"]
    return "\n".join(describe(violation) for violation in violations)


def test_the_report_lists_the_page_over_target_first_and_passes_axe(editor_tab, demo_site):
    page = editor_tab

    page.goto(f"{demo_site.url}/admin/reports/reading-age/")

    first_row = page.locator("table tbody tr").first
    assert first_row.locator("td").first.inner_text().strip() == "Sexting"
    assert "over" in first_row.locator("td").nth(4).inner_text()
    assert axe_violations(page) == ""


def test_the_editor_panel_shows_the_reading_age_and_passes_axe(editor_tab, demo_site):
    page = editor_tab
    sexting = GuidancePage.objects.get(slug="sexting")

    page.goto(f"{demo_site.url}/admin/pages/{sexting.pk}/edit/")

    panel = page.locator(".reading-age-panel")
    panel.wait_for()
    assert f"about {sexting.reading_age:.1f} years" in panel.inner_text()
    assert panel.locator("ol li").count() == 3
    assert axe_violations(page, exclude=WAGTAILS_OWN) == ""
