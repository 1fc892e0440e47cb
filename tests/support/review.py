"""Steps of the "Safeguarding review" workflow, taken through Wagtail's own admin views.

Each step posts what the admin's buttons post, as the user given, and
returns the response. `task_state_of` is the step the object is waiting on.
The `editor` (Eddie Editor) and `reviewer` (Rita Reviewer) fixtures are the
two people of the workflow; a module names them at module level
(`editor = review.editor`), which is how pytest finds them.
"""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import WorkflowState

from tests.support.admin_forms import guidance_form_data, paragraph_text
from tests.support.users import member_of

CONTACT_EDIT = "wagtailsnippets_guidance_signpostingcontact:edit"


@pytest.fixture
def editor(db):
    return member_of("Editors", "eddie", name="Eddie Editor")


@pytest.fixture
def reviewer(db):
    return member_of("Safeguarding reviewers", "rita", name="Rita Reviewer")


def as_user(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def page_edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def contact_edit_url(contact):
    return reverse(CONTACT_EDIT, args=[contact.pk])


def page_form(page, text, **actions):
    """The page's edit form with one section and one paragraph of `text`."""
    return guidance_form_data(
        page.title,
        [("section_heading", {"heading": "Know the law"}), ("paragraph", paragraph_text(text))],
        slug=page.slug,
        **actions,
    )


def contact_form(contact, **changes):
    return {
        "name": contact.name,
        "helps_with": contact.helps_with,
        "phone": contact.phone,
        "phone_hours": contact.phone_hours,
        "website": contact.website,
        **changes,
    }


def submit_page(user, page, text):
    return as_user(user).post(
        page_edit_url(page), page_form(page, text, **{"action-submit": "Submit"})
    )


def submit_contact(user, contact, phone):
    return as_user(user).post(
        contact_edit_url(contact), contact_form(contact, phone=phone, **{"action-submit": "1"})
    )


def cancel_page_review(user, page, text):
    return as_user(user).post(
        page_edit_url(page), page_form(page, text, **{"action-cancel-workflow": "1"})
    )


def cancel_contact_review(user, contact):
    return as_user(user).post(
        contact_edit_url(contact), contact_form(contact, **{"action-cancel-workflow": "1"})
    )


def task_state_of(obj):
    state = WorkflowState.objects.for_instance(obj).get(status=WorkflowState.STATUS_IN_PROGRESS)
    return state.current_task_state


def page_action_url(page, action):
    return reverse(
        "wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state_of(page).pk]
    )


def act_on_page(user, page, action, comment="", **fields):
    """Approve or reject from the dashboard's dialog (no edit of the page)."""
    return as_user(user).post(page_action_url(page, action), {"comment": comment, **fields})


def act_on_contact(user, contact, action, comment=""):
    url = reverse(
        "wagtailsnippets_guidance_signpostingcontact:workflow_action",
        args=[contact.pk, action, task_state_of(contact).pk],
    )
    return as_user(user).post(url, {"comment": comment})
