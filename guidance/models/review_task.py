"""The one task of the "Safeguarding review" workflow (docs/governance.md)."""

import datetime

from django.utils import timezone
from wagtail.models import AbstractGroupApprovalTask

from ..forms import ReviewApprovalForm
from .pages import GuidancePage


class SafeguardingReviewTask(AbstractGroupApprovalTask):
    """Approval by a group, as Wagtail's own, that can also record the day a page was reviewed.

    The one task of the "Safeguarding review" workflow (migration 0009
    replaced Wagtail's group approval task with it, in place). Recording the
    review saves a revision in the reviewer's name, logged as "Review date
    recorded", and that revision is the one approval publishes.
    """

    REVIEW_RECORDED = "guidance.review_recorded"
    NEXT_REVIEW_AFTER = datetime.timedelta(days=365)

    def get_form_for_action(self, action):
        if action == "approve":
            return ReviewApprovalForm
        return super().get_form_for_action(action)

    def on_action(self, task_state, user, action_name, **kwargs):
        record_review = kwargs.pop("record_review", False)
        if action_name == "approve" and record_review:
            self.record_review_today(task_state, user)
        return super().on_action(task_state, user, action_name, **kwargs)

    def record_review_today(self, task_state, user):
        page = task_state.revision.as_object()
        if not isinstance(page, GuidancePage):
            return
        today = timezone.localdate()
        page.last_reviewed = today
        if page.next_review_due is None or page.next_review_due <= today:
            page.next_review_due = today + self.NEXT_REVIEW_AFTER
        task_state.revision = page.save_revision(
            user=user, log_action=self.REVIEW_RECORDED, clean=False
        )
        task_state.save(update_fields=["revision"])

    class Meta:
        verbose_name = "safeguarding review task"
        verbose_name_plural = "safeguarding review tasks"
