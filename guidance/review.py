"""Review before publishing: what the reviewer sees is what goes live, and who did what is true.

Pages and signposting contacts go through the "Safeguarding review" workflow
(guidance/migrations/0005_safeguarding_review_workflow.py): an Editor submits
a change, a Safeguarding reviewer approves it (which publishes it) or sends
it back with a comment. Wagtail's own views do the work; this module makes
four promises on top of them (docs/governance.md):

- **Approval publishes the revision the reviewer compared and previewed**
  (`guidance.approval.publish_reviewed_revision`),
  not whatever was saved last; and a resubmitted contact is reviewed as
  resubmitted (`SignpostingContactEditView.submit_action`).
- **A reviewer who approves or sends back from the editor without changing
  anything saves nothing**: no revision, no "Edited" entry in her name
  (`act_without_saving` for pages, `SignpostingContactEditView` for
  contacts). If she did change something, Wagtail saves it as hers.
- **Messages say what happened** ("Approved and published", "“Sexting”
  sent back to Eddie Editor with your comment."), and the comment is shown with the
  reviewer's name on the edit screen and the editor's dashboard.
- **Every publish that skipped review is in the audit log** as "Published
  without review", beside Wagtail's own "Publish" entry.
"""

import json
import re

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from wagtail.admin.ui.components import Component
from wagtail.admin.utils import get_user_display_name
from wagtail.log_actions import log
from wagtail.models import Page, TaskState, WorkflowState
from wagtail.snippets.views.snippets import EditView

PUBLISHED_WITHOUT_REVIEW = "guidance.published_without_review"

# Form parts that are about the editing session, not the content.
NOT_CONTENT = {"comments", "comment_notifications"}
BLOCK_KEY = re.compile(r'\sdata-block-key="[^"]*"')


def register_log_actions(actions):
    actions.register_action(
        PUBLISHED_WITHOUT_REVIEW, "Published without review", "Published without review"
    )
    actions.register_action(
        "guidance.review_recorded", "Review date recorded", "Review date recorded on approval"
    )


def record_publish_without_review(request, instance):
    """`instance` was just published from its edit form: log it if a workflow covers it."""
    workflow = instance.get_workflow()
    if workflow is None:
        return
    log(
        instance=instance,
        action=PUBLISHED_WITHOUT_REVIEW,
        user=request.user,
        data={"workflow": workflow.name},
    )


def record_snippet_publish_without_review(request, instance):
    if "action-publish" in request.POST and getattr(instance, "live", False):
        record_publish_without_review(request, instance)


# Did the reviewer change anything? -----------------------------------------


def comparable(data, names):
    """The content fields `names` of serialised `data`, as JSON, without volatile parts.

    Stream blocks and child rows get new ids when posted without them, and the
    rich text editor adds `data-block-key` attributes to text that was never
    through it: neither is a change a reader could see.
    """
    data = json.loads(json.dumps({name: data.get(name) for name in names}, cls=DjangoJSONEncoder))
    return _normalised(data)


def _normalised(value):
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items() if k not in ("id", "pk")}
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    if isinstance(value, str):
        if value.startswith("[") or value.startswith("{"):
            try:
                return _normalised(json.loads(value))
            except ValueError:
                pass
        return BLOCK_KEY.sub("", value)
    return value


def content_changed(form, revision):
    """Would saving this valid edit form change the content of `revision`?"""
    names = (set(form.fields) | set(getattr(form, "formsets", {}))) - NOT_CONTENT
    candidate = form.save(commit=False)
    return comparable(candidate.serializable_data(), names) != comparable(revision.content, names)


def act_without_saving(request, page):
    """`before_edit_page`: approve or send back from the page editor without a new revision.

    Only when the reviewer changed nothing; otherwise Wagtail saves her edit
    (in her name) and then acts, as usual.
    """
    if request.method != "POST" or not request.POST.get("action-workflow-action"):
        return None
    task, task_state = page.current_workflow_task, page.current_workflow_task_state
    action = request.POST.get("workflow-action-name")
    if task is None or action not in [name for name, *_ in task.get_actions(page, request.user)]:
        return None
    untouched = page.get_latest_revision_as_object()
    form = page.get_edit_handler().get_form_class()(
        request.POST,
        request.FILES,
        instance=untouched,
        parent_page=page.get_parent(),
        for_user=request.user,
    )
    if not form.is_valid() or content_changed(form, task_state.revision):
        return None
    task.on_action(task_state, request.user, action, **_action_data(request, task, action))
    next_url = request.POST.get("next") or request.GET.get("next")
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        return redirect(next_url)
    return redirect("wagtailadmin_explore", page.get_parent().id)


def _action_data(request, task, action):
    """The dialog's answers (comment, review date) the editor posts as JSON: only the form's own."""
    try:
        data = json.loads(request.POST.get("workflow-action-extra-data") or "{}")
    except ValueError:
        return {}
    form_class = task.get_form_for_action(action)
    if not isinstance(data, dict) or form_class is None:
        return {}
    form = form_class(data)
    return form.cleaned_data if form.is_valid() else {}


class SignpostingContactEditView(EditView):
    """Wagtail's snippet editor with the review fixes above; the contacts' viewset uses it."""

    def save_instance(self):
        if self.action == "workflow-action":
            task_state = self.object.current_workflow_task_state
            if task_state and not content_changed(self.form, task_state.revision):
                self.new_revision = None
                return self.object
        return super().save_instance()

    def submit_action(self):
        if self.workflow_state and self.workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            # Wagtail resumes the review with the object it loaded before
            # saving, and so puts the rejected revision back under review.
            state = WorkflowState.objects.get(pk=self.workflow_state.pk)
            state.content_object = self.object
            state.resume(self.request.user)
            return None
        return super().submit_action()

    def get_success_message(self):
        if self.action == "workflow-action":
            return None  # ReviewMessagesMiddleware says what the review did
        return super().get_success_message()

    def get(self, request, *args, **kwargs):
        say_why_sent_back(request, self.object)
        return super().get(request, *args, **kwargs)


# Saying what happened ------------------------------------------------------


def _title(obj):
    obj = obj.specific if isinstance(obj, Page) else obj
    return obj.get_admin_display_title() if isinstance(obj, Page) else str(obj)


def announce(request, task_state):
    """A message saying what the reviewer's action on `task_state` did."""
    task_state = TaskState.objects.select_related("workflow_state__requested_by").get(
        pk=task_state.pk
    )
    workflow_state = task_state.workflow_state
    title = _title(workflow_state.content_object)
    if task_state.status == TaskState.STATUS_APPROVED:
        if workflow_state.status == WorkflowState.STATUS_APPROVED:
            messages.success(request, f"Approved and published: “{title}” is live now.")
        else:
            messages.success(request, f"Approved: “{title}” goes on to the next review step.")
    elif task_state.status == TaskState.STATUS_REJECTED:
        editor = get_user_display_name(workflow_state.requested_by)
        if task_state.get_comment():
            messages.success(request, f"“{title}” sent back to {editor} with your comment.")
        else:
            messages.success(request, f"“{title}” sent back to {editor}.")


class ReviewMessagesMiddleware:
    """After a reviewer approves or sends back (dashboard or editor), say what it did."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        task_state = getattr(request, "_reviewed_task_state", None)
        if task_state is not None and response.status_code < 400:
            announce(request, task_state)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.resolver_match is None:
            return None
        match = request.resolver_match
        is_workflow_view = match.url_name == "workflow_action"
        is_editor = match.url_name == "edit" and request.POST.get("action-workflow-action")
        if not (is_workflow_view or is_editor) or not match.namespace.startswith(
            ("wagtailadmin_pages", "wagtailsnippets_")
        ):
            return None
        if is_workflow_view:
            request._reviewed_task_state = TaskState.objects.filter(
                pk=view_kwargs.get("task_state_id"), status=TaskState.STATUS_IN_PROGRESS
            ).first()
        else:
            # Wagtail's snippet views are built with their model; page views are for pages.
            model = getattr(view_func, "view_initkwargs", {}).get("model") or Page
            pk = view_kwargs.get("page_id") or view_kwargs.get("pk")
            obj = model.objects.filter(pk=pk).first()
            request._reviewed_task_state = obj and obj.current_workflow_task_state
        return None


def sent_back_state(obj):
    """The review that sent `obj` back for changes, or None."""
    state = obj.current_workflow_state if obj is not None else None
    if state is None or state.status != WorkflowState.STATUS_NEEDS_CHANGES:
        return None
    return state


def _reviewer_name(task_state):
    if task_state.finished_by is None:
        return "A reviewer"
    return get_user_display_name(task_state.finished_by)


def say_why_sent_back(request, obj):
    """On the edit screen: who sent this back, when, and their comment."""
    state = sent_back_state(obj)
    if state is None:
        return
    task_state = state.current_task_state
    when = date_format(localtime(task_state.finished_at), "j F Y, H:i")
    reviewer = _reviewer_name(task_state)
    comment = task_state.get_comment().strip()
    if not comment:
        said = " with no comment."
    elif comment.endswith((".", "!", "?")):
        said = f": “{comment}”"
    else:
        said = f": “{comment}”."
    messages.warning(
        request,
        f"{reviewer} sent this back for changes on {when}{said} "
        "Make the changes, then submit it for review again.",
    )


def say_why_page_sent_back(request, page):
    """`before_edit_page`, on opening the editor."""
    if request.method == "GET":
        say_why_sent_back(request, page)


class SentBackPanel(Component):
    """Dashboard: the staff member's own changes a reviewer sent back, with the comment."""

    name = "sent_back"
    order = 90
    template_name = "guidance/admin/sent_back_panel.html"

    def __init__(self, user):
        self.user = user

    def rows(self):
        states = (
            WorkflowState.objects.filter(
                requested_by=self.user, status=WorkflowState.STATUS_NEEDS_CHANGES
            )
            .select_related("current_task_state__finished_by")
            .order_by("-current_task_state__finished_at")
        )
        rows = []
        for state in states:
            obj = state.content_object
            if obj is None:
                continue
            obj = obj.specific if isinstance(obj, Page) else obj
            task_state = state.current_task_state
            rows.append(
                {
                    "title": _title(obj),
                    "edit_url": _edit_url(obj),
                    "reviewer": _reviewer_name(task_state),
                    "when": task_state.finished_at,
                    "comment": task_state.get_comment(),
                }
            )
        return rows

    def get_context_data(self, parent_context):
        return {"rows": self.rows()}

    def render_html(self, parent_context=None):
        context = self.get_context_data(parent_context)
        if not context["rows"]:
            return ""
        return render_to_string(self.template_name, context)


def _edit_url(obj):
    if isinstance(obj, Page):
        return reverse("wagtailadmin_pages:edit", args=[obj.pk])
    return reverse(obj.snippet_viewset.get_url_name("edit"), args=[obj.pk])
