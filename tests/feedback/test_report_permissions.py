"""Who may read and download feedback in the admin, and who may not.

Users are put in the real groups the migrations create: Wagtail's
"Editors" and "Moderators", and our "Feedback analysts".
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from feedback.audit import EXPORT_ACTION
from tests.feedback.factories import at, respond
from tests.support.users import member_of

REPORT = "/admin/reports/feedback/"
SUMMARY = "/admin/reports/feedback-summary/"
SECRET = "He said he would hurt me"

PROTECTED_URLS = [
    REPORT,
    REPORT + "results/",
    SUMMARY,
    SUMMARY + "results/",
    REPORT + "?export=csv",
    REPORT + "?export=xlsx",
]


@pytest.fixture
def secret_response(site_tree):
    return respond(site_tree.guidance, at=at(7, 1, hour=9, minute=30), useful=False, comment=SECRET)


def test_the_analysts_group_can_read_and_export_feedback_and_search_counts_and_nothing_else(db):
    analysts = Group.objects.get(name="Feedback analysts")

    assert sorted(
        f"{p.content_type.app_label}.{p.codename}" for p in analysts.permissions.all()
    ) == [
        "feedback.export_feedbackresponse",
        "feedback.view_feedbackresponse",
        "guidance.view_noresultssearch",  # Reports → Searches with no results
        "wagtailadmin.access_admin",
        "wagtailsearchpromotions.view_query",  # Reports → Search terms
    ]
    assert not analysts.page_permissions.exists()
    assert not analysts.collection_permissions.exists()


def test_moderators_may_view_but_not_export_and_editors_neither(db):
    moderator = member_of("Moderators")
    editor = member_of("Editors")

    assert moderator.has_perm("feedback.view_feedbackresponse")
    assert not moderator.has_perm("feedback.export_feedbackresponse")
    assert not editor.has_perm("feedback.view_feedbackresponse")
    assert not editor.has_perm("feedback.export_feedbackresponse")


@pytest.mark.parametrize("url", PROTECTED_URLS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, secret_response, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    assert SECRET.encode() not in response.content


@pytest.mark.parametrize("url", PROTECTED_URLS)
def test_editors_are_refused_the_reports_and_downloads(client, secret_response, url):
    client.force_login(member_of("Editors"))

    response = client.get(url)

    assert response.status_code in (302, 403)
    assert not getattr(response, "streaming", False)
    assert SECRET.encode() not in response.content
    followed = client.get(url, follow=True)
    assert SECRET not in followed.content.decode()
    assert "do not have permission" in followed.content.decode()


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_moderators_see_the_report_but_cannot_download_it(client, secret_response, export_format):
    client.force_login(member_of("Moderators"))

    report = client.get(REPORT)
    assert report.status_code == 200
    assert SECRET in report.content.decode()
    assert "Download CSV" not in report.content.decode()

    download = client.get(f"{REPORT}?export={export_format}")
    assert download.status_code in (302, 403)
    assert not getattr(download, "streaming", False)
    assert SECRET.encode() not in download.content


def test_a_refused_download_leaves_no_audit_entry(client, secret_response):
    from wagtail.models import ModelLogEntry

    client.force_login(member_of("Moderators"))
    client.get(f"{REPORT}?export=csv")

    assert not ModelLogEntry.objects.filter(action=EXPORT_ACTION).exists()


def test_analysts_see_the_reports_menu_and_download_buttons(client, secret_response):
    client.force_login(member_of("Feedback analysts"))

    report = client.get(REPORT)

    assert report.status_code == 200
    html = report.content.decode()
    assert "Download CSV" in html and "Download XLSX" in html
    assert reverse("feedback_reports:responses") in html  # Reports → Page feedback
    assert reverse("feedback_reports:by_page") in html


def test_editors_do_not_get_the_report_menu_items(client, site_tree):
    client.force_login(member_of("Editors"))

    html = client.get("/admin/").content.decode()

    assert reverse("feedback_reports:responses") not in html
    assert reverse("feedback_reports:by_page") not in html


def test_an_analyst_cannot_edit_pages_or_snippets(client, site_tree):
    client.force_login(member_of("Feedback analysts"))
    page = site_tree.guidance

    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert edit.status_code in (302, 403)
    post = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]), {"title": "Changed by an analyst"}
    )
    assert post.status_code in (302, 403)
    page.refresh_from_db()
    assert page.title == "Sexting"

    reasons = client.get(reverse("wagtailsnippets_feedback_visitreason:list"))
    assert reasons.status_code in (302, 403)
    explorer = client.get(reverse("wagtailadmin_explore_root"))
    assert explorer.status_code in (302, 403)
