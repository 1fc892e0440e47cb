"""Our safeguarding rules in Wagtail's content checker, in a real browser.

A page built to trip every rule is opened in the page editor: the Checks
side panel (axe, run on the preview) lists our messages. The same page, live,
shows them from the user bar's "Checks" item. The demo pages show none of
them, except the demo content already reported (`DEMO_TRIPS`). Everything
runs under the site's Content-Security-Policy, with no violation: the check
functions come from a script file, not from code written into the
configuration.
"""

import pytest
from django.contrib.auth import get_user_model

from guidance.content_checks import (
    HEADING_ORDER,
    NO_SIGNPOSTING_CONTACT,
    UNLINKED_PHONE_NUMBER,
    VAGUE_LINK_TEXT,
)
from guidance.models import GuidancePage
from tests.guidance.factories import GuidancePageFactory
from tests.support.browser import sign_in_with_the_form
from tests.support.checks import DEMO_SLUGS, DEMO_TRIPS

pytestmark = pytest.mark.browser

PASSWORD = "a long editor passphrase"
OUR_TITLES = {
    rule.title: rule.id
    for rule in (UNLINKED_PHONE_NUMBER, NO_SIGNPOSTING_CONTACT, VAGUE_LINK_TEXT, HEADING_ORDER)
}
# Looked at by people, not read back by the tests.
SCREENSHOT = "/tmp/content_checks_panel.png"  # noqa: S108
WARNING_SCREENSHOT = "/tmp/content_checks_warning.png"  # noqa: S108
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
    console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@pytest.fixture
def staff_page(browser):
    """A tab that records Content-Security-Policy violations and script errors in any frame."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15_000)
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.problems = []
    page.on(
        "console",
        lambda message: (
            page.problems.append(message.text)
            if "Content Security Policy" in message.text or message.text.startswith("CSP")
            else None
        ),
    )
    page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
    yield page
    context.close()


def sign_in(page, live_server):
    get_user_model().objects.create_superuser("comms", "comms@example.org", PASSWORD)
    sign_in_with_the_form(page, live_server.url, "comms", PASSWORD)
    page.wait_for_url(f"{live_server.url}/admin/")


def checks_panel_issues(page, live_server, guidance_page):
    """The issue titles the editor's Checks panel lists for `guidance_page`."""
    page.goto(f"{live_server.url}/admin/pages/{guidance_page.pk}/edit/")
    panel = page.locator("[data-side-panel='checks']")
    toggle = page.locator('[data-side-panel-toggle="checks"]')
    if toggle.get_attribute("aria-expanded") != "true":  # the editor reopens the last panel
        toggle.click()
    # Content metrics are worked out after axe has run on the preview.
    panel.locator("[data-content-word-count]").filter(has_not_text="-").wait_for()
    return panel, panel.locator("[data-content-checker-name]").all_inner_texts()


@pytest.fixture
def page_that_trips_every_rule(exit_site):
    """A guidance page breaking each rule once, and nothing else."""
    return GuidancePageFactory(
        parent=exit_site.topic,
        title="Getting help",
        summary="Where to get help if you are worried about a child.",
        body=[
            # A call-out heading (h3) straight under the page title (h1).
            (
                "know_the_law",
                {"heading": "Know the law", "text": "<p>Sharing such an image is a crime.</p>"},
            ),
            (
                "paragraph",
                "<p>Worried about a child? Call the NSPCC on 0808 800 5000, or "
                '<a href="https://www.nspcc.org.uk/">click here</a>.</p>',
            ),
            # No signposting contacts block.
        ],
    )


def test_the_checks_panel_in_the_editor_lists_each_rule(
    staff_page, live_server, page_that_trips_every_rule
):
    page = staff_page
    sign_in(page, live_server)

    panel, issues = checks_panel_issues(page, live_server, page_that_trips_every_rule)

    for title in OUR_TITLES:
        assert issues.count(title) == 1, f"{title!r} not listed once in {issues}"
    phone_row = panel.locator("[data-content-checker-row]").filter(
        has_text=UNLINKED_PHONE_NUMBER.title
    )
    assert UNLINKED_PHONE_NUMBER.help in phone_row.inner_text()
    page.set_viewport_size({"width": 1400, "height": 2000})  # the whole list, unscrolled
    panel.screenshot(path=SCREENSHOT)

    # Saving a draft is not blocked; the same rules come back as a warning.
    page.get_by_role("button", name="Save draft").click()
    warning = page.locator(".messages .warning").filter(has_text="was saved, but check it")
    warning.wait_for()
    for rule in (UNLINKED_PHONE_NUMBER, NO_SIGNPOSTING_CONTACT, VAGUE_LINK_TEXT):
        assert rule.title in warning.inner_text()
    warning.screenshot(path=WARNING_SCREENSHOT)
    assert page.problems == []


def test_the_user_bar_on_the_live_page_lists_each_rule(
    staff_page, live_server, page_that_trips_every_rule
):
    page = staff_page
    sign_in(page, live_server)

    page.goto(live_server.url + page_that_trips_every_rule.url)
    page.locator("#wagtail-userbar-trigger").click()
    page.locator("#checker-trigger").click()
    dialog = page.locator("#checker-results")
    dialog.get_by_text(UNLINKED_PHONE_NUMBER.title).wait_for()

    issues = dialog.locator("[data-content-checker-name]").all_inner_texts()
    for title in OUR_TITLES:
        assert issues.count(title) == 1, f"{title!r} not listed once in {issues}"
    assert page.problems == []


def test_demo_pages_show_none_of_our_messages(staff_page, live_server, demo_site):
    page = staff_page
    sign_in(page, live_server)

    found = {}
    for guidance_page in GuidancePage.objects.filter(slug__in=DEMO_SLUGS).order_by("slug"):
        _panel, issues = checks_panel_issues(page, live_server, guidance_page)
        found[guidance_page.slug] = {OUR_TITLES[t] for t in issues if t in OUR_TITLES}

    # Known demo content that trips a rule (reported; see DEMO_TRIPS), and nothing else.
    expected = {slug: {rule for (s, rule) in DEMO_TRIPS if s == slug} for slug in DEMO_SLUGS}
    assert found == expected
    assert page.problems == []
