"""What an approval publishes: the revision the reviewer compared and previewed.

Named by `WAGTAIL_FINISH_WORKFLOW_ACTION`, which Wagtail imports while its
own models load, so this module imports nothing of Wagtail's or ours.
"""


def publish_reviewed_revision(workflow_state, user=None):
    """The workflow's last task was approved: publish the revision that task reviewed.

    Wagtail's default publishes the latest revision, which may be one the
    reviewer never saw. The one exception is the reviewer's own edit, made in
    the editor as she approved: she saw that, and it is hers.
    """
    task_state = workflow_state.current_task_state
    revision = task_state.revision
    latest = workflow_state.content_object.revisions.order_by("-created_at", "-id").first()
    if (
        latest.pk != revision.pk
        and user is not None
        and latest.user_id == user.pk
        and latest.created_at >= task_state.started_at
    ):
        revision = latest
    revision.publish(user=user)
