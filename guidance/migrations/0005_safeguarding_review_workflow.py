"""Review before publishing: the "Safeguarding reviewers" group and the "Safeguarding review" workflow.

- "Safeguarding reviewers" (new): admin access; edit and publish every
  page and every signposting contact, so they can approve (approving
  publishes) and correct.
- Wagtail's "Editors": may add and edit signposting contacts, not publish
  them (they already edit pages without publishing).
- Wagtail's "Moderators": may also publish contacts, for urgent corrections.
- The workflow has one task, approval by the reviewers. It replaces
  Wagtail's default "Moderators approval" on the root page, so it covers the
  whole tree, and it is assigned to `SignpostingContact`.

Reversing removes the group and the workflow and gives the root page back
to "Moderators approval" if it still exists.
"""

from django.db import migrations

REVIEWERS = "Safeguarding reviewers"
WORKFLOW = "Safeguarding review"
TASK = "Approval by a safeguarding reviewer"


def _permission(apps, app_label, model, codename, name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def _contact_permission(apps, action):
    return _permission(
        apps,
        "guidance",
        "signpostingcontact",
        f"{action}_signpostingcontact",
        f"Can {action} signposting contact",
    )


def create_review(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    access_admin = _permission(
        apps, "wagtailadmin", "admin", "access_admin", "Can access Wagtail admin"
    )
    add, change, publish = (_contact_permission(apps, a) for a in ("add", "change", "publish"))

    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS)
    reviewers.permissions.add(access_admin, add, change, publish)
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.add(add, change)
    for moderators in Group.objects.filter(name="Moderators"):
        moderators.permissions.add(add, change, publish)

    root = Page.objects.filter(depth=1).first()
    if root is not None:
        for permission_type in ("add", "change", "publish"):
            permission = _permission(
                apps, "wagtailcore", "page", f"{permission_type}_page", f"Can {permission_type} page"
            )
            GroupPagePermission.objects.get_or_create(
                group=reviewers, page=root, permission=permission
            )

    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task, _ = GroupApprovalTask.objects.get_or_create(
        name=TASK, defaults={"content_type": task_type, "active": True}
    )
    task.groups.add(reviewers)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    if root is not None:
        WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
    contact_type, _ = ContentType.objects.get_or_create(
        app_label="guidance", model="signpostingcontact"
    )
    WorkflowContentType.objects.update_or_create(
        content_type=contact_type, defaults={"workflow": workflow}
    )


def remove_review(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Page = apps.get_model("wagtailcore", "Page")

    previous = Workflow.objects.filter(name="Moderators approval").first()
    root = Page.objects.filter(depth=1).first()
    WorkflowPage.objects.filter(workflow__name=WORKFLOW).delete()
    if previous is not None and root is not None:
        WorkflowPage.objects.get_or_create(page=root, defaults={"workflow": previous})
    Workflow.objects.filter(name=WORKFLOW).delete()
    GroupApprovalTask.objects.filter(name=TASK).delete()
    Group.objects.filter(name=REVIEWERS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("guidance", "0004_governance_workflow_help_contacts_verification_noindex"),
        ("wagtailcore", "0083_workflowcontenttype"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        # These give every group with admin access the "choose" permissions;
        # run them first so reviewers get only what is listed above.
        ("wagtailimages", "0023_add_choose_permissions"),
        ("wagtaildocs", "0011_add_choose_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_review, remove_review)]
