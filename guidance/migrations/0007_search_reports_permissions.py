"""Who may read the search reports: analysts and moderators.

- "Feedback analysts" and Wagtail's "Moderators": view Wagtail's search
  terms (`wagtailsearchpromotions.view_query`, the "Search terms" report)
  and the searches with no results (`guidance.view_noresultssearch`).
- Editors: nothing here. Promoting results (Settings → Promoted search
  results) stays with superusers unless a group is given Wagtail's
  search promotion permissions.

Permissions are normally created after all migrations have run, so the two
this migration hands out are made here if they do not exist yet.
Reversing takes them away from both groups.
"""

from django.db import migrations

GROUPS = ["Feedback analysts", "Moderators"]
PERMISSIONS = [
    ("wagtailsearchpromotions", "query", "view_query", "Can view query"),
    ("guidance", "noresultssearch", "view_noresultssearch", "Can view search with no results"),
]


def _permissions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    permissions = []
    for app_label, model, codename, name in PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        permissions.append(permission)
    return permissions


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = _permissions(apps)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = _permissions(apps)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("guidance", "0006_no_results_search"),
        ("feedback", "0004_feedback_analysts_group"),
        ("wagtailsearchpromotions", "0008_query_verbose_name"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
