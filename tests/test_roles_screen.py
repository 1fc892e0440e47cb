"""Settings → Roles (guidance/roles.py): each group's rights in plain words, read from the database.

Signed in through Django's test client, as a superuser, someone who may only
view groups, an Editor and a Feedback analyst. Every line checked here is
also checked against what Wagtail lets a member of that group do, so the
screen cannot drift from the real rights.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import GroupPagePermission

from feedback.permissions import can_export_feedback, can_view_feedback
from guidance.models import GuidancePage, SignpostingContact
from guidance.roles import URL_NAME
from guidance.wagtail_hooks import roles_menu_item
from tests.support.html import parse_ok, text_of
from tests.support.users import member_of

pytestmark = pytest.mark.django_db

GROUPS = ["Editors", "Feedback analysts", "Moderators", "Safeguarding reviewers"]


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("root", "root@example.org", "x")


def roles_screen(client, user):
    client.force_login(user)
    screen = parse_ok(client.get(reverse(URL_NAME)))
    return {
        section.select_one("h2").get_text(strip=True): section
        for section in screen.select("section.w-panel")
    }


def lines_under(section, title):
    """The lines (or the 'none' sentence) under one heading of a group's panel."""
    heading = next(h for h in section.select("h3") if text_of(h) == title)
    answer = heading.find_next_sibling(["ul", "p"])
    if answer.name == "p":
        return [text_of(answer)]
    return [text_of(item) for item in answer.select("li")]


def can(user, action, page):
    return getattr(page.permissions_for_user(user), f"can_{action}")()


def test_a_superuser_sees_every_group_with_what_it_may_do(client, site_tree, superuser):
    panels = roles_screen(client, superuser)
    page = site_tree.guidance

    assert sorted(panels) == GROUPS
    for name in GROUPS:
        assert "Can sign in to the Wagtail admin." in text_of(panels[name])

    # Editors: edit and submit for review, never publish, pages or contacts.
    editor = member_of("Editors")
    pages = lines_under(panels["Editors"], "Pages")
    assert pages[0].startswith("Everywhere in the page tree: add pages")
    assert "edit any page and submit it for review" in pages[0]
    assert "publish" not in pages[0]
    assert pages[1].startswith("Cannot publish pages")
    assert can(editor, "edit", page) and not can(editor, "publish", page)
    assert lines_under(panels["Editors"], "Snippets") == [
        "Signposting contacts: add and edit. Cannot publish: a change goes live once "
        "someone who may publish approves it."
    ]
    assert editor.has_perm("guidance.change_signpostingcontact")
    assert not editor.has_perm("guidance.publish_signpostingcontact")
    assert lines_under(panels["Editors"], "Reviews") == ["Reviews nothing in a workflow."]

    # Safeguarding reviewers: review every page and contact in the workflow, and publish.
    reviewer = member_of("Safeguarding reviewers")
    assert lines_under(panels["Safeguarding reviewers"], "Reviews") == [
        "Reviews changes to every page and signposting contacts in the workflow "
        "‘Safeguarding review’ (task ‘Safeguarding review’): approves them "
        "or sends them back with a comment."
    ]
    workflow = page.get_workflow()
    assert workflow.name == "Safeguarding review"
    assert SignpostingContact().get_workflow() == workflow
    assert (
        "publish and unpublish pages" in lines_under(panels["Safeguarding reviewers"], "Pages")[0]
    )
    assert can(reviewer, "publish", page)

    # Moderators: publish; Wagtail's old workflow naming them is retired (migration 0011).
    moderator = member_of("Moderators")
    assert "publish and unpublish pages" in lines_under(panels["Moderators"], "Pages")[0]
    assert can(moderator, "publish", page)
    assert lines_under(panels["Moderators"], "Reviews") == ["Reviews nothing in a workflow."]
    moderator_reports = lines_under(panels["Moderators"], "Page feedback and reports")
    assert any(line.startswith("Read page feedback") for line in moderator_reports)
    assert not any(line.startswith("Download page feedback") for line in moderator_reports)
    assert can_view_feedback(moderator) and not can_export_feedback(moderator)

    # Feedback analysts: read and download feedback and the search reports; no pages.
    analyst = member_of("Feedback analysts")
    assert lines_under(panels["Feedback analysts"], "Pages") == ["No rights on pages."]
    assert not can(analyst, "edit", page)
    reports = lines_under(panels["Feedback analysts"], "Page feedback and reports")
    assert reports[:2] == [
        "Read page feedback: Reports → Page feedback and Feedback by page, and the share "
        "found useful in Reports → Reading age.",
        "Download page feedback as CSV or XLSX.",
    ]
    assert "See Reports → Search terms." in reports
    assert can_view_feedback(analyst) and can_export_feedback(analyst)


def test_the_screen_follows_the_database(client, site_tree, superuser):
    """A new group, a right given and a sign-in taken away show at once."""
    comms = Group.objects.create(name="Communications leads")
    GroupPagePermission.objects.create(
        group=comms,
        page=site_tree.topic,
        permission=Permission.objects.get(codename="publish_page"),
    )
    editors = Group.objects.get(name="Editors")
    editors.permissions.add(Permission.objects.get(codename="publish_signpostingcontact"))
    member_of("Editors", username="ed").groups.add(comms)

    panels = roles_screen(client, superuser)

    assert lines_under(panels["Communications leads"], "Pages") == [
        "On ‘Online safety’ and the pages below it: publish and unpublish pages."
    ]
    assert "Cannot sign in to the Wagtail admin" in text_of(panels["Communications leads"])
    assert "1 active member." in text_of(panels["Communications leads"])
    assert lines_under(panels["Editors"], "Snippets") == [
        "Signposting contacts: add, edit and publish."
    ]
    in_topic = GuidancePage.objects.get(pk=site_tree.guidance.pk)
    assert can(get_user_model().objects.get(username="ed"), "publish", in_topic)


@pytest.fixture
def group_viewer():
    """Staff who may view groups (and sign in), and nothing else."""
    viewers = Group.objects.create(name="Group viewers")
    viewers.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_group"),
    )
    user = get_user_model().objects.create_user("viewer", "viewer@example.org", "x")
    user.groups.add(viewers)
    return user


def test_someone_who_may_view_groups_reads_it_without_edit_links(client, group_viewer):
    client.force_login(group_viewer)

    screen = parse_ok(client.get(reverse(URL_NAME)))

    assert "Safeguarding reviewers" in text_of(screen)
    assert "Change this group’s rights" not in text_of(screen)


@pytest.mark.parametrize("group", ["Editors", "Feedback analysts", "Safeguarding reviewers"])
def test_people_who_may_not_view_groups_cannot_open_it(client, group):
    anonymous = client.get(reverse(URL_NAME))
    client.force_login(member_of(group))

    refused = client.get(reverse(URL_NAME))

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/admin/login/")
    # Wagtail's admin answers PermissionDenied with a redirect to the dashboard.
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    assert "you do not have permission" in text_of(client.get("/admin/").content)


def test_the_menu_entry_is_for_those_who_may_open_it(rf, superuser, group_viewer):
    item = roles_menu_item()
    request = rf.get("/admin/")

    for user, shown in [
        (superuser, True),
        (group_viewer, True),
        (member_of("Editors"), False),
        (member_of("Moderators"), False),
    ]:
        request.user = user
        assert item.is_shown(request) is shown, user


def test_the_screen_takes_the_same_queries_however_many_groups(client, site_tree, superuser):
    client.force_login(superuser)
    client.get(reverse(URL_NAME))  # first request: sessions, content types, caches

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(URL_NAME)).status_code == 200
        return len(captured)

    few = queries()
    for n in range(4):
        group = Group.objects.create(name=f"Topic editors {n}")
        group.permissions.add(*Permission.objects.filter(codename__endswith="_signpostingcontact"))
        GroupPagePermission.objects.create(
            group=group,
            page=site_tree.topic,
            permission=Permission.objects.get(codename="add_page"),
        )
        member_of("Editors", username=f"editor-{n}").groups.add(group)
    assert queries() == few


def test_settings_menu_leads_superusers_not_editors_to_roles(client, superuser):
    url = reverse(URL_NAME)
    client.force_login(superuser)
    assert url.encode() in client.get("/admin/").content
    client.force_login(member_of("Editors"))
    assert url.encode() not in client.get("/admin/").content
