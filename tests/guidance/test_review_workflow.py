"""Review before publishing, through Wagtail's own editor and workflow views.

An Editor's change to a live guidance page or a signposting contact stays
invisible to visitors until a Safeguarding reviewer approves it; a change the
reviewer sends back never goes live. Moderators can still publish an urgent
correction themselves, and the audit log records that they skipped review.
"""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry, PageLogEntry, WorkflowState

from guidance.models import GuidancePage, SignpostingContact
from guidance.review import PUBLISHED_WITHOUT_REVIEW
from tests.support.admin_forms import guidance_form_data, paragraph_text
from tests.support.html import parse_ok, text_of
from tests.support.review import (
    act_on_contact,
    act_on_page,
    as_user,
    contact_form,
    submit_contact,
    submit_page,
)
from tests.support.users import member_of

REWRITE = "A rewritten paragraph that a reviewer must see first."
NEW_NUMBER = "0808 800 5002"


@pytest.fixture
def editor(db):
    return member_of("Editors")


@pytest.fixture
def reviewer(db):
    return member_of("Safeguarding reviewers")


def visitor_sees(page, text):
    return text in Client().get(page.url).content.decode()


def submit_page_for_review(editor, page):
    response = submit_page(editor, page, REWRITE)
    assert response.status_code == 302, response.context and response.context["form"].errors


def submit_contact_for_review(editor, contact):
    assert submit_contact(editor, contact, NEW_NUMBER).status_code == 302


def test_an_editor_cannot_publish_a_page_only_submit_it(editor, site_tree):
    edit = as_user(editor).get(reverse("wagtailadmin_pages:edit", args=[site_tree.guidance.pk]))

    html = edit.content.decode()
    assert "Submit to Safeguarding review" in html
    assert 'name="action-publish"' not in html


def test_an_editors_page_change_goes_live_only_when_a_reviewer_approves_it(
    editor, reviewer, site_tree
):
    page = site_tree.guidance
    submit_page_for_review(editor, page)

    assert not visitor_sees(page, REWRITE)
    assert visitor_sees(page, "If you are under 18, sharing a sexual image is against the law.")
    dashboard = parse_ok(as_user(reviewer).get("/admin/"))
    assert "Awaiting your review" in text_of(dashboard)
    assert page.title in text_of(dashboard)

    act_on_page(reviewer, page, "approve", comment="Checked with the safeguarding lead.")

    assert visitor_sees(page, REWRITE)
    assert GuidancePage.objects.get(pk=page.pk).live


def test_a_change_the_reviewer_sends_back_never_goes_live(editor, reviewer, site_tree):
    page = site_tree.guidance
    submit_page_for_review(editor, page)

    act_on_page(reviewer, page, "reject", comment="The law section is out of date.")

    assert not visitor_sees(page, REWRITE)
    state = WorkflowState.objects.for_instance(page).get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    comments = state.current_task_state.get_comment()
    assert comments == "The law section is out of date."


def test_an_editors_contact_change_goes_live_only_when_approved(editor, reviewer, site_tree):
    contact = site_tree.nspcc
    submit_contact_for_review(editor, contact)

    assert not visitor_sees(site_tree.guidance, NEW_NUMBER)
    assert SignpostingContact.objects.get(pk=contact.pk).phone == "0808 800 5000"

    act_on_contact(reviewer, contact, "approve")

    assert SignpostingContact.objects.get(pk=contact.pk).phone == NEW_NUMBER
    assert visitor_sees(site_tree.guidance, NEW_NUMBER)


def test_a_contact_change_sent_back_never_goes_live(editor, reviewer, site_tree):
    contact = site_tree.nspcc
    submit_contact_for_review(editor, contact)

    act_on_contact(reviewer, contact, "reject", comment="That number is the fax line.")

    assert SignpostingContact.objects.get(pk=contact.pk).phone == "0808 800 5000"
    assert not visitor_sees(site_tree.guidance, NEW_NUMBER)


def test_a_moderators_urgent_correction_is_published_and_logged_as_unreviewed(site_tree):
    moderator = member_of("Moderators")
    page = site_tree.guidance
    data = guidance_form_data(
        page.title,
        [("paragraph", paragraph_text(REWRITE))],
        slug=page.slug,
        **{"action-publish": "Publish"},
    )

    response = as_user(moderator).post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)

    assert response.status_code == 302
    assert visitor_sees(page, REWRITE)
    entry = PageLogEntry.objects.get(action=PUBLISHED_WITHOUT_REVIEW)
    assert (entry.page_id, entry.user_id) == (page.pk, moderator.pk)
    assert entry.data == {"workflow": "Safeguarding review"}
    history = as_user(moderator).get(reverse("wagtailadmin_reports:site_history"))
    assert "Published without review" in history.content.decode()


def test_a_moderators_urgent_contact_correction_is_logged_as_unreviewed(site_tree):
    moderator = member_of("Moderators")
    contact = site_tree.nspcc
    url = reverse("wagtailsnippets_guidance_signpostingcontact:edit", args=[contact.pk])

    as_user(moderator).post(url, contact_form(contact, phone=NEW_NUMBER, **{"action-publish": "1"}))

    assert visitor_sees(site_tree.guidance, NEW_NUMBER)
    entry = ModelLogEntry.objects.get(action=PUBLISHED_WITHOUT_REVIEW)
    assert (entry.object_id, entry.user_id) == (str(contact.pk), moderator.pk)


def test_an_approval_by_review_is_not_logged_as_unreviewed(editor, reviewer, site_tree):
    submit_page_for_review(editor, site_tree.guidance)

    act_on_page(reviewer, site_tree.guidance, "approve")

    assert not PageLogEntry.objects.filter(action=PUBLISHED_WITHOUT_REVIEW).exists()
