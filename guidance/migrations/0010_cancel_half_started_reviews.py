"""Cancel reviews a mail failure left half-started, so their page or contact opens again.

Before every admin write became one transaction, a mail server failing
while a change was resubmitted could leave a review "in progress" with no
current task. Its page's or contact's edit screen, and the editor's
dashboard, then answered 500 for everyone. Cancelling such a review loses
nothing: the change is still the latest revision, and the editor submits
it again. Nothing to undo on reversal.
"""

from django.db import migrations


def cancel_half_started_reviews(apps, schema_editor):
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    WorkflowState.objects.filter(status="in_progress", current_task_state__isnull=True).update(
        status="cancelled"
    )


class Migration(migrations.Migration):
    dependencies = [("guidance", "0009_safeguarding_review_task")]

    operations = [migrations.RunPython(cancel_half_started_reviews, migrations.RunPython.noop)]
