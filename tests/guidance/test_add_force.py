"""`manage.py add_force`: a force in one command, and staff who stay in their own force.

Beside the site tree's default force on `localhost` (governed by the
national groups), the command adds Southdale Police on
`southdale.localhost` (tests/support/force_staff.py): its site answers its
host name with its own home page; its editors, reviewers and analysts
mirror the national groups with their page rights on its home page; its
own review workflow covers its pages. Run again it changes nothing; bad
input stops it with one line and leaves nothing behind. A Southdale editor
cannot open the default force's pages in the explorer, the editor, preview
or the page chooser; a national editor edits both.
"""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError
from django.urls import reverse
from wagtail.models import (
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Revision,
    Site,
    Task,
    Workflow,
    WorkflowPage,
    WorkflowState,
)

from guidance.forces import NATIONAL_GROUPS
from guidance.management.commands.add_force import Command
from guidance.models import HomePage, SafeguardingReviewTask, SafetySettings
from portal.models import ForceGroup, forces_of
from tests.support.clients import anonymous_get
from tests.support.force_staff import (
    FORCE_EXIT,
    FORCE_HOST,
    FORCE_NAME,
    LOCAL_PAGE_TEXT,
    LOCAL_PAGE_TITLE,
    added_force,
    local_page,
    member,
    run_add_force,
)
from tests.support.html import parse, text_of
from tests.support.review import act_on_page, as_user, submit_page
from tests.support.users import member_of

REWRITE = "Southdale's rewritten advice, for its own reviewers to check."


@pytest.fixture
def force(site_tree, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, FORCE_HOST]
    return added_force()


@pytest.fixture
def page(force):
    return local_page(force)


def counts():
    """Everything the command makes, counted."""
    models = [Site, Page, Revision, Group, ForceGroup, GroupPagePermission, Workflow, Task]
    counted = {model.__name__: model.objects.count() for model in models}
    counted["GroupCollectionPermission"] = GroupCollectionPermission.objects.count()
    counted["SafetySettings"] = SafetySettings.objects.count()
    counted["WorkflowPage"] = WorkflowPage.objects.count()
    return counted


# --- What the command makes ------------------------------------------------------------


def test_the_site_answers_its_host_name_with_its_own_home_page(force, site_tree):
    assert (force.site.hostname, force.site.port) == (FORCE_HOST, 80)
    assert not force.site.is_default_site
    assert force.site.site_name == FORCE_NAME
    assert force.home.live and force.home.get_parent().depth == 1
    own = anonymous_get("/", host=FORCE_HOST)
    default = anonymous_get("/", host="localhost")
    assert (own.status_code, default.status_code) == (200, 200)
    assert text_of(parse(own).h1) == FORCE_NAME
    assert text_of(parse(default).h1) == site_tree.home.title
    assert anonymous_get("/exit/", host=FORCE_HOST)["Location"] == FORCE_EXIT
    assert SafetySettings.for_site(force.site).neutral_exit_url == FORCE_EXIT


def test_it_says_what_it_made_the_defaults_and_how_long_it_took(force):
    output = force.output

    for role in NATIONAL_GROUPS:
        assert f"'{FORCE_NAME} {role}'" in output
    assert f"workflow '{FORCE_NAME} review'" in output
    assert f"Quick exit goes to {FORCE_EXIT}." in output
    assert "built-in numbers (Police emergency 999" in output
    seconds = float(re.search(r"Added Southdale Police in ([\d.]+) s\.", output)[1])
    assert seconds < 10


def test_without_a_quick_exit_address_it_uses_the_default_and_says_so(site_tree):
    output = run_add_force(name="Northvale Police", hostname="northvale.localhost")

    assert "Quick exit goes to https://www.bbc.co.uk/weather (the default" in output
    assert "northvale.localhost is not in ALLOWED_HOSTS" in output


# Wagtail's search terms and our searches with no results name no force.
INSTALL_WIDE_SEARCH_RIGHTS = {"wagtailsearchpromotions.view_query", "guidance.view_noresultssearch"}


def rights(group):
    return {f"{right.content_type.app_label}.{right.codename}" for right in group.permissions.all()}


def test_each_group_mirrors_its_national_group_rooted_at_the_force_home(force):
    for role, national_name in NATIONAL_GROUPS.items():
        group, national = force.groups[role], Group.objects.get(name=national_name)
        assert rights(group) == rights(national) - INSTALL_WIDE_SEARCH_RIGHTS, role
        page_rights = GroupPagePermission.objects.filter(group=group)
        national_codenames = set(
            GroupPagePermission.objects.filter(group=national).values_list(
                "permission__codename", flat=True
            )
        )
        assert {right.permission.codename for right in page_rights} == national_codenames
        assert {right.page_id for right in page_rights} <= {force.home.pk}
        assert sorted(
            GroupCollectionPermission.objects.filter(group=group).values_list(
                "collection", "permission"
            )
        ) == sorted(
            GroupCollectionPermission.objects.filter(group=national).values_list(
                "collection", "permission"
            )
        )
        assert group.force.site == force.site
    assert forces_of(member(force, "editors")) == {force.site.pk}
    assert forces_of(member_of("Editors")) is None  # national: every force


def test_a_forces_analysts_cannot_read_every_forces_searches(force):
    national = member_of("Feedback analysts")
    analyst = member(force, "analysts")

    for right in INSTALL_WIDE_SEARCH_RIGHTS:
        assert national.has_perm(right)
        assert not analyst.has_perm(right)
        said = f"Not copied, it would reach every force: {FORCE_NAME} analysts: {right}"
        assert said in force.output
    assert analyst.has_perm("feedback.view_feedbackresponse")


def test_the_forces_own_review_workflow_covers_its_home_page(force, site_tree):
    assert force.workflow.active
    (task,) = [link.task.specific for link in force.workflow.workflow_tasks.all()]
    assert isinstance(task, SafeguardingReviewTask) and task.active
    assert list(task.groups.all()) == [force.groups["reviewers"]]
    assert force.home.get_workflow() == force.workflow
    assert site_tree.home.get_workflow().name == "Safeguarding review"


def test_running_it_again_changes_nothing_and_says_so(force):
    before = counts()

    output = run_add_force(name=FORCE_NAME, hostname=FORCE_HOST.upper())

    assert counts() == before
    assert output.startswith(f"{FORCE_NAME} already exists at {FORCE_HOST}: nothing changed")


# --- Bad input: one line, exit status 1, nothing made -------------------------------------


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ({"hostname": "https://north.example"}, "is not a host name"),
        ({"hostname": "north.localhost:8000"}, "is not a host name"),
        ({"hostname": "north_vale.localhost"}, "is not a host name"),
        ({"hostname": "localhost"}, "already belongs to"),
        ({"name": "   "}, "needs a name"),
        ({"name": "southdale police"}, "A force named 'Southdale Police' already has"),
        ({"name": "Safeguarding"}, "A group named 'Safeguarding reviewers' already exists"),
        ({"neutral_exit_url": "http://weather.example/"}, "is not an https:// address"),
    ],
)
def test_bad_input_is_refused_with_one_line_and_nothing_is_made(force, options, said):
    before = counts()
    given = {"name": "Northvale Police", "hostname": "northvale.localhost", **options}

    with pytest.raises(CommandError, match=re.escape(said)):
        run_add_force(**given)

    assert counts() == before


def test_a_host_name_taken_at_the_same_moment_is_one_line_and_nothing_is_made(force, monkeypatch):
    # As if another add_force committed the host name after this one looked.
    monkeypatch.setattr("guidance.forces._existing", lambda name, hostname: None)
    before = counts()

    with pytest.raises(CommandError, match="was taken meanwhile: run it again"):
        run_add_force(name="Northvale Police", hostname=FORCE_HOST)

    assert counts() == before


def test_from_the_command_line_an_error_is_one_line_and_exit_status_1(site_tree, monkeypatch):
    # run_from_argv closes the database connections when done: not the test's own.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    before = counts()
    out, err = StringIO(), StringIO()

    with pytest.raises(SystemExit) as exit_status:
        Command(stdout=out, stderr=err).run_from_argv(
            ["manage.py", "add_force", "--name", "Northvale", "--hostname", "north vale"]
        )

    assert exit_status.value.code == 1
    assert err.getvalue().count("\n") == 1
    assert err.getvalue().startswith("CommandError: 'north vale' is not a host name")
    assert "Traceback" not in err.getvalue() + out.getvalue()
    assert counts() == before


# --- A force's editors stay in their own force ----------------------------------------


def admin_get(user, name, *args, **params):
    return as_user(user).get(reverse(name, args=args), params)


def refused(response):
    """Wagtail's refusal: 403, or a redirect to the dashboard with its "Sorry" message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


def chooser_titles(response):
    assert response.status_code == 200, response.status_code
    html = response.json().get("html") if "json" in response["Content-Type"] else response.content
    return {text_of(link) for link in parse(html).select("a.choose-page")}


def test_a_force_editor_explores_only_their_own_forces_pages(force, page, site_tree):
    editor = member(force, "editors")

    elsewhere = admin_get(editor, "wagtailadmin_explore", site_tree.home.pk)
    own = admin_get(editor, "wagtailadmin_explore", force.home.pk)

    assert elsewhere.status_code == 302
    assert elsewhere["Location"] == reverse("wagtailadmin_explore", args=[force.home.pk])
    assert LOCAL_PAGE_TITLE in text_of(parse(own))
    root = as_user(editor).get(reverse("wagtailadmin_explore_root"), follow=True)
    assert site_tree.guidance.title not in text_of(parse(root))


def test_a_force_editor_cannot_edit_preview_or_view_another_forces_page(force, site_tree):
    editor = member(force, "editors")
    other = site_tree.guidance

    for name in [
        "wagtailadmin_pages:edit",
        "wagtailadmin_pages:preview_on_edit",
        "wagtailadmin_pages:view_draft",
        "wagtailadmin_pages:history",
    ]:
        response = admin_get(editor, name, other.pk)
        assert refused(response), (name, response.status_code)
        assert "If you are under 18" not in response.content.decode()
    posted = submit_page(editor, other, REWRITE)
    assert refused(posted)
    assert not WorkflowState.objects.exists()


def test_the_page_chooser_lists_only_the_force_editors_own_pages(force, page, site_tree):
    editor = member(force, "editors")

    at_root = chooser_titles(admin_get(editor, "wagtailadmin_choose_page"))
    below_home = chooser_titles(admin_get(editor, "wagtailadmin_choose_page_child", force.home.pk))
    searched = chooser_titles(admin_get(editor, "wagtailadmin_choose_page_search", q="Southdale"))
    found_elsewhere = chooser_titles(
        admin_get(editor, "wagtailadmin_choose_page_search", q="Sexting")
    )
    other_home = admin_get(editor, "wagtailadmin_choose_page_child", site_tree.home.pk)

    assert FORCE_NAME in at_root and site_tree.home.title not in at_root
    assert LOCAL_PAGE_TITLE in below_home
    assert LOCAL_PAGE_TITLE in searched
    assert found_elsewhere == set()
    assert other_home.status_code == 404


def test_a_national_editor_edits_and_chooses_pages_of_both_forces(force, page, site_tree):
    editor = member_of("Editors")

    for each in (page, site_tree.guidance):
        assert admin_get(editor, "wagtailadmin_pages:edit", each.pk).status_code == 200
    at_root = chooser_titles(admin_get(editor, "wagtailadmin_choose_page"))
    assert {FORCE_NAME, site_tree.home.title} <= at_root
    found = chooser_titles(admin_get(editor, "wagtailadmin_choose_page_search", q="Sexting"))
    assert site_tree.guidance.title in found


def test_a_force_editors_change_goes_to_the_forces_own_reviewers(force, page):
    editor, reviewer = member(force, "editors"), member(force, "reviewers")
    national_reviewer = member_of("Safeguarding reviewers")

    response = submit_page(editor, page, REWRITE)

    assert response.status_code == 302
    state = WorkflowState.objects.for_instance(page).get()
    assert state.workflow == force.workflow
    assert state.current_task_state.task.specific.groups.get() == force.groups["reviewers"]
    assert "Awaiting your review" in text_of(parse(as_user(reviewer).get("/admin/")))
    assert page.title not in text_of(parse(as_user(national_reviewer).get("/admin/")))
    act_on_page(reviewer, page, "approve")
    assert REWRITE in anonymous_get(page.url, host=FORCE_HOST).content.decode()
    assert LOCAL_PAGE_TEXT not in anonymous_get(page.url, host=FORCE_HOST).content.decode()


def test_the_admin_still_adds_no_second_home_page(force):
    root = Page.get_first_root_node()

    assert HomePage.objects.count() == 2
    assert not HomePage.can_create_at(root)
