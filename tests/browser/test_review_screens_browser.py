"""Review before publishing, walked screen by screen in a real browser, axe on every screen.

Eddie Editor (group "Editors") changes a paragraph of the "Sexting" page
and submits it to the "Safeguarding review" workflow from the editor's
action menu. Rita Reviewer (group "Safeguarding reviewers") finds it on her
dashboard under "Awaiting your review", compares it with the live version,
previews it, and sends it back with a comment through the dashboard's
dialog. Eddie sees who sent it back, when and why, on his dashboard and on
the edit screen; he resubmits; Rita approves it from the page editor
without changing anything. It goes live, and the page's history has no
edit in Rita's name. A signposting contact's phone number goes the same
way, sent back from the contact's editor: the number Rita compares before
approving is the one Eddie resubmitted.

Both sign in through Wagtail's login form, and axe runs with the rules and
tags of every page of ours on every screen they see, dialogs and previews
included (tests/support/admin_screens.py): editor screens leave out only
Wagtail's own elements that fail on every editor (`WAGTAILS_OWN`), other
screens nothing. A walk goes on past a screen that fails axe, and reports
every such screen at its end.
Screenshots of the reviewer's dashboard, the editor's dashboard panel and
the edit screens with the warning go to /tmp/shots/review_*.png.
"""

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Revision, WorkflowState

from tests.support.admin_screens import WAGTAILS_OWN, axe_violations, signed_in_tab

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")  # noqa: S108 (screenshots to look at, not secrets)
EDITOR = "Eddie Editor"
REVIEWER = "Rita Reviewer"
OLD_PARAGRAPH = "If you are under 18, sharing a sexual image is against the law."
SUBMITTED_PARAGRAPH = "Sharing a sexual image of anyone under 18 is a crime, even of yourself."
RESUBMITTED_PARAGRAPH = (
    "Sharing a sexual image of anyone under 18 is against the law, even an image of yourself."
)
PAGE_COMMENT = "Say 'against the law', as the rest of the page does."
OLD_NUMBER = "0808 800 5000"
SUBMITTED_NUMBER = "0808 800 5002"
RESUBMITTED_NUMBER = "0808 800 5003"
CONTACT_COMMENT = "0808 800 5002 is the fax line, not the helpline."
# Wagtail names the task a resubmission goes back to, not the workflow.
RESUBMIT = "Resubmit to Safeguarding review"
WHEN = r"\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}"  # "7 December 2026, 10:24"
SAVED_IN_HER_NAME = ("Edited", "Draft saved", "Saved draft", "Created")


@contextmanager
def staff_tab(browser, base_url, username, group, full_name):
    """A tab in which a new member of `group` called `full_name` has signed in."""
    with signed_in_tab(browser, base_url, username, group) as page:
        first, last = full_name.split()
        get_user_model().objects.filter(username=username).update(first_name=first, last_name=last)
        yield page


@pytest.fixture
def eddie(browser, exit_site, live_server):
    with staff_tab(browser, live_server.url, "eddie.editor", "Editors", EDITOR) as page:
        yield page


@pytest.fixture
def rita(browser, exit_site, live_server):
    with staff_tab(
        browser, live_server.url, "rita.reviewer", "Safeguarding reviewers", REVIEWER
    ) as page:
        yield page


def settle(page):
    """Wait for the screen's entrance animations to end, as the eye does.

    Wagtail's messages and dialogs fade in for half a second: axe run
    half-way through measures a colour on its way to the real one. (The
    sidebar's "new items" badge pings for 25 s; it is not waited for.)
    """
    page.evaluate(
        """() => Promise.all(document.getAnimations()
            .filter(animation => animation.effect?.getComputedTiming().endTime <= 2000)
            .map(animation => animation.finished.catch(() => null)))"""
    )


class Screens:
    """axe on each screen seen; all findings reported together at the end of the walk."""

    def __init__(self):
        self.failures = []

    def audit(self, page, screen, editor=False):
        settle(page)
        found = axe_violations(page, exclude=WAGTAILS_OWN if editor else ())
        if found:
            self.failures.append(f"axe: {screen} ({page.url}):\n{found}")

    def check(self):
        assert not self.failures, "\n\n".join(self.failures)


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    settle(page)
    page.screenshot(path=str(SHOTS / f"review_{name}.png"), full_page=True)


def messages_text(page):
    messages = page.locator(".messages")
    messages.wait_for()
    return " ".join(messages.inner_text().split())


def open_action_menu(page):
    """Show the actions under the editor's Save button."""
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()


def awaiting_review_row(page, title):
    """The row for `title` in the dashboard's "Awaiting your review" panel."""
    panel = page.locator("#awaiting-review-section")
    panel.wait_for()
    return panel.locator("tbody tr").filter(has=page.get_by_role("link", name=title, exact=True))


def row_action(page, row, name, role="link"):
    row.get_by_role("button", name="Actions").click()
    return row.get_by_role(role, name=name, exact=True)


def compared(page):
    """The comparison screen's text as it was and as it would be.

    Wagtail marks what changed with `.deletion` and `.addition` elements.
    """
    page.wait_for_url("**/revisions/compare/**")
    script = """(main, drop) => {
        const copy = main.cloneNode(true);
        copy.querySelectorAll(drop).forEach((element) => element.remove());
        return copy.textContent;
    }"""
    main = page.locator("main")
    before, after = (main.evaluate(script, drop) for drop in (".addition", ".deletion"))
    return " ".join(before.split()), " ".join(after.split())


def history_rows(page):
    """The history screen's entries, one whitespace-normalised string each."""
    rows = page.locator("main table.listing tbody tr")
    rows.first.wait_for()
    return [" ".join(text.split()) for text in rows.all_inner_texts()]


def by(rows, action, name):
    """The history entry that starts with `action` and names `name` ("" if none)."""
    return next((row for row in rows if row.startswith(action) and name in row), "")


def saved_by(rows, name):
    return [row for row in rows if name in row and any(word in row for word in SAVED_IN_HER_NAME)]


def assert_rejected_then_approved(rows, comment):
    """One review in the history: rejected with `comment`, resubmitted, approved."""
    assert comment in by(rows, "Rejected at", REVIEWER), rows
    assert by(rows, "Approved at", REVIEWER), rows
    assert by(rows, "Resubmitted", EDITOR), rows
    assert saved_by(rows, REVIEWER) == [], rows


def preview_from_the_dashboard(page, base, title):
    """The "Preview" of the revision awaiting review as `title`, opened from the dashboard."""
    page.goto(f"{base}/admin/")
    row = awaiting_review_row(page, title)
    with page.context.expect_page() as opened:
        row_action(page, row, "Preview").click()
    preview = opened.value
    preview.wait_for_load_state()
    return preview


def submit_for_review(page, title, then):
    """The editor's "Submit to Safeguarding review" from the action menu, then `then` opens."""
    open_action_menu(page)
    page.get_by_role("button", name="Submit to Safeguarding review").click()
    page.wait_for_url(then)
    assert title in messages_text(page)


def approve_and_publish(page, title, then):
    """The reviewer's "Approve and Publish" from the editor's action menu, then `then` opens."""
    open_action_menu(page)
    page.get_by_role("button", name="Approve and Publish", exact=True).click()
    page.wait_for_url(then)
    assert f"Approved and published: “{title}” is live now." in messages_text(page)


def visitor_sees(browser, url, contact=None):
    """What a visitor reads in the page's main content, or in one contact's card on it.

    (The footer and the feedback form show the site-wide help contacts,
    which the test site leaves at their defaults: the NSPCC's real number.)
    """
    visitor = browser.new_page()
    try:
        visitor.goto(url)
        shown = visitor.locator("main")
        if contact:
            shown = shown.locator("article.contact-card").filter(
                has=visitor.get_by_role("heading", name=contact, exact=True)
            )
        return " ".join(shown.inner_text().split())
    finally:
        visitor.close()


def rewrite_paragraph(page, old_text, new_text):
    """Replace the rich text paragraph that reads `old_text` as a person would: select, type.

    Draftail copies what was typed into the form's hidden input a quarter of
    a second later (its `stateSaveInterval`), and a form sent sooner sends
    the text as it was. A person takes longer than that to reach the action
    menu; the test waits for the copy.
    """
    box = page.locator(".public-DraftEditor-content").filter(has_text=old_text)
    box.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(new_text)
    page.locator(".public-DraftEditor-content").filter(has_text=new_text).wait_for()
    page.wait_for_function(
        """text => [...document.querySelectorAll("form input[type=hidden]")]
            .some(input => input.value.includes(text))""",
        arg=new_text,
    )


# -- A guidance page ----------------------------------------------------------------------------


def test_a_page_is_sent_back_resubmitted_and_approved_screen_by_screen(
    browser, live_server, exit_site, eddie, rita
):
    base = live_server.url
    guidance = exit_site.guidance
    title = guidance.title
    edit_url = f"{base}/admin/pages/{guidance.pk}/edit/"
    screens = Screens()

    # 1. Eddie changes a paragraph and submits the page for review.
    eddie.goto(edit_url)
    rewrite_paragraph(eddie, OLD_PARAGRAPH, SUBMITTED_PARAGRAPH)
    screens.audit(eddie, "page editor, paragraph changed", editor=True)
    submit_for_review(eddie, title, then=f"{base}/admin/pages/{exit_site.topic.pk}/")
    screens.audit(eddie, "page explorer after submitting")
    assert OLD_PARAGRAPH in visitor_sees(browser, base + guidance.url)

    # 2. Rita finds it on her dashboard, compares, previews, and sends it back.
    rita.goto(f"{base}/admin/")
    row = awaiting_review_row(rita, title)
    assert EDITOR in row.inner_text()
    shoot(rita, "reviewer_dashboard")
    screens.audit(rita, "reviewer's dashboard, awaiting review")

    row_action(rita, row, "Compare with live version").click()
    before, after = compared(rita)
    assert OLD_PARAGRAPH in before and SUBMITTED_PARAGRAPH not in before, before
    assert SUBMITTED_PARAGRAPH in after and OLD_PARAGRAPH not in after
    screens.audit(rita, "page comparison with live")

    preview = preview_from_the_dashboard(rita, base, title)
    assert SUBMITTED_PARAGRAPH in " ".join(preview.locator("main").inner_text().split())
    screens.audit(preview, "page preview of the submitted revision")
    preview.close()

    row = awaiting_review_row(rita, title)
    row_action(rita, row, "Request changes", role="button").click()
    dialog = rita.get_by_role("dialog")
    dialog.get_by_label("Comment", exact=True).fill(PAGE_COMMENT)
    screens.audit(rita, "request changes dialog on the dashboard")
    dialog.get_by_role("button", name="Request changes").click()
    rita.wait_for_url(f"{base}/admin/")
    assert f"“{title}” sent back to {EDITOR} with your comment." in messages_text(rita)
    shoot(rita, "reviewer_sent_back")
    screens.audit(rita, "reviewer's dashboard after sending back")
    assert not Revision.objects.filter(user__username="rita.reviewer").exists()
    assert OLD_PARAGRAPH in visitor_sees(browser, base + guidance.url)

    # 3. Eddie sees who sent it back, when and why: dashboard, then edit screen.
    eddie.goto(f"{base}/admin/")
    panel = eddie.locator("#guidance-sent-back-section")
    panel.wait_for()
    panel_text = " ".join(panel.inner_text().split())
    assert "Sent back to you for changes" in panel_text
    assert re.search(f"{title}: {REVIEWER} sent it back on {WHEN} with this comment:", panel_text)
    assert f"“{PAGE_COMMENT}”" in panel_text
    shoot(eddie, "editor_dashboard")
    screens.audit(eddie, "editor's dashboard, sent back panel")

    panel.get_by_role("link", name=title).click()
    eddie.wait_for_url(edit_url)
    warning = messages_text(eddie)
    assert re.search(f"{REVIEWER} sent this back for changes on {WHEN}: “", warning), warning
    assert f": “{PAGE_COMMENT}” Make the changes, then submit it for review again." in warning
    shoot(eddie, "page_edit_warning")
    screens.audit(eddie, "page editor, sent back warning", editor=True)

    # 4. Eddie resubmits; Rita approves from the editor without changing anything.
    rewrite_paragraph(eddie, SUBMITTED_PARAGRAPH, RESUBMITTED_PARAGRAPH)
    open_action_menu(eddie)
    eddie.get_by_role("button", name=RESUBMIT).click()
    eddie.wait_for_url(f"{base}/admin/pages/{exit_site.topic.pk}/")
    screens.audit(eddie, "page explorer after resubmitting")
    eddie.goto(f"{base}/admin/")
    assert eddie.locator("#guidance-sent-back-section").count() == 0

    rita.goto(f"{base}/admin/")
    row = awaiting_review_row(rita, title)
    row_action(rita, row, "Compare with live version").click()
    before, after = compared(rita)
    assert OLD_PARAGRAPH in before
    assert RESUBMITTED_PARAGRAPH in after, after
    screens.audit(rita, "page comparison with live, resubmitted")

    rita.goto(edit_url)
    boxes = rita.locator(".public-DraftEditor-content").all_inner_texts()
    assert any(RESUBMITTED_PARAGRAPH in box for box in boxes), boxes
    screens.audit(rita, "page editor, reviewer", editor=True)
    approve_and_publish(rita, title, then=f"{base}/admin/pages/{exit_site.topic.pk}/")
    shoot(rita, "reviewer_approved")
    screens.audit(rita, "page explorer after approving")

    rita.goto(f"{base}/admin/pages/{guidance.pk}/history/")
    assert_rejected_then_approved(history_rows(rita), PAGE_COMMENT)
    screens.audit(rita, "page history")
    assert not Revision.objects.filter(user__username="rita.reviewer").exists()

    public = visitor_sees(browser, base + guidance.url)
    assert RESUBMITTED_PARAGRAPH in public
    assert OLD_PARAGRAPH not in public
    state = WorkflowState.objects.for_instance(guidance).order_by("-created_at").first()
    assert state.status == WorkflowState.STATUS_APPROVED
    screens.check()


# -- A signposting contact ----------------------------------------------------------------------


def test_a_contact_is_sent_back_resubmitted_and_approved_screen_by_screen(
    browser, live_server, exit_site, eddie, rita
):
    base = live_server.url
    contact = exit_site.nspcc
    title = contact.name
    edit_url = f"{base}/admin/snippets/guidance/signpostingcontact/edit/{contact.pk}/"
    guidance_url = base + exit_site.guidance.url
    screens = Screens()

    # Eddie changes the phone number and submits it.
    eddie.goto(edit_url)
    eddie.get_by_label("Phone number").fill(SUBMITTED_NUMBER)
    screens.audit(eddie, "contact editor, number changed", editor=True)
    submit_for_review(eddie, title, then=f"{base}/admin/snippets/guidance/signpostingcontact/")
    screens.audit(eddie, "contact listing after submitting")
    assert OLD_NUMBER in visitor_sees(browser, guidance_url, contact=title)

    # Rita compares it with the live version and sends it back from the contact's editor.
    rita.goto(f"{base}/admin/")
    row = awaiting_review_row(rita, title)
    screens.audit(rita, "reviewer's dashboard, contact awaiting review")
    row_action(rita, row, "Compare with live version").click()
    before, after = compared(rita)
    assert OLD_NUMBER in before and SUBMITTED_NUMBER not in before
    assert SUBMITTED_NUMBER in after and OLD_NUMBER not in after
    screens.audit(rita, "contact comparison with live")

    rita.goto(edit_url)
    assert rita.get_by_label("Phone number").input_value() == SUBMITTED_NUMBER
    screens.audit(rita, "contact editor, reviewer", editor=True)
    open_action_menu(rita)
    rita.get_by_role("button", name="Request changes").click()
    dialog = rita.get_by_role("dialog")
    dialog.get_by_label("Comment", exact=True).fill(CONTACT_COMMENT)
    screens.audit(rita, "request changes dialog in the contact editor", editor=True)
    dialog.get_by_role("button", name="Request changes").click()
    rita.wait_for_url(f"{base}/admin/snippets/guidance/signpostingcontact/")
    assert f"“{title}” sent back to {EDITOR} with your comment." in messages_text(rita)
    screens.audit(rita, "contact listing after sending back")
    assert not Revision.objects.filter(user__username="rita.reviewer").exists()

    # Eddie sees why on his dashboard and the edit screen, corrects it and resubmits.
    eddie.goto(f"{base}/admin/")
    panel = eddie.locator("#guidance-sent-back-section")
    panel_text = " ".join(panel.inner_text().split())
    assert re.search(f"{title}: {REVIEWER} sent it back on {WHEN} with this comment:", panel_text)
    assert f"“{CONTACT_COMMENT}”" in panel_text
    screens.audit(eddie, "editor's dashboard, contact sent back")

    panel.get_by_role("link", name=title).click()
    eddie.wait_for_url(edit_url)
    warning = messages_text(eddie)
    assert re.search(f"{REVIEWER} sent this back for changes on {WHEN}: “", warning), warning
    assert f": “{CONTACT_COMMENT}” Make the changes, then submit it for review again." in warning
    assert eddie.get_by_label("Phone number").input_value() == SUBMITTED_NUMBER
    shoot(eddie, "contact_edit_warning")
    screens.audit(eddie, "contact editor, sent back warning", editor=True)
    eddie.get_by_label("Phone number").fill(RESUBMITTED_NUMBER)
    open_action_menu(eddie)
    eddie.get_by_role("button", name=RESUBMIT).click()
    eddie.wait_for_url(f"{base}/admin/snippets/guidance/signpostingcontact/")
    screens.audit(eddie, "contact listing after resubmitting")

    # Rita compares what was resubmitted, and approves it from the editor unchanged.
    rita.goto(f"{base}/admin/")
    row = awaiting_review_row(rita, title)
    row_action(rita, row, "Compare with live version").click()
    before, after = compared(rita)
    assert OLD_NUMBER in before, before
    assert RESUBMITTED_NUMBER in after and SUBMITTED_NUMBER not in after, after
    screens.audit(rita, "contact comparison with live, resubmitted")

    preview = preview_from_the_dashboard(rita, base, title)
    shown = " ".join(preview.locator("body").inner_text().split())
    assert RESUBMITTED_NUMBER in shown and SUBMITTED_NUMBER not in shown, shown
    screens.audit(preview, "contact preview of the resubmitted revision")
    preview.close()

    rita.goto(edit_url)
    assert rita.get_by_label("Phone number").input_value() == RESUBMITTED_NUMBER
    approve_and_publish(rita, title, then=f"{base}/admin/snippets/guidance/signpostingcontact/")
    screens.audit(rita, "contact listing after approving")

    rita.goto(f"{base}/admin/snippets/guidance/signpostingcontact/history/{contact.pk}/")
    assert_rejected_then_approved(history_rows(rita), CONTACT_COMMENT)
    screens.audit(rita, "contact history")
    assert not Revision.objects.filter(user__username="rita.reviewer").exists()

    public = visitor_sees(browser, guidance_url, contact=title)
    assert RESUBMITTED_NUMBER in public
    assert OLD_NUMBER not in public
    screens.check()
