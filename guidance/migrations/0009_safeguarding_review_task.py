"""The review task becomes `SafeguardingReviewTask`, which can also record the review date.

The "Approval by a safeguarding reviewer" task of migration 0005 was
Wagtail's `GroupApprovalTask`. It is replaced in place: a task of the new
type with the same name and groups takes its place in every workflow, and
every task state (reviews in progress, sent back, and past ones) moves to
it, so no review has to start again and the history keeps its names.
"""

import django.db.models.deletion
from django.db import migrations, models

TASK = "Approval by a safeguarding reviewer"


def _swap(apps, old_model, new_model, new_type):
    ContentType = apps.get_model("contenttypes", "ContentType")
    TaskState = apps.get_model("wagtailcore", "TaskState")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    OldTask = apps.get_model(*old_model)
    NewTask = apps.get_model(*new_model)
    content_type, _ = ContentType.objects.get_or_create(app_label=new_type[0], model=new_type[1])
    for old in OldTask.objects.filter(name=TASK):
        new = NewTask.objects.create(name=old.name, active=old.active, content_type=content_type)
        new.groups.set(old.groups.all())
        WorkflowTask.objects.filter(task_id=old.pk).update(task_id=new.pk)
        TaskState.objects.filter(task_id=old.pk).update(task_id=new.pk)
        old.delete()


def use_safeguarding_review_task(apps, schema_editor):
    _swap(
        apps,
        ("wagtailcore", "GroupApprovalTask"),
        ("guidance", "SafeguardingReviewTask"),
        ("guidance", "safeguardingreviewtask"),
    )


def use_group_approval_task(apps, schema_editor):
    _swap(
        apps,
        ("guidance", "SafeguardingReviewTask"),
        ("wagtailcore", "GroupApprovalTask"),
        ("wagtailcore", "groupapprovaltask"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("guidance", "0008_reading_age"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="SafeguardingReviewTask",
            fields=[
                (
                    "task_ptr",
                    models.OneToOneField(
                        auto_created=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to="wagtailcore.task",
                    ),
                ),
                (
                    "groups",
                    models.ManyToManyField(
                        help_text=(
                            "Pages/snippets at this step in a workflow will be moderated "
                            "or approved by these groups of users"
                        ),
                        to="auth.group",
                        verbose_name="groups",
                    ),
                ),
            ],
            options={
                "verbose_name": "safeguarding review task",
                "verbose_name_plural": "safeguarding review tasks",
            },
            bases=("wagtailcore.task",),
        ),
        migrations.RunPython(use_safeguarding_review_task, use_group_approval_task),
    ]
