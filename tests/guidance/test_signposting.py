"""Signposting contacts are edited once, in the Wagtail admin, and shown everywhere.

Both guidance pages in `site_tree` show the NSPCC helpline; "Sexting" also
shows Stop It Now. Every change goes through the
snippet admin views an editor uses.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from guidance.models import SignpostingContact
from tests.guidance.factories import GuidancePageFactory, SignpostingContactFactory
from tests.support.html import parse, parse_ok, text_of

# Every test here that uses the site tree may share one: build it once (tests/conftest.py).
SHARE_SITE_TREE = True

NEW_NUMBER = "0808 800 5001"


def admin_url(name, contact=None):
    args = [contact.pk] if contact is not None else []
    return reverse(f"wagtailsnippets_guidance_signpostingcontact:{name}", args=args)


def edit_form_data(contact, **changes):
    """What the snippet edit form posts for `contact`, with `changes` applied."""
    data = {
        "name": contact.name,
        "helps_with": contact.helps_with,
        "phone": contact.phone,
        "phone_hours": contact.phone_hours,
        "text_number": contact.text_number,
        "website": contact.website,
        "email": contact.email,
        "online_report_url": contact.online_report_url,
    }
    if contact.is_emergency:
        data["is_emergency"] = "on"
    data.update(changes)
    return data


@pytest.fixture
def both_pages(client, site_tree):
    """GET both guidance pages that show the NSPCC helpline: their bodies, parsed.

    The body only: the footer and the feedback form show the site-wide help
    contacts, which have their own tests (test_help_contacts.py).
    """

    def get():
        return [
            parse_ok(client.get(page.url)).select_one(".guidance-body")
            for page in (site_tree.guidance, site_tree.other_guidance)
        ]

    return get


def test_both_pages_show_the_shared_contact_to_begin_with(site_tree, both_pages):
    for soup in both_pages():
        assert soup.find("a", href="tel:08088005000") is not None
        assert "NSPCC helpline" in text_of(soup)


def test_publishing_an_edited_contact_changes_every_page_that_uses_it(
    admin_client, client, site_tree, both_pages
):
    response = admin_client.post(
        admin_url("edit", site_tree.nspcc),
        {**edit_form_data(site_tree.nspcc, phone=NEW_NUMBER), "action-publish": "action-publish"},
    )

    assert response.status_code == 302
    for soup in both_pages():
        link = soup.find("a", href="tel:08088005001")
        assert link is not None
        assert NEW_NUMBER in text_of(link)
        assert soup.find("a", href="tel:08088005000") is None


def test_saving_a_draft_changes_nothing_visitors_see(admin_client, site_tree, both_pages):
    response = admin_client.post(
        admin_url("edit", site_tree.nspcc), edit_form_data(site_tree.nspcc, phone=NEW_NUMBER)
    )

    assert response.status_code == 302
    # The draft was saved: the editor sees it when they come back...
    contact = SignpostingContact.objects.get(pk=site_tree.nspcc.pk)
    assert contact.has_unpublished_changes
    assert contact.get_latest_revision_as_object().phone == NEW_NUMBER
    # ...but visitors still see the published number.
    for soup in both_pages():
        assert soup.find("a", href="tel:08088005000") is not None
        assert soup.find("a", href="tel:08088005001") is None


def test_an_invalid_number_is_refused_and_pages_keep_the_old_one(
    admin_client, site_tree, both_pages
):
    response = admin_client.post(
        admin_url("edit", site_tree.nspcc),
        {
            **edit_form_data(site_tree.nspcc, phone="call us"),
            "action-publish": "action-publish",
        },
    )

    assert response.status_code == 200  # the form again, with its error
    assert "phone" in response.context["form"].errors
    for soup in both_pages():
        assert soup.find("a", href="tel:08088005000") is not None


def test_unpublishing_a_contact_removes_it_from_pages_without_error(
    admin_client, site_tree, both_pages
):
    response = admin_client.post(admin_url("unpublish", site_tree.stop_it_now))

    assert response.status_code == 302
    assert not SignpostingContact.objects.get(pk=site_tree.stop_it_now.pk).live
    sexting, grooming = both_pages()
    assert "Stop It Now" not in text_of(sexting)
    assert sexting.find("a", href="tel:08081000900") is None
    # The other contact in the same block is still there.
    assert sexting.find("a", href="tel:08088005000") is not None


def test_unpublishing_a_pages_only_contact_leaves_the_page_working(
    admin_client, site_tree, both_pages
):
    admin_client.post(admin_url("unpublish", site_tree.nspcc))

    sexting, grooming = both_pages()
    assert "NSPCC helpline" not in text_of(grooming)
    assert grooming.find("a", href="tel:08088005000") is None
    assert "A new friend who asks them to keep secrets." in text_of(grooming)


def test_republishing_a_contact_brings_it_back(admin_client, site_tree, both_pages):
    admin_client.post(admin_url("unpublish", site_tree.stop_it_now))
    admin_client.post(
        admin_url("edit", site_tree.stop_it_now),
        {**edit_form_data(site_tree.stop_it_now), "action-publish": "action-publish"},
    )

    sexting, _ = both_pages()
    assert sexting.find("a", href="tel:08081000900") is not None


def test_deleting_a_contact_removes_it_from_pages_without_error(
    admin_client, site_tree, both_pages
):
    response = admin_client.post(admin_url("delete", site_tree.stop_it_now))

    assert response.status_code == 302
    assert not SignpostingContact.objects.filter(pk=site_tree.stop_it_now.pk).exists()
    sexting, _ = both_pages()
    assert "Stop It Now" not in text_of(sexting)
    assert sexting.find("a", href="tel:08081000900") is None
    assert sexting.find("a", href="tel:08088005000") is not None


def test_a_never_published_contact_is_not_shown(client, site_tree):
    draft = SignpostingContactFactory(name="Draft helpline", phone="0800 000 111", live=False)
    page = GuidancePageFactory(parent=site_tree.topic, title="Bullying", contacts=[draft])

    soup = parse_ok(client.get(page.url))

    assert "Draft helpline" not in text_of(soup)
    assert soup.find("a", href="tel:0800000111") is None


def test_contact_listing_in_the_admin(admin_client, site_tree):
    response = admin_client.get(admin_url("list"))

    assert response.status_code == 200
    page_text = text_of(parse(response))
    assert "NSPCC helpline" in page_text
    assert "Stop It Now" in page_text


def test_contact_admin_is_for_staff_only(client, site_tree):
    response = client.get(admin_url("list"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_contact_must_give_a_way_to_reach_it(site_tree):
    contact = SignpostingContact(name="Nowhere", helps_with="Nothing at all.")

    with pytest.raises(ValidationError):
        contact.full_clean()


def test_a_second_contact_with_the_same_name_is_refused(admin_client, site_tree):
    response = admin_client.post(
        admin_url("add"),
        {**edit_form_data(site_tree.nspcc), "action-publish": "action-publish"},
    )

    assert response.status_code == 200  # the form again, with its error
    assert "name" in response.context["form"].errors
    assert SignpostingContact.objects.filter(name="NSPCC helpline").count() == 1


def test_emergency_services_are_shown_first_whatever_the_editors_order(client, site_tree):
    police = SignpostingContactFactory(name="Police emergency", phone="999", is_emergency=True)
    page = GuidancePageFactory(
        parent=site_tree.topic, title="Threats", contacts=[site_tree.nspcc, police]
    )

    names = [
        h.get_text(" ", strip=True)
        for h in parse_ok(client.get(page.url)).select(".contact-card__name")
    ]

    assert names == ["Emergency : Police emergency", "NSPCC helpline"]
