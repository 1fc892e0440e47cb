"""Who may read and export page feedback.

- "Feedback analysts" (new): admin access, view and export feedback
  responses; no page, snippet or settings rights.
- Wagtail's "Moderators": may view responses, not export them.
- Wagtail's "Editors": nothing here; they see the aggregate panels only.

Permissions are normally created after all migrations have run, so the two
this migration hands out are made here if they do not exist yet.
Reversing removes the analysts group and the moderators' view permission.
"""

from django.db import migrations

ANALYSTS = "Feedback analysts"
MODERATORS = "Moderators"


def _permission(apps, app_label, model, codename, name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    access_admin = _permission(
        apps, "wagtailadmin", "admin", "access_admin", "Can access Wagtail admin"
    )
    view = _permission(
        apps, "feedback", "feedbackresponse", "view_feedbackresponse", "Can view feedback response"
    )
    export = _permission(
        apps,
        "feedback",
        "feedbackresponse",
        "export_feedbackresponse",
        "Can export feedback responses",
    )
    analysts, _ = Group.objects.get_or_create(name=ANALYSTS)
    analysts.permissions.add(access_admin, view, export)
    for moderators in Group.objects.filter(name=MODERATORS):
        moderators.permissions.add(view)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name=ANALYSTS).delete()
    view = Permission.objects.filter(
        content_type__app_label="feedback", codename="view_feedbackresponse"
    ).first()
    if view is not None:
        for moderators in Group.objects.filter(name=MODERATORS):
            moderators.permissions.remove(view)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0003_export_permission"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        # These give every group with admin access the "choose" permissions;
        # run them first so analysts get no image or document rights.
        ("wagtailimages", "0023_add_choose_permissions"),
        ("wagtaildocs", "0011_add_choose_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
