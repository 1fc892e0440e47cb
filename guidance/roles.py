"""Settings → Roles: what each group may do in the admin, in plain words, read from the database.

A read-only screen at /admin/roles/ (`guidance_roles`; URL and menu entry: wagtail_hooks.py).
Wagtail's own screens spread a group's rights over Settings → Groups (page,
collection and model permissions as tick boxes) and Settings → Workflows
(who reviews); this one puts them side by side for each group:

- whether its members may sign in to the admin at all;
- pages: each place in the tree and what they may do there, and plainly
  whether they may publish (`GroupPagePermission`);
- reviews: each active workflow task whose groups include it, with what the
  workflow covers (pages from `WorkflowPage`, snippet types from
  `WorkflowContentType`);
- snippets, settings, page feedback and reports, images and documents
  (`GroupCollectionPermission`, per collection, as Wagtail checks them),
  users and groups, and anything else (`Group.permissions`).

Nothing is hard-coded about the groups themselves: rename a group, give it a
right or assign a workflow and the screen says so. Known permissions get a
sentence saying where they show (`PLAIN_WORDS`); any other is named by its
model and action, or by Django's own description.

Who may open it (`can_view_roles`): superusers and anyone who may open
Settings → Groups (any of `auth.add_group`, `change_group`, `delete_group`,
`view_group`, as Wagtail's Groups screen asks). It shows the same rights as
that screen, and no one's name.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
from wagtail.models import (
    GroupCollectionPermission,
    GroupPagePermission,
    Task,
    WorkflowContentType,
    WorkflowPage,
    WorkflowTask,
)
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.models import get_snippet_models

URL_NAME = "guidance_roles"
group_permission_policy = ModelPermissionPolicy(Group)

# Wagtail's page permissions (wagtail.models.PAGE_PERMISSION_TYPES), in plain words.
PAGE_ACTIONS = {
    "add_page": "add pages (and edit the pages they added)",
    "change_page": "edit any page and submit it for review",
    "publish_page": "publish and unpublish pages",
    "bulk_delete_page": "delete pages together with the pages below them",
    "lock_page": "lock pages (and unlock their own locks)",
    "unlock_page": "unlock any page",
}
# Actions on other models, by the first word of the permission's codename.
ACTIONS = {
    "add": "add",
    "change": "edit",
    "delete": "delete",
    "publish": "publish",
    "lock": "lock",
    "unlock": "unlock",
    "view": "view",
    "choose": "choose",
    "export": "download",
}
# Where a permission shows, for those where the model's name does not say.
PLAIN_WORDS = {
    "wagtailadmin.access_admin": "sign in to the Wagtail admin",
    "feedback.view_feedbackresponse": (
        "read page feedback: Reports → Page feedback and Feedback by page, "
        "and the share found useful in Reports → Reading age"
    ),
    "feedback.export_feedbackresponse": "download page feedback as CSV or XLSX",
    "wagtailsearchpromotions.view_query": "see Reports → Search terms",
    "guidance.view_noresultssearch": "see Reports → Searches with no results",
}
FEEDBACK_AND_REPORTS = {
    "feedback.view_feedbackresponse",
    "feedback.export_feedbackresponse",
    "wagtailsearchpromotions.view_query",
    "guidance.view_noresultssearch",
}
# Image and document rights are checked per collection (GroupCollectionPermission);
# Wagtail ignores the same permissions given to a group without a collection.
COLLECTION_APPS = {"wagtailimages", "wagtaildocs"}


def can_view_roles(user):
    """Superusers, and those who may open Settings → Groups."""
    return group_permission_policy.user_has_any_permission(
        user, ["add", "change", "delete", "view"]
    )


@dataclass
class Area:
    """One kind of right ("Pages", "Reviews", ...) and what the group may do there."""

    title: str
    lines: list[str] = field(default_factory=list)
    none: str = ""  # said when there are no lines


@dataclass
class Role:
    group: Group
    members: int
    admin_access: bool
    areas: list[Area]


def _key(permission):
    return f"{permission.content_type.app_label}.{permission.codename}"


def _sentence(text):
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _join(words):
    words = list(words)
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _page_place(page):
    if page.depth == 1:
        return "Everywhere in the page tree"
    return f"On ‘{page.title}’ and the pages below it"


def _verb(permission):
    model_name = permission.content_type.model
    action = permission.codename.removesuffix(f"_{model_name}")
    if action != permission.codename and action in ACTIONS:
        return ACTIONS[action]
    return permission.name[:1].lower() + permission.name[1:]


def _model_label(content_type):
    model = content_type.model_class()
    if model is None:
        return content_type.name.capitalize()
    name = str(model._meta.verbose_name_plural)
    return name[:1].upper() + name[1:]


def _area_of(model):
    """Which area a model's permissions are shown under."""
    if model is None:
        return "Other rights"
    if model in get_snippet_models():
        return "Snippets"
    if issubclass(model, BaseSiteSetting | BaseGenericSetting):
        return "Settings"
    if model in (get_user_model(), Group):
        return "Users and groups"
    if model._meta.app_label == "wagtailcore":
        return "Site administration"
    return "Other rights"


def _publishable(content_types):
    """(content type id, ...) of the models that have a publish permission."""
    return set(
        Permission.objects.filter(
            content_type__in=content_types, codename__startswith="publish_"
        ).values_list("content_type_id", flat=True)
    )


class _Workflows:
    """Active group tasks in active workflows, and what each workflow covers."""

    def __init__(self):
        self.tasks_of_group = defaultdict(list)  # group id → [(task, workflow)]
        links = (
            WorkflowTask.objects.filter(task__active=True, workflow__active=True)
            .select_related("workflow")
            .order_by("workflow__name", "sort_order")
        )
        workflows_of_task = defaultdict(list)
        for link in links:
            workflows_of_task[link.task_id].append(link.workflow)
        for task in Task.objects.filter(pk__in=workflows_of_task).specific():
            groups = getattr(task, "groups", None)
            if groups is None or not hasattr(groups, "all"):
                continue  # not a task that groups review
            for group in groups.all():
                for workflow in workflows_of_task[task.pk]:
                    self.tasks_of_group[group.pk].append((task, workflow))
        self.pages = defaultdict(list)
        for assigned in WorkflowPage.objects.select_related("page").order_by("page__path"):
            self.pages[assigned.workflow_id].append(assigned.page)
        self.content_types = defaultdict(list)
        for assigned in WorkflowContentType.objects.select_related("content_type"):
            self.content_types[assigned.workflow_id].append(assigned.content_type)

    def covers(self, workflow):
        parts = [
            "every page" if page.depth == 1 else f"the pages under ‘{page.title}’"
            for page in self.pages[workflow.pk]
        ]
        parts += [
            _model_label(content_type).lower() for content_type in self.content_types[workflow.pk]
        ]
        return _join(parts)

    def lines(self, group):
        lines = []
        for task, workflow in self.tasks_of_group[group.pk]:
            named = f"the workflow ‘{workflow.name}’ (task ‘{task.name}’)"
            covers = self.covers(workflow)
            if covers:
                lines.append(
                    f"Reviews changes to {covers} in {named}: approves them or sends them "
                    "back with a comment."
                )
            else:
                lines.append(
                    f"Named as reviewers in {named}, but that workflow covers no pages or "
                    "snippets, so nothing comes to them for review."
                )
        return lines


def _page_lines(page_permissions):
    by_page = defaultdict(list)
    for granted in page_permissions:
        by_page[granted.page].append(granted.permission.codename)
    lines = []
    for page, codenames in sorted(by_page.items(), key=lambda item: item[0].path):
        actions = [words for codename, words in PAGE_ACTIONS.items() if codename in codenames]
        actions += [codename for codename in codenames if codename not in PAGE_ACTIONS]
        lines.append(f"{_page_place(page)}: {_join(actions)}.")
    codenames = {granted.permission.codename for granted in page_permissions}
    if codenames & {"add_page", "change_page"} and "publish_page" not in codenames:
        lines.append(
            "Cannot publish pages: their changes go live only when someone who may "
            "publish approves or publishes them."
        )
    return lines


def _model_lines(permissions, publishable):
    """One line per model: "Signposting contacts: add and edit. Cannot publish ...", by area."""
    by_model = defaultdict(list)
    for permission in permissions:
        by_model[permission.content_type].append(permission)
    areas = defaultdict(list)
    for content_type, granted in sorted(by_model.items(), key=lambda item: _model_label(item[0])):
        model = content_type.model_class()
        line = f"{_model_label(content_type)}: {_join(_verb(p) for p in granted)}."
        codenames = {p.codename for p in granted}
        may_change = {f"add_{content_type.model}", f"change_{content_type.model}"} & codenames
        if (
            content_type.pk in publishable
            and may_change
            and f"publish_{content_type.model}" not in codenames
        ):
            line += " Cannot publish: a change goes live once someone who may publish approves it."
        areas[_area_of(model)].append(line)
    return areas


def _collection_place(collection):
    if collection.depth == 1:
        return "in every collection"
    below = " and those below it" if collection.numchild else ""
    return f"in the collection ‘{collection.name}’{below}"


def _collection_lines(collection_permissions):
    by_place = defaultdict(list)
    for granted in collection_permissions:
        label = _model_label(granted.permission.content_type)
        by_place[(label, granted.collection)].append(granted.permission)
    return [
        f"{label} {_collection_place(collection)}: {_join(_verb(p) for p in granted)}."
        for (label, collection), granted in sorted(
            by_place.items(), key=lambda item: (item[0][0], item[0][1].path)
        )
    ]


def roles():
    """A `Role` for every group, by name."""
    groups = (
        Group.objects.annotate(members=Count("user", filter=Q(user__is_active=True), distinct=True))
        .prefetch_related(
            Prefetch(
                "permissions",
                queryset=Permission.objects.select_related("content_type").order_by(
                    "content_type__app_label", "content_type__model", "codename"
                ),
            )
        )
        .order_by("name")
    )
    page_permissions = defaultdict(list)
    for granted in GroupPagePermission.objects.select_related("page", "permission"):
        page_permissions[granted.group_id].append(granted)
    collection_permissions = defaultdict(list)
    for granted in GroupCollectionPermission.objects.select_related(
        "collection", "permission__content_type"
    ):
        collection_permissions[granted.group_id].append(granted)
    workflows = _Workflows()
    groups = list(groups)
    publishable = _publishable(
        {permission.content_type for group in groups for permission in group.permissions.all()}
    )

    result = []
    for group in groups:
        permissions = list(group.permissions.all())
        keys = {_key(permission): permission for permission in permissions}
        admin_access = "wagtailadmin.access_admin" in keys
        pages = _page_lines(page_permissions[group.pk])
        granted_reports = FEEDBACK_AND_REPORTS & set(keys)
        feedback_and_reports = [
            _sentence(words) for key, words in PLAIN_WORDS.items() if key in granted_reports
        ]
        if {"add_page", "change_page", "publish_page"} & {
            granted.permission.codename for granted in page_permissions[group.pk]
        }:
            feedback_and_reports.append(
                "Through their page rights: Reports → Guidance due for review and Reading age "
                "(for the pages they may edit), and the page feedback counts on the dashboard."
            )
        others = [
            permission
            for key, permission in keys.items()
            if key != "wagtailadmin.access_admin"
            and key not in FEEDBACK_AND_REPORTS
            and permission.content_type.app_label not in COLLECTION_APPS
        ]
        by_area = _model_lines(others, publishable)
        areas = [
            Area("Pages", pages, "No rights on pages."),
            Area("Reviews", workflows.lines(group), "Reviews nothing in a workflow."),
            Area("Snippets", by_area.pop("Snippets", []), "No rights on snippets."),
            Area(
                "Page feedback and reports",
                feedback_and_reports,
                "Cannot read page feedback or open the search reports.",
            ),
            Area(
                "Images and documents",
                _collection_lines(collection_permissions[group.pk]),
                "No rights on images or documents.",
            ),
        ]
        areas += [
            Area(title, by_area.pop(title))
            for title in ("Settings", "Users and groups", "Site administration", "Other rights")
            if title in by_area
        ]
        result.append(Role(group, group.members, admin_access, areas))
    return result


class RolesView(WagtailAdminTemplateMixin, TemplateView):
    """Settings → Roles (see the module's docstring)."""

    page_title = "Roles"
    header_icon = "group"
    template_name = "guidance/admin/roles.html"

    def dispatch(self, request, *args, **kwargs):
        if not can_view_roles(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "roles": roles(),
                "superusers": get_user_model()
                .objects.filter(is_superuser=True, is_active=True)
                .count(),
                "can_edit_groups": group_permission_policy.user_has_permission(
                    self.request.user, "change"
                ),
            }
        )
        return context
