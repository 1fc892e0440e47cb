"""Two-step sign-in in Chromium: what a staff member sees at each step, and axe on it.

Wagtail's sign-in layout hides the error under each field (its own sign-in
page says errors in a messages box), so a wrong code must be said in that
box, visibly, or the page just seems to reload. The recovery codes are shown
once after the app is confirmed, and one of them then signs in.
"""

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.support.browser import (
    AXE,
    AXE_OPTIONS,
    confirm_with_an_authenticator_code,
    describe,
    sign_in_with_the_form,
)

pytestmark = pytest.mark.browser

PASSWORD = "a long staff passphrase"


@pytest.fixture
def officer(exit_site):
    return get_user_model().objects.create_superuser(
        "comms.officer", "comms.officer@example.org", PASSWORD
    )


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def axe_violations(page):
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    return "\n".join(describe(violation) for violation in violations)


def sign_in_with_password(page, base_url):
    sign_in_with_the_form(page, base_url, "comms.officer", PASSWORD)


def unthrottle():
    TOTPDevice.objects.update(throttling_failure_timestamp=None, throttling_failure_count=0)


def test_wrong_codes_are_said_and_a_recovery_code_signs_in(tab, live_server, officer, settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = True
    page, error = tab, tab.locator(".messages li.error")
    sign_in_with_password(page, live_server.url)
    page.wait_for_url(f"{live_server.url}/admin/two-factor/set-up/**")

    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Confirm and continue").click()
    error.wait_for()
    assert error.inner_text() == "That code is not right. Enter the newest code from your app."
    # The admin's message fades in: axe measured its contrast mid-fade on a busy machine.
    page.evaluate("() => Promise.all(document.getAnimations().map((a) => a.finished))")
    assert axe_violations(page) == ""

    unthrottle()
    confirm_with_an_authenticator_code(page)
    page.wait_for_url(f"{live_server.url}/admin/two-factor/recovery-codes/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Your new recovery codes"
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    assert axe_violations(page) == ""
    page.get_by_role("link", name="I have stored my codes: continue").click()
    page.wait_for_url(f"{live_server.url}/admin/")

    page.context.clear_cookies()
    sign_in_with_password(page, live_server.url)
    page.wait_for_url(f"{live_server.url}/admin/two-factor/**")
    field = page.get_by_label("Code from your authenticator app, or a recovery code")
    field.fill("ZZZZZ-ZZZZZ")
    page.get_by_role("button", name="Continue").click()
    error.wait_for()
    assert error.inner_text().startswith("That recovery code is not right")
    assert field.get_attribute("aria-describedby") == error.locator("xpath=..").get_attribute("id")
    assert axe_violations(page) == ""

    unthrottle()
    field.fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.get_by_text("You signed in with a recovery code").is_visible()
    assert page.get_by_text("You have 9 recovery codes left.").is_visible()
