"""Reading age in a real browser: the report and the editor's panel pass axe at 1280 px.

An Editor signs in through Wagtail's login form, opens Reports → Reading age
(the demo content: Sexting is the one page over its target) and the Sexting
page's editor, and axe (the same rules and tags as every page of ours in
test_accessibility.py) finds nothing on either screen.

The panel sits on the editor's Content tab, above the body; the editor's
run leaves out only Wagtail's own elements that fail axe on every Content
tab (tests/support/admin_screens.py).
"""

import pytest

from guidance.models import GuidancePage
from tests.support.admin_screens import WAGTAILS_OWN, axe_violations, signed_in_tab

pytestmark = pytest.mark.browser


@pytest.fixture
def editor_tab(browser, demo_site):
    with signed_in_tab(browser, demo_site.url, "ed.editor", "Editors") as page:
        yield page


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
