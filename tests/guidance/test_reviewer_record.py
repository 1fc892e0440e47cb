"""Reviewers are recorded as reviewers, and everyone is told what a review did.

Approving or sending back from the editor, without changing anything, saves
no revision and writes no "Edited" entry in the reviewer's name; a change she
does make is saved as hers and is what goes live. Approval publishes the
revision she compared. Messages say what happened, and the comment is shown
with her name on the edit screen and on the editor's dashboard.
"""

import datetime
import json

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from wagtail.log_actions import registry as log_registry
from wagtail.models import WorkflowState

from guidance.models import GuidancePage, SignpostingContact
from tests.support import review
from tests.support.html import parse_ok, text_of
from tests.support.review import (
    act_on_contact,
    act_on_page,
    as_user,
    contact_edit_url,
    contact_form,
    page_action_url,
    page_edit_url,
    page_form,
    submit_contact,
    submit_page,
    task_state_of,
)
from tests.support.users import member_of

SUBMITTED = "Outcome 21 means the police take no further action."
COMMENT = "Say who decides on Outcome 21."


editor = review.editor
reviewer = review.reviewer


def workflow_action(action, comment=""):
    """What the editor's "Approve" or "Request changes" buttons post with the form."""
    return {
        "action-workflow-action": "1",
        "workflow-action-name": action,
        "workflow-action-extra-data": json.dumps({"comment": comment} if comment else {}),
    }


def messages_after(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def actions_by(obj):
    return [
        (entry.action, entry.user.username if entry.user else None)
        for entry in log_registry.get_logs_for_instance(obj)
    ]


def test_approving_an_unchanged_page_from_the_editor_saves_nothing_in_her_name(
    editor, reviewer, site_tree
):
    page = site_tree.guidance
    submit_page(editor, page, SUBMITTED)
    reviewed = task_state_of(page).revision
    revisions_before = page.revisions.count()

    response = as_user(reviewer).post(
        page_edit_url(page), page_form(page, SUBMITTED, **workflow_action("approve"))
    )

    assert response.status_code == 302
    page = GuidancePage.objects.get(pk=page.pk)
    assert page.revisions.count() == revisions_before
    assert page.live_revision_id == reviewed.pk
    assert not page.has_unpublished_changes  # not "live + draft"
    assert ("wagtail.edit", "rita") not in actions_by(page)
    assert ("wagtail.workflow.approve", "rita") in actions_by(page)
    assert messages_after(response) == ["Approved and published: “Sexting” is live now."]
    assert SUBMITTED in as_user(reviewer).get(page.url).content.decode()


def test_sending_back_an_unchanged_page_from_the_editor_names_the_editor(
    editor, reviewer, site_tree
):
    page = site_tree.guidance
    submit_page(editor, page, SUBMITTED)
    revisions_before = page.revisions.count()

    response = as_user(reviewer).post(
        page_edit_url(page), page_form(page, SUBMITTED, **workflow_action("reject", COMMENT))
    )

    assert response.status_code == 302
    assert page.revisions.count() == revisions_before
    assert ("wagtail.edit", "rita") not in actions_by(page)
    assert messages_after(response) == ["“Sexting” sent back to Eddie Editor with your comment."]


def test_a_reviewers_own_change_made_as_she_approves_is_saved_as_hers_and_goes_live(
    editor, reviewer, site_tree
):
    page = site_tree.guidance
    submit_page(editor, page, SUBMITTED)
    corrected = "Outcome 21 is decided by the police, not by the victim."

    response = as_user(reviewer).post(
        page_edit_url(page), page_form(page, corrected, **workflow_action("approve"))
    )

    assert response.status_code == 302
    page = GuidancePage.objects.get(pk=page.pk)
    assert page.live_revision.user == reviewer
    assert ("wagtail.edit", "rita") in actions_by(page)
    assert corrected in as_user(reviewer).get(page.url).content.decode()


def test_approval_publishes_the_revision_compared_not_a_later_draft(editor, reviewer, site_tree):
    """A draft saved after submission (here by a superuser) does not ride along on approval."""
    page = site_tree.guidance
    submit_page(editor, page, SUBMITTED)
    reviewed = task_state_of(page).revision
    admin = member_of("Editors", username="admin")
    admin.is_superuser = True
    admin.save()
    as_user(admin).post(page_edit_url(page), page_form(page, "An unreviewed late draft."))
    assert GuidancePage.objects.get(pk=page.pk).latest_revision_id != reviewed.pk

    compare = as_user(reviewer).get(
        f"/admin/pages/workflow/preview/{page.pk}/{task_state_of(page).task_id}/"
    )
    assert SUBMITTED in compare.content.decode()
    act_on_page(reviewer, page, "approve")

    page = GuidancePage.objects.get(pk=page.pk)
    assert page.live_revision_id == reviewed.pk
    live = as_user(reviewer).get(page.url).content.decode()
    assert SUBMITTED in live
    assert "An unreviewed late draft." not in live


def test_the_dashboard_dialog_says_what_the_review_did(editor, reviewer, site_tree):
    page = site_tree.guidance
    submit_page(editor, page, SUBMITTED)
    response = act_on_page(reviewer, page, "reject", comment=COMMENT)
    assert messages_after(response) == ["“Sexting” sent back to Eddie Editor with your comment."]

    submit_page(editor, page, SUBMITTED)
    response = act_on_page(reviewer, page, "approve")
    assert messages_after(response) == ["Approved and published: “Sexting” is live now."]


def test_a_contact_sent_back_from_its_editor_is_not_logged_as_edited(editor, reviewer, site_tree):
    contact = site_tree.nspcc
    submit_contact(editor, contact, "0808 800 5001")
    contact = SignpostingContact.objects.get(pk=contact.pk)
    revisions_before = contact.revisions.count()

    response = as_user(reviewer).post(
        contact_edit_url(contact),
        contact_form(
            contact.get_latest_revision_as_object(),
            **workflow_action("reject", "That is the fax line."),
        ),
    )

    assert response.status_code == 302
    assert contact.revisions.count() == revisions_before
    actions = actions_by(contact)
    assert ("wagtail.edit", "rita") not in actions
    assert ("wagtail.workflow.reject", "rita") in actions
    assert messages_after(response) == [
        "“NSPCC helpline” sent back to Eddie Editor with your comment."
    ]


def test_a_contact_approved_from_its_editor_goes_live_as_reviewed(editor, reviewer, site_tree):
    contact = site_tree.nspcc
    submit_contact(editor, contact, "0808 800 5001")
    reviewed = task_state_of(contact).revision

    response = as_user(reviewer).post(
        contact_edit_url(contact),
        contact_form(
            SignpostingContact.objects.get(pk=contact.pk).get_latest_revision_as_object(),
            **workflow_action("approve"),
        ),
    )

    assert response.status_code == 302
    contact = SignpostingContact.objects.get(pk=contact.pk)
    assert contact.phone == "0808 800 5001"
    assert contact.live_revision_id == reviewed.pk
    assert ("wagtail.edit", "rita") not in actions_by(contact)
    assert messages_after(response) == ["Approved and published: “NSPCC helpline” is live now."]


def test_the_editor_sees_the_comment_with_the_reviewers_name(editor, reviewer, site_tree):
    page, contact = site_tree.guidance, site_tree.nspcc
    submit_page(editor, page, SUBMITTED)
    act_on_page(reviewer, page, "reject", comment=COMMENT)
    submit_contact(editor, contact, "0808 800 5001")
    act_on_contact(reviewer, contact, "reject", comment="That is the fax line.")

    page_screen = text_of(parse_ok(as_user(editor).get(page_edit_url(page))))
    assert "Rita Reviewer sent this back for changes on" in page_screen
    assert f"“{COMMENT}”" in page_screen
    contact_screen = text_of(parse_ok(as_user(editor).get(contact_edit_url(contact))))
    assert "Rita Reviewer sent this back for changes on" in contact_screen
    assert "“That is the fax line.”" in contact_screen

    dashboard = parse_ok(as_user(editor).get("/admin/"))
    panel = text_of(dashboard.select_one("#guidance-sent-back-section"))
    assert "Sent back to you for changes" in panel
    assert "Sexting" in panel and f"“{COMMENT}”" in panel
    assert "NSPCC helpline" in panel and "“That is the fax line.”" in panel
    assert "Rita Reviewer sent it back on" in panel

    # Once resubmitted, it is no longer waiting on the editor.
    submit_page(editor, page, SUBMITTED)
    dashboard = text_of(parse_ok(as_user(editor).get("/admin/")))
    assert f"“{COMMENT}”" not in dashboard
    assert WorkflowState.objects.for_instance(page).get(status="in_progress")


def test_approving_can_record_todays_review(editor, reviewer, site_tree):
    page = site_tree.guidance
    submit_page(editor, page, SUBMITTED)
    dialog = as_user(reviewer).get(page_action_url(page, "approve"))
    assert "Record today as this page&#x27;s last review" in json.loads(dialog.content)["html"]

    act_on_page(reviewer, page, "approve", record_review="on")

    page = GuidancePage.objects.get(pk=page.pk)
    today = timezone.localdate()
    assert page.last_reviewed == today
    assert page.next_review_due == today + datetime.timedelta(days=365)
    assert page.live_revision.user == reviewer
    assert not page.has_unpublished_changes
    assert SUBMITTED in as_user(reviewer).get(page.url).content.decode()
    actions = actions_by(page)
    assert ("guidance.review_recorded", "rita") in actions
    assert ("wagtail.edit", "rita") not in actions
    history = as_user(reviewer).get(f"/admin/pages/{page.pk}/history/")
    assert "Review date recorded" in history.content.decode()


def test_approving_without_recording_keeps_the_review_dates(editor, reviewer, site_tree):
    page = site_tree.guidance
    submit_page(editor, page, SUBMITTED)

    as_user(reviewer).post(
        page_edit_url(page), page_form(page, SUBMITTED, **workflow_action("approve"))
    )

    page = GuidancePage.objects.get(pk=page.pk)
    assert page.live_revision_id == GuidancePage.objects.get(pk=page.pk).latest_revision_id
    assert (page.last_reviewed, page.next_review_due) == (datetime.date(2026, 1, 15), None)


def test_recording_the_review_from_the_editor(editor, reviewer, site_tree):
    page = site_tree.guidance
    submit_page(editor, page, SUBMITTED)
    data = workflow_action("approve")
    data["workflow-action-extra-data"] = json.dumps({"comment": "", "record_review": True})

    response = as_user(reviewer).post(page_edit_url(page), page_form(page, SUBMITTED, **data))

    assert response.status_code == 302
    page = GuidancePage.objects.get(pk=page.pk)
    assert page.last_reviewed == timezone.localdate()
    assert page.live
    assert messages_after(response) == ["Approved and published: “Sexting” is live now."]


@pytest.mark.parametrize("extra", ['{"user": 1, "comment": "Fine."}', "[1, 2]", "not json"])
def test_odd_dialog_data_from_the_editor_is_ignored_not_a_500(editor, reviewer, site_tree, extra):
    page = site_tree.guidance
    submit_page(editor, page, SUBMITTED)
    data = {**workflow_action("approve"), "workflow-action-extra-data": extra}

    response = as_user(reviewer).post(page_edit_url(page), page_form(page, SUBMITTED, **data))

    assert response.status_code == 302
    assert GuidancePage.objects.get(pk=page.pk).live_revision.content["summary"]
    assert ("wagtail.workflow.approve", "rita") in actions_by(page)
