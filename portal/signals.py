"""The shared layer's receivers, connected by `PortalConfig.ready()` (portal/apps.py).

- `connect()` replaces the receivers `wagtail.admin` connects for review
  e-mails with deferred ones (`portal.mail.DeferredNotifier`): they run after
  the step's transaction has committed, and a mail failure never breaks it
  (docs/governance.md, "Mail"). Connected with Wagtail's own `dispatch_uid`s,
  so whichever app is ready first, Wagtail's direct senders stay out.
- A Wagtail `Site` saved or deleted: the list of sites that requests are
  matched against is read afresh (`portal.sites.site_changed`).
"""

from django.db.models.signals import post_delete, post_save
from wagtail.admin import signal_handlers as wagtail_handlers
from wagtail.models import Site, TaskState, WorkflowState
from wagtail.signals import task_submitted, workflow_approved, workflow_rejected, workflow_submitted

from . import sites
from .mail import DeferredNotifier


def connect():
    """Connect the shared layer's receivers (once, from `PortalConfig.ready()`)."""
    post_save.connect(sites.site_changed, sender=Site, dispatch_uid="portal_site_saved")
    post_delete.connect(sites.site_changed, sender=Site, dispatch_uid="portal_site_deleted")
    receivers = [
        (
            task_submitted,
            TaskState,
            "group_approval_task_submitted_email_notification",
            wagtail_handlers.task_submission_email_notifier,
            "submitted for review",
        ),
        (
            workflow_submitted,
            WorkflowState,
            "workflow_state_submitted_email_notification",
            wagtail_handlers.workflow_submission_email_notifier,
            "workflow started",
        ),
        (
            workflow_rejected,
            WorkflowState,
            "workflow_state_rejected_email_notification",
            wagtail_handlers.workflow_rejection_email_notifier,
            "changes requested",
        ),
        (
            workflow_approved,
            WorkflowState,
            "workflow_state_approved_email_notification",
            wagtail_handlers.workflow_approval_email_notifier,
            "approved",
        ),
    ]
    for signal, sender, uid, notifier, name in receivers:
        signal.disconnect(sender=sender, dispatch_uid=uid)
        signal.connect(
            DeferredNotifier(notifier, name), sender=sender, dispatch_uid=uid, weak=False
        )
