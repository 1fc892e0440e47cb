"""Every review step works whatever the mail server does.

The whole journey (submit, send back, resubmit, approve; then submit and
cancel) is taken through Wagtail's admin views, for a guidance page and for
a signposting contact, with mail working, with no mail server, with a mail
server that drops the connection half-way through, and with Django's own
SMTP backend left unconfigured (no `EMAIL_HOST`, TLS on: the failure that
once answered 500 and left a review half-started). After every step: no
500, the workflow in one consistent state, the edit screen and dashboard
open for the editor and the reviewer, and in the end the audit log names
who did each step and the revision the reviewer saw is the one published.
"""

import importlib
import logging
import socket
from functools import partial

import pytest
from django.apps import apps
from django.core import mail
from wagtail.log_actions import registry as log_registry
from wagtail.models import TaskState, WorkflowState
from wagtail.signals import task_submitted

from guidance.models import GuidancePage, SignpostingContact
from tests.support import review
from tests.support.faults import _Listener
from tests.support.review import (
    act_on_contact,
    act_on_page,
    as_user,
    cancel_contact_review,
    cancel_page_review,
    contact_edit_url,
    page_edit_url,
    submit_contact,
    submit_page,
    task_state_of,
)

MAIL_MODES = ["working", "no mail server", "server drops mid-way", "SMTP left unconfigured"]


class DroppingMailServer(_Listener):
    """Greets like a mail server, then hangs up before the first command is answered."""

    def handle(self, conn):
        try:
            conn.sendall(b"220 mail.example ESMTP\r\n")
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


@pytest.fixture(params=MAIL_MODES)
def mail_mode(request, settings):
    mode = request.param
    settings.EMAIL_TIMEOUT = 2
    if mode == "working":
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        yield mode
    elif mode == "no mail server":
        settings.EMAIL_BACKEND = "portal.mail.DisabledEmailBackend"
        yield mode
    elif mode == "server drops mid-way":
        server = DroppingMailServer()
        settings.EMAIL_BACKEND = "portal.mail.SMTPEmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = False
        yield mode
        server.close()
    else:
        # Django's own backend, as a deployment might name it, with no host.
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_USE_TLS = "", True
        yield mode


editor = review.editor
reviewer = review.reviewer


@pytest.fixture
def step(django_capture_on_commit_callbacks):
    """Take one step as the admin would: its e-mails go out after its transaction commits."""

    def take(action, *args, expect=302, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            response = action(*args, **kwargs)
        assert response.status_code == expect, (action.__name__, response.status_code)
        return response

    return take


def assert_consistent(obj, *users, edit_url):
    """One open review at most, on a real task, and every staff screen for it opens."""
    states = WorkflowState.objects.for_instance(obj)
    open_states = states.filter(
        status__in=[WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES]
    )
    assert open_states.count() <= 1
    for state in open_states:
        task = state.current_task_state
        assert task is not None, "a review in progress with no current task"
        expected = (
            TaskState.STATUS_IN_PROGRESS
            if state.status == WorkflowState.STATUS_IN_PROGRESS
            else TaskState.STATUS_REJECTED
        )
        assert task.status == expected
    for user in users:
        client = as_user(user)
        assert client.get(edit_url).status_code == 200
        assert client.get("/admin/").status_code == 200


def actions_by(obj):
    return [
        (entry.action, entry.user.username if entry.user else None)
        for entry in log_registry.get_logs_for_instance(obj).order_by("timestamp", "pk")
    ]


def assert_mail(mode, caplog, *recipients):
    """Working mail reaches each recipient; otherwise nothing is sent and the log says why."""
    if mode == "working":
        sent_to = {address for message in mail.outbox for address in message.to}
        assert {user.email for user in recipients} <= sent_to
        mail.outbox.clear()
    else:
        assert mail.outbox == []
        if mode != "no mail server":  # that one is said once per process, tested below
            assert [r for r in caplog.records if r.name == "portal.mail"], "a failure not logged"
    caplog.clear()


@pytest.fixture
def review_step(step, mail_mode, editor, reviewer, caplog):
    """A step, then the review is consistent for both people and `notify` got its mail."""

    def take(action, user, obj, *args, edit_url, notify=None, expect=302, **kwargs):
        step(action, user, obj, *args, expect=expect, **kwargs)
        assert_consistent(obj, editor, reviewer, edit_url=edit_url)
        if notify is not None:
            assert_mail(mail_mode, caplog, notify)

    return take


def test_a_page_review_survives_the_mail_server(
    editor, reviewer, site_tree, step, review_step, caplog
):
    caplog.set_level(logging.WARNING)
    page = site_tree.guidance
    take = partial(review_step, edit_url=page_edit_url(page))

    take(submit_page, editor, page, "First draft of the new law section.", notify=reviewer)
    reason = "Say what Outcome 21 means."
    take(act_on_page, reviewer, page, "reject", comment=reason, notify=editor)
    take(submit_page, editor, page, "Outcome 21 means no further police action.", notify=reviewer)
    reviewed = task_state_of(page).revision
    assert "Outcome 21 means no further police action." in str(reviewed.content["body"])

    take(act_on_page, reviewer, page, "approve", notify=editor)
    page = GuidancePage.objects.get(pk=page.pk)
    assert page.live_revision_id == reviewed.pk
    assert not page.has_unpublished_changes

    withdrawn = "A change the editor then withdraws."
    step(submit_page, editor, page, withdrawn)
    # The page is locked to the editor while in review: Wagtail cancels and shows the form again.
    take(cancel_page_review, editor, page, withdrawn, expect=200)
    assert page.get_workflow() and not page.workflow_in_progress

    actions = actions_by(page)
    assert ("wagtail.workflow.start", "eddie") in actions
    assert ("wagtail.workflow.reject", "rita") in actions
    assert ("wagtail.workflow.resume", "eddie") in actions
    assert ("wagtail.workflow.approve", "rita") in actions
    assert ("wagtail.publish", "rita") in actions
    assert ("wagtail.workflow.cancel", "eddie") in actions
    assert ("wagtail.edit", "rita") not in actions


def test_a_contact_review_survives_the_mail_server(
    editor, reviewer, site_tree, step, review_step, caplog
):
    caplog.set_level(logging.WARNING)
    contact = site_tree.nspcc
    take = partial(review_step, edit_url=contact_edit_url(contact))

    take(submit_contact, editor, contact, "0808 800 5001", notify=reviewer)
    take(
        act_on_contact, reviewer, contact, "reject", comment="That is the fax line.", notify=editor
    )
    take(submit_contact, editor, SignpostingContact.objects.get(pk=contact.pk), "0808 800 5002")
    reviewed = task_state_of(contact).revision
    assert reviewed.content["phone"] == "0808 800 5002"

    take(act_on_contact, reviewer, contact, "approve")
    contact = SignpostingContact.objects.get(pk=contact.pk)
    assert contact.phone == "0808 800 5002"
    assert contact.live_revision_id == reviewed.pk

    step(submit_contact, editor, contact, "0808 800 5003")
    contact = SignpostingContact.objects.get(pk=contact.pk)
    take(cancel_contact_review, editor, contact, expect=200)  # locked in review, as pages are
    assert SignpostingContact.objects.get(pk=contact.pk).phone == "0808 800 5002"

    actions = actions_by(contact)
    assert ("wagtail.workflow.start", "eddie") in actions
    assert ("wagtail.workflow.reject", "rita") in actions
    assert ("wagtail.workflow.resume", "eddie") in actions
    assert ("wagtail.workflow.approve", "rita") in actions
    assert ("wagtail.workflow.cancel", "eddie") in actions
    assert ("wagtail.edit", "rita") not in actions


def test_a_step_that_fails_half_way_leaves_nothing_half_done(editor, reviewer, site_tree):
    """Any failure inside a review step rolls the whole step back, not only mail."""
    contact = site_tree.nspcc
    submit_contact(editor, contact, "0808 800 5001")
    act_on_contact(reviewer, contact, "reject", comment="That is the fax line.")

    def fail(**kwargs):
        raise RuntimeError("a failure after the first rows were written")

    task_submitted.connect(fail, dispatch_uid="test_fail_half_way")
    try:
        response = submit_contact(
            editor, SignpostingContact.objects.get(pk=contact.pk), "0808 800 5002"
        )
    finally:
        task_submitted.disconnect(dispatch_uid="test_fail_half_way")

    assert response.status_code == 500
    state = WorkflowState.objects.for_instance(contact).get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert state.current_task_state.status == TaskState.STATUS_REJECTED
    assert not contact.revisions.filter(content__phone="0808 800 5002").exists()
    assert_consistent(contact, editor, reviewer, edit_url=contact_edit_url(contact))
    # The editor can simply try again.
    assert submit_contact(editor, contact, "0808 800 5002").status_code == 302
    assert task_state_of(contact).revision.content["phone"] == "0808 800 5002"


def test_no_mail_server_is_said_once_in_the_log(settings, caplog, db):
    from portal.mail import DisabledEmailBackend

    settings.EMAIL_BACKEND = "portal.mail.DisabledEmailBackend"
    DisabledEmailBackend._said = False
    caplog.set_level(logging.WARNING, logger="portal.mail")

    for _ in range(3):
        assert mail.send_mail("Subject", "Body", None, ["someone@example.org"]) == 0

    said = [r for r in caplog.records if "EMAIL_HOST is not set" in r.getMessage()]
    assert len(said) == 1


def test_a_review_left_half_started_before_this_release_is_cancelled(editor, reviewer, site_tree):
    """The migration's repair, on the state a failed resubmission used to leave."""
    repair = importlib.import_module("guidance.migrations.0010_cancel_half_started_reviews")
    contact = site_tree.nspcc
    submit_contact(editor, contact, "0808 800 5001")
    WorkflowState.objects.for_instance(contact).update(current_task_state=None)
    assert as_user(editor).get(contact_edit_url(contact)).status_code == 500

    repair.cancel_half_started_reviews(apps, None)

    assert_consistent(contact, editor, reviewer, edit_url=contact_edit_url(contact))
    assert submit_contact(editor, contact, "0808 800 5001").status_code == 302
