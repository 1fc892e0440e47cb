"""Review before publishing: the record of each publish that skipped the review.

Pages and signposting contacts go through the "Safeguarding review" workflow
(guidance/migrations/0005_safeguarding_review_workflow.py): an Editor submits
a change, a Safeguarding reviewer approves it (which publishes it) or asks
for changes. Moderators and admins can still press "Publish" themselves for
an urgent correction; each time they do, `record_publish_without_review`
writes a "Published without review" entry to the audit log (Reports → Site
history), beside Wagtail's own "Publish" entry, naming who did it and which
workflow they skipped. See docs/governance.md.
"""

from wagtail.log_actions import log

PUBLISHED_WITHOUT_REVIEW = "guidance.published_without_review"


def register_log_actions(actions):
    actions.register_action(
        PUBLISHED_WITHOUT_REVIEW, "Published without review", "Published without review"
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
