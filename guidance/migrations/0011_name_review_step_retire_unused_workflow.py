"""Name the review step "Safeguarding review", and retire Wagtail's unused default workflow.

- The one task of the "Safeguarding review" workflow was "Approval by a
  safeguarding reviewer", so Wagtail's editor offered "Resubmit to Approval
  by a safeguarding reviewer". It is now "Safeguarding review" too:
  "Resubmit to Safeguarding review", "Changes requested at Safeguarding
  review".
- Wagtail's default "Moderators approval" workflow was replaced on the root
  page by migration 0005 and covers nothing, yet it stayed active, so
  Settings → Workflows and Settings → Roles listed Moderators as reviewers.
  It is deactivated when no page, no content type and no review in progress
  uses it (as Wagtail's own "Disable" does), with its task when no active
  workflow uses that.
"""

from django.db import migrations

OLD_NAME, NEW_NAME = "Approval by a safeguarding reviewer", "Safeguarding review"
WAGTAIL_DEFAULT = "Moderators approval"


def rename_and_retire(apps, schema_editor):
    Task = apps.get_model("wagtailcore", "Task")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    Task.objects.filter(name=OLD_NAME, content_type__app_label="guidance").update(name=NEW_NAME)
    for workflow in Workflow.objects.filter(name=WAGTAIL_DEFAULT, active=True):
        in_use = (
            workflow.workflow_pages.exists()
            or workflow.workflow_content_types.exists()
            or WorkflowState.objects.filter(
                workflow=workflow, status__in=["in_progress", "needs_changes"]
            ).exists()
        )
        if in_use:
            continue
        workflow.active = False
        workflow.save(update_fields=["active"])
        for task in Task.objects.filter(workflow_tasks__workflow=workflow):
            if not task.workflow_tasks.filter(workflow__active=True).exists():
                task.active = False
                task.save(update_fields=["active"])


def undo(apps, schema_editor):
    Task = apps.get_model("wagtailcore", "Task")
    Task.objects.filter(name=NEW_NAME, content_type__app_label="guidance").update(name=OLD_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("guidance", "0010_cancel_half_started_reviews"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(rename_and_retire, undo)]
