"""Visitors answer "Was this page useful?" in a real browser, with and without JavaScript."""

import pytest

from feedback.models import FeedbackResponse

pytestmark = pytest.mark.browser


def test_visitor_without_javascript_sends_feedback(page_without_javascript, live_server, exit_site):
    page = page_without_javascript
    page.goto(live_server.url + exit_site.guidance.url)

    page.get_by_role("radio", name="No").check()
    page.get_by_role("radio", name="I'm a parent or carer").check()
    page.get_by_label("How could we improve this page?").fill("Say more about apps.")
    page.get_by_role("button", name="Send feedback").click()

    page.wait_for_url(f"{live_server.url}/feedback/thanks/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for your feedback"
    page.get_by_role("link", name="Go back to “Sexting”").click()
    page.wait_for_url(live_server.url + exit_site.guidance.url)
    stored = FeedbackResponse.objects.get()
    assert (stored.page_title, stored.page_path) == ("Sexting", "/online-safety/sexting/")
    assert (stored.useful, stored.reason.slug) == (False, "parent-carer")
    assert stored.comment == "Say more about apps."


def test_visitor_without_javascript_sees_what_to_fix(
    page_without_javascript, live_server, exit_site
):
    page = page_without_javascript
    page.goto(live_server.url + exit_site.guidance.url)

    page.get_by_label("How could we improve this page?").fill("Kept after the error")
    page.get_by_role("button", name="Send feedback").click()

    summary = page.locator(".error-summary")
    assert "There is a problem" in summary.inner_text()
    summary.get_by_role("link", name="Select yes if this page was useful").click()
    assert page.get_by_label("How could we improve this page?").input_value() == (
        "Kept after the error"
    )
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_url(f"{live_server.url}/feedback/thanks/**")
    assert FeedbackResponse.objects.get().comment == "Kept after the error"


def test_visitor_with_javascript_stays_on_the_page(page, live_server, exit_site):
    page.goto(live_server.url + exit_site.guidance.url)

    page.get_by_role("button", name="Send feedback").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert FeedbackResponse.objects.count() == 0

    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Send feedback").click()

    status = page.locator("[data-feedback-status]")
    status.get_by_text("Thank you for your feedback").wait_for()
    assert status.get_attribute("aria-live") == "polite"
    assert page.url == live_server.url + exit_site.guidance.url
    stored = FeedbackResponse.objects.get()
    assert (stored.page_title, stored.useful) == ("Sexting", True)
