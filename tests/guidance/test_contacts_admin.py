"""The signposting contacts list in the admin reads plainly and offers only what you may do."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from tests.support.html import parse_ok, text_of
from tests.support.review import as_user
from tests.support.users import member_of

LIST = reverse("wagtailsnippets_guidance_signpostingcontact:list")


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("admin", "admin@example.org", "not-used")


def contact_rows(html):
    return {text_of(row.select_one("td a") or row): text_of(row) for row in html.select("tbody tr")}


def test_the_list_says_yes_or_no_and_live_not_true_or_false(site_tree):
    site_tree.nspcc.is_emergency = True
    site_tree.nspcc.save_revision().publish()

    html = parse_ok(as_user(member_of("Editors")).get(LIST))

    rows = contact_rows(html)
    assert "Yes" in rows["NSPCC helpline"].split()
    assert "No" in rows["Stop It Now"].split()
    assert "live" in rows["Stop It Now"].lower()
    table = text_of(html.select_one("table"))
    assert "True" not in table.split() and "False" not in table.split()


def test_editors_are_not_offered_a_bulk_delete_they_may_not_do(site_tree):
    html = parse_ok(as_user(member_of("Editors")).get(LIST))

    assert html.select('[aria-label="Delete selected snippets"]') == []
    assert html.select("input[data-bulk-action-checkbox]") == []


def test_those_who_may_delete_keep_bulk_delete(site_tree, superuser):
    html = parse_ok(as_user(superuser).get(LIST))

    assert html.select('[aria-label="Delete selected snippets"]')
    assert html.select("input[data-bulk-action-checkbox]")
