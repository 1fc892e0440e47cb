"""The Wagtail admin works under its own Content-Security-Policy, in a real browser.

An editor signs in through Wagtail's login form (django-axes checks the
attempt), edits a guidance page, previews it, and publishes it. Every
Content-Security-Policy violation in any frame, the preview included, is
recorded; there must be none, and the published change must reach visitors.
"""

import pytest
from django.contrib.auth import get_user_model

from tests.support.browser import confirm_with_an_authenticator_code, sign_in_with_the_form

pytestmark = pytest.mark.browser

PASSWORD = "a long editor passphrase"
# Runs in every frame before the page's own scripts; the policy does not apply to it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
    console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@pytest.fixture
def editor(exit_site):
    return get_user_model().objects.create_superuser(
        "comms.officer", "comms.officer@example.org", PASSWORD
    )


@pytest.fixture
def admin_page(browser):
    context = browser.new_context()
    context.set_default_timeout(15_000)
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.violations = []

    def record(message):
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            page.violations.append(text)

    page.on("console", record)
    yield page
    context.close()


def sign_in(page, live_server):
    sign_in_with_the_form(page, live_server.url, "comms.officer", PASSWORD)
    page.wait_for_url(f"{live_server.url}/admin/")


def test_sign_in_edit_preview_and_publish_with_no_csp_violation(
    admin_page, live_server, exit_site, editor
):
    page = admin_page
    guidance = exit_site.guidance

    sign_in(page, live_server)
    assert page.get_by_role("heading", level=1).count() >= 1

    page.goto(f"{live_server.url}/admin/pages/{guidance.pk}/edit/")
    summary = page.locator("#id_summary")
    summary.fill("Updated under the admin's own policy.")

    page.locator('[data-side-panel-toggle="preview"]').click()
    preview = page.frame_locator("#w-preview-iframe")
    preview.get_by_text("Updated under the admin's own policy.").wait_for()
    preview.get_by_role("link", name="Leave site").wait_for()

    # The editor's accessibility checks run axe inside the preview.
    page.locator('[data-side-panel-toggle="checks"]').click()
    page.locator("[data-side-panel='checks']").get_by_text("Issues found").wait_for()

    page.locator("footer .dropdown-toggle, footer [data-w-dropdown-target='toggle']").first.click()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(f"{live_server.url}/admin/pages/{exit_site.topic.pk}/")
    assert "has been published" in page.locator(".messages").inner_text()

    guidance.refresh_from_db()
    assert guidance.summary == "Updated under the admin's own policy."
    visitor = page.context.browser.new_page()
    visitor.goto(live_server.url + guidance.url)
    assert "Updated under the admin's own policy." in visitor.content()
    visitor.close()

    assert page.violations == []


def test_reports_and_snippets_load_with_no_csp_violation(
    admin_page, live_server, exit_site, editor
):
    page = admin_page
    sign_in(page, live_server)

    for path in [
        "/admin/reports/feedback/",
        "/admin/reports/feedback-summary/",
        "/admin/reports/review-due/",
        f"/admin/snippets/guidance/signpostingcontact/edit/{exit_site.nspcc.pk}/",
        "/admin/settings/guidance/safetysettings/",
    ]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")

    assert page.violations == []


def test_two_step_sign_in_set_up_in_the_browser_with_no_csp_violation(
    admin_page, live_server, exit_site, editor, settings
):
    settings.STAFF_TWO_FACTOR_REQUIRED = True
    page = admin_page
    sign_in_with_the_form(page, live_server.url, "comms.officer", PASSWORD)

    page.wait_for_url(f"{live_server.url}/admin/two-factor/set-up/**")
    qr_code = page.get_by_role("img", name="QR code for your authenticator app")
    assert qr_code.evaluate("image => image.naturalWidth") > 0  # the SVG loaded
    confirm_with_an_authenticator_code(page)

    # The recovery codes, shown once, then on to the admin.
    page.wait_for_url(f"{live_server.url}/admin/two-factor/recovery-codes/**")
    assert page.locator("[data-recovery-codes] code").count() == 10
    page.get_by_role("link", name="I have stored my codes: continue").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.get_by_text("comms.officer").count() >= 1
    assert page.violations == []
