"""A force in one step: its Site, home page, safety settings, staff groups and review workflow.

`add_force(name, hostname)` (run by `manage.py add_force`, and by
`load_demo_content` for the demo's second force) makes, in one transaction:

- a published `HomePage` titled `name`, a child of Wagtail's root page, and
  a `Site` for it: `hostname`, port 80, not the default site, `site_name`
  the force's name;
- its `SafetySettings`: the quick exit destination given (else Wagtail's
  default, `DEFAULT_NEUTRAL_EXIT_URL`) and the default emergency box; no
  help contacts chosen, so its pages show the built-in numbers
  (guidance/help_contacts.py) until someone chooses some;
- three staff groups, each with a `ForceGroup` naming the Site:
  "NAME editors", "NAME reviewers" and "NAME analysts". Each mirrors a
  national group (`NATIONAL_GROUPS`: Editors, Safeguarding reviewers,
  Feedback analysts) as it stands: the same model permissions, the same
  collection permissions (images and documents are shared), and the same
  page permissions, given on the force's home page instead of wherever the
  national group has them. A permission that would reach every force
  (`reaches_every_force`: users and groups, sites, workflows, site and
  generic settings) is not copied, and is reported;
- a review workflow "NAME review" of one `SafeguardingReviewTask`
  ("NAME safeguarding review", its group "NAME reviewers"), assigned to the
  force's home page: changes below it are reviewed by the force's own
  reviewers, not by the national "Safeguarding review".

Run again with the same name and host name, it changes nothing and says so
(`AddedForce.created` is False). A bad name, host name or quick exit
address, a host name or name another force has, or a group or workflow of
that name already there raises `ForceError`, with one line saying why,
before anything is written. docs/multi_force.md describes the result.
"""

import re
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
from wagtail.models import (
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from portal.models import ForceGroup

from .models import DEFAULT_NEUTRAL_EXIT_URL, HomePage, SafeguardingReviewTask, SafetySettings

# Each force group (by the word after the force's name) and the national group it mirrors.
NATIONAL_GROUPS = {
    "editors": "Editors",
    "reviewers": "Safeguarding reviewers",
    "analysts": "Feedback analysts",
}
NAME_MAX_LENGTH = 80
HOSTNAME_MAX_LENGTH = 253
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# Apps whose permissions reach every force: users, groups, sites, workflows, tasks,
# and Wagtail's search terms and promotions (one list for the whole install)...
_EVERY_FORCE_APPS = {"auth", "wagtailcore", "wagtailusers", "portal", "wagtailsearchpromotions"}
# ...and our record of searches that found nothing, which names no force either.
_EVERY_FORCE_MODELS = {("guidance", "noresultssearch")}


class ForceError(Exception):
    """Why a force cannot be added, in one line."""


@dataclass
class AddedForce:
    name: str
    site: Site
    home: HomePage
    groups: dict  # "editors" / "reviewers" / "analysts" → Group
    workflow: Workflow
    safety: SafetySettings
    created: bool
    not_copied: list = field(default_factory=list)  # "Group: app.codename", left out

    @property
    def url(self):
        return f"http://{self.site.hostname}/"


def group_name(name, role):
    return f"{name} {role}"


def workflow_name(name):
    return f"{name} review"


def task_name(name):
    return f"{name} safeguarding review"


def clean_name(name):
    """The force's name with its spaces tidied, or `ForceError`."""
    name = " ".join((name or "").split())
    if not name or not slugify(name):
        raise ForceError("The force needs a name with letters or digits, like 'Southdale Police'.")
    if len(name) > NAME_MAX_LENGTH:
        raise ForceError(f"The force's name is longer than {NAME_MAX_LENGTH} characters.")
    return name


def clean_hostname(hostname):
    """The host name in lower case, or `ForceError`: no scheme, port or path."""
    hostname = (hostname or "").strip().lower().removesuffix(".")
    labels = hostname.split(".")
    if (
        not hostname
        or len(hostname) > HOSTNAME_MAX_LENGTH
        or not all(_LABEL.match(label) for label in labels)
    ):
        raise ForceError(
            f"{hostname or '(empty)'!r} is not a host name: give one like "
            "'guidance.southdale.police.uk', with no http://, port or path."
        )
    return hostname


def clean_neutral_exit_url(url):
    """The quick exit destination, checked as the Safety settings screen checks it."""
    try:
        return SafetySettings._meta.get_field("neutral_exit_url").clean(url, None)
    except ValidationError:
        raise ForceError(
            f"The quick exit destination {url!r} is not an https:// address like "
            f"{DEFAULT_NEUTRAL_EXIT_URL}."
        ) from None


def reaches_every_force(permission):
    """True for a permission that, given to a force's group, would reach other forces too."""
    content_type = permission.content_type
    if (
        content_type.app_label in _EVERY_FORCE_APPS
        or (content_type.app_label, content_type.model) in _EVERY_FORCE_MODELS
    ):
        return True
    model = content_type.model_class()
    return model is not None and issubclass(model, BaseSiteSetting | BaseGenericSetting)


def add_force(name, hostname, neutral_exit_url=None):
    """Add the force (see the module docstring), or find it already added. Returns `AddedForce`."""
    name, hostname = clean_name(name), clean_hostname(hostname)
    url = clean_neutral_exit_url(neutral_exit_url or DEFAULT_NEUTRAL_EXIT_URL)
    try:
        with transaction.atomic():
            return _existing(name, hostname) or _create(name, hostname, url)
    except IntegrityError:  # the same name or host name, added at the same moment
        raise ForceError(f"{name} or {hostname} was taken meanwhile: run it again.") from None


def _create(name, hostname, url):
    _refuse_clashes(name)
    national = _national_groups()
    home = _home_page(name)
    site = Site.objects.create(
        hostname=hostname, port=80, site_name=name, root_page=home, is_default_site=False
    )
    safety = SafetySettings(site=site, neutral_exit_url=url)
    safety.save()
    not_copied = []
    groups = {}
    for role, national_group in national.items():
        group = Group.objects.create(name=group_name(name, role))
        ForceGroup.objects.create(group=group, site=site)
        not_copied += _mirror(national_group, group, home)
        groups[role] = group
    workflow = _review_workflow(name, home, groups["reviewers"])
    return AddedForce(name, site, home, groups, workflow, safety, True, not_copied)


def _existing(name, hostname):
    """The force already at `hostname` if it is this one, complete; `ForceError` if another's."""
    site = Site.objects.filter(hostname__iexact=hostname).first()
    if site is None:
        return None
    if site.site_name != name:
        other = f"'{site.site_name}'" if site.site_name else "another site"
        raise ForceError(f"The host name {hostname} already belongs to {other}.")
    groups = {
        force_group.group.name: force_group.group
        for force_group in ForceGroup.objects.filter(site=site).select_related("group")
    }
    missing = [group_name(name, role) for role in NATIONAL_GROUPS]
    missing = [group for group in missing if group not in groups]
    workflow = Workflow.objects.filter(
        name=workflow_name(name), workflow_pages__page=site.root_page_id
    ).first()
    if missing or workflow is None:
        what = ", ".join(missing + ([] if workflow else [f"workflow '{workflow_name(name)}'"]))
        raise ForceError(f"{name} at {hostname} exists but lacks {what}: finish it in the admin.")
    return AddedForce(
        name,
        site,
        site.root_page.specific,
        {role: groups[group_name(name, role)] for role in NATIONAL_GROUPS},
        workflow,
        SafetySettings.for_site(site),
        False,
    )


def _refuse_clashes(name):
    other = Site.objects.filter(site_name__iexact=name).first()
    if other is not None:
        raise ForceError(f"A force named '{other.site_name}' already has {other.hostname}.")
    names = [group_name(name, role) for role in NATIONAL_GROUPS]
    taken = Group.objects.filter(name__in=names).values_list("name", flat=True).first()
    if taken is not None:
        raise ForceError(f"A group named '{taken}' already exists.")
    if Workflow.objects.filter(name=workflow_name(name)).exists():
        raise ForceError(f"A workflow named '{workflow_name(name)}' already exists.")


def _national_groups():
    found = Group.objects.in_bulk(NATIONAL_GROUPS.values(), field_name="name")
    missing = [national for national in NATIONAL_GROUPS.values() if national not in found]
    if missing:
        raise ForceError(f"The national group '{missing[0]}' is missing: its rights are copied.")
    return {role: found[national] for role, national in NATIONAL_GROUPS.items()}


def _home_page(name):
    root = Page.get_first_root_node()
    if root is None:
        raise ForceError("The page tree has no root: run `manage.py migrate` first.")
    base = slugify(name)
    taken = set(root.get_children().values_list("slug", flat=True))
    slug = next(
        candidate
        for candidate in (base, *(f"{base}-{number}" for number in range(2, len(taken) + 3)))
        if candidate not in taken
    )
    home = HomePage(title=name, slug=slug)
    root.add_child(instance=home)
    home.save_revision().publish()
    home.refresh_from_db()
    return home


def _mirror(national, group, home):
    """Give `group` the rights of `national`, its page rights on `home`; the rights left out."""
    permissions, left_out = [], []
    for permission in national.permissions.select_related("content_type"):
        if reaches_every_force(permission):
            key = f"{permission.content_type.app_label}.{permission.codename}"
            left_out.append(f"{group.name}: {key}")
        else:
            permissions.append(permission)
    group.permissions.set(permissions)
    page_permission_ids = sorted(
        set(GroupPagePermission.objects.filter(group=national).values_list("permission", flat=True))
    )
    GroupPagePermission.objects.bulk_create(
        GroupPagePermission(group=group, page=home, permission_id=permission_id)
        for permission_id in page_permission_ids
    )
    GroupCollectionPermission.objects.bulk_create(
        GroupCollectionPermission(
            group=group, collection_id=granted.collection_id, permission_id=granted.permission_id
        )
        for granted in GroupCollectionPermission.objects.filter(group=national)
    )
    return left_out


def _review_workflow(name, home, reviewers):
    task = SafeguardingReviewTask.objects.create(
        name=task_name(name),
        active=True,
        content_type=ContentType.objects.get_for_model(SafeguardingReviewTask),
    )
    task.groups.set([reviewers])
    workflow = Workflow.objects.create(name=workflow_name(name), active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=home)
    return workflow
