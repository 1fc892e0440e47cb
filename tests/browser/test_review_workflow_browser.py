"""Review before publishing, clicked through in a real browser.

An Editor rewrites a guidance page's summary and submits it to the
"Safeguarding review" workflow; visitors keep seeing the live summary. A
Safeguarding reviewer finds it on the dashboard and approves it: visitors see
it. The Editor's next change is sent back with a comment: visitors never see
it.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import WorkflowState

from tests.support.browser import sign_in_with_the_form

pytestmark = pytest.mark.browser

PASSWORD = "a long staff passphrase"
APPROVED = "Rewritten, and checked by a safeguarding reviewer."
SENT_BACK = "Rewritten again, with a mistake the reviewer spots."


def staff(username, group):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def people(exit_site):
    return staff("ed.editor", "Editors"), staff("rey.reviewer", "Safeguarding reviewers")


def signed_in(browser, live_server, username):
    context = browser.new_context()
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in_with_the_form(page, live_server.url, username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


def open_footer_actions(page, live_server, guidance):
    """The page editor, with the actions under its Save button shown."""
    page.goto(f"{live_server.url}/admin/pages/{guidance.pk}/edit/")
    page.locator("footer .dropdown-toggle, footer [data-w-dropdown-target='toggle']").first.click()


def submit_summary(page, live_server, guidance, summary):
    page.goto(f"{live_server.url}/admin/pages/{guidance.pk}/edit/")
    page.locator("#id_summary").fill(summary)
    page.locator("footer .dropdown-toggle, footer [data-w-dropdown-target='toggle']").first.click()
    page.get_by_role("button", name="Submit to Safeguarding review").click()
    page.wait_for_url(f"{live_server.url}/admin/pages/{guidance.topic_id}/")


def visitor_summary(browser, live_server, guidance):
    visitor = browser.new_page()
    visitor.goto(live_server.url + guidance.url)
    summary = visitor.locator("p.lead").inner_text()
    visitor.close()
    return summary


def test_a_change_goes_live_only_when_approved_and_never_when_sent_back(
    browser, live_server, exit_site, people
):
    guidance = exit_site.guidance
    guidance.topic_id = exit_site.topic.pk
    live_summary = guidance.summary
    editor_page = signed_in(browser, live_server, "ed.editor")
    reviewer_page = signed_in(browser, live_server, "rey.reviewer")

    submit_summary(editor_page, live_server, guidance, APPROVED)
    assert visitor_summary(browser, live_server, guidance) == live_summary

    reviewer_page.goto(f"{live_server.url}/admin/")
    waiting = reviewer_page.locator("#workflow_objects_to_moderate-section, section").filter(
        has_text="Awaiting your review"
    )
    waiting.get_by_role("link", name=guidance.title).first.wait_for()
    open_footer_actions(reviewer_page, live_server, guidance)
    reviewer_page.get_by_role("button", name="Approve and Publish", exact=True).click()
    reviewer_page.locator(".messages").wait_for()
    assert visitor_summary(browser, live_server, guidance) == APPROVED

    submit_summary(editor_page, live_server, guidance, SENT_BACK)
    open_footer_actions(reviewer_page, live_server, guidance)
    reviewer_page.get_by_role("button", name="Request changes").click()
    dialog = reviewer_page.get_by_role("dialog")
    dialog.get_by_label("Comment", exact=True).fill("The law section is out of date.")
    dialog.get_by_role("button", name="Request changes").click()
    reviewer_page.locator(".messages").wait_for()

    assert visitor_summary(browser, live_server, guidance) == APPROVED
    state = WorkflowState.objects.for_instance(guidance).order_by("-created_at").first()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    editor_page.goto(f"{live_server.url}/admin/pages/{guidance.pk}/edit/")
    assert "The law section is out of date." in editor_page.content()
