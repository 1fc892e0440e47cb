"""The help numbers shown across the site come from contacts edited once, even during an outage.

Editors choose signposting contacts under Settings → Safety settings and tick
where each appears (footer, the "Need to talk to someone?" box, the feedback
form, the home page's emergency box). Publishing a contact changes it in
every one of those places. When the database cannot be read, the error pages
show the last known copy, else built-in defaults equal to the demo content.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from guidance import help_contacts
from guidance.demo_content import CONTACTS
from guidance.help_contacts import DEFAULT_HELP_CONTACTS
from guidance.models import SafetySettings, SignpostingContact
from tests.support.html import parse, parse_ok, text_of

SEED_PAGE = "/online-safety/sexting/"
NSPCC = "NSPCC helpline"
SETTINGS_URL = "/admin/settings/guidance/safetysettings/"

# A UK phone number as a visitor would dial it: 999, 101, 111, 116 123,
# 0800 1111, 0808 800 5000, +44 20 7946 0000, with spaces or hyphens.
PHONE_NUMBER = re.compile(
    r"(?<![\w.#/-])(?:999|112|101|111|116[ -]?\d{3}|0\d{3}[ -]?\d{4}|"
    r"0\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}|\+44[ \d]{9,13})(?![\w%])"
)


@pytest.fixture
def demo(db):
    call_command("load_demo_content", verbosity=0)
    cache.clear()


def publish_contact(admin_client, contact, **changes):
    data = {
        "name": contact.name,
        "helps_with": contact.helps_with,
        "phone": contact.phone,
        "phone_hours": contact.phone_hours,
        "website": contact.website,
        "online_report_url": contact.online_report_url,
        "action-publish": "action-publish",
        **changes,
    }
    url = reverse("wagtailsnippets_guidance_signpostingcontact:edit", args=[contact.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors


def footer(soup):
    return soup.select_one(".site-footer")


def feedback_notice(soup):
    return soup.select_one(".feedback .notice")


def test_no_template_has_a_phone_number_typed_into_it():
    templates = Path(django_settings.BASE_DIR) / "templates"
    found = {
        f"{path.relative_to(templates)}: {match.group()}"
        for path in templates.rglob("*.html")
        for match in PHONE_NUMBER.finditer(path.read_text())
    }

    assert PHONE_NUMBER.search("call 0808 800 5000 or 999")  # the pattern finds numbers
    assert found == set()


def test_the_built_in_defaults_are_the_demo_contents_help_contacts(demo):
    assert help_contacts._read_from_database() == DEFAULT_HELP_CONTACTS
    demo_contacts = {spec["name"]: spec for spec in CONTACTS}
    for contact in DEFAULT_HELP_CONTACTS:
        assert contact.phone == demo_contacts[contact.name].get("phone", "")


def test_every_place_shows_the_contacts_chosen_for_it(client, demo):
    home = parse_ok(client.get("/"))
    seed = parse_ok(client.get(SEED_PAGE))
    not_found = parse(client.get("/no-such-page/"))

    assert [a["href"] for a in home.select(".emergency-box__number")] == ["tel:999"]
    assert [a["href"] for a in footer(seed).select("a[href^='tel:']")] == [
        "tel:999",
        "tel:101",
        "tel:08088005000",
    ]
    assert [a["href"] for a in not_found.select(".help-numbers a")] == [
        "tel:999",
        "tel:101",
        "tel:08088005000",
        "tel:08001111",
    ]
    notice = feedback_notice(seed)
    assert "CEOP (Child Exploitation and Online Protection): report online" in text_of(notice)
    assert notice.find("a", href="https://www.ceop.police.uk/Safety-Centre/") is not None


def test_publishing_the_nspcc_number_changes_it_on_every_page_footer_and_notice(
    client, admin_client, demo
):
    nspcc = SignpostingContact.objects.get(name=NSPCC)
    for path in ("/", SEED_PAGE, "/online-safety/"):
        client.get(path)  # in the page cache

    publish_contact(admin_client, nspcc, phone="0808 800 5999")

    for path in ("/", SEED_PAGE, "/online-safety/", "/online-safety/online-grooming/"):
        response = client.get(path)
        html = response.content.decode()
        assert "0808 800 5000" not in html, path
        assert "tel:08088005000" not in html, path
        assert footer(parse_ok(response)).find("a", href="tel:08088005999"), path
    notice = feedback_notice(parse_ok(client.get(SEED_PAGE)))
    assert notice.find("a", href="tel:08088005999") is not None
    not_found = client.get("/no-such-page/")
    assert "0808 800 5999" in not_found.content.decode()


def test_a_draft_of_a_help_contact_changes_nothing_visitors_see(client, admin_client, demo):
    nspcc = SignpostingContact.objects.get(name=NSPCC)
    url = reverse("wagtailsnippets_guidance_signpostingcontact:edit", args=[nspcc.pk])
    admin_client.post(
        url,
        {
            "name": nspcc.name,
            "helps_with": nspcc.helps_with,
            "phone": "0808 800 5999",
            "website": nspcc.website,
        },
    )

    html = client.get(SEED_PAGE).content.decode()

    assert "0808 800 5999" not in html
    assert "tel:08088005000" in html


def test_unpublishing_a_help_contact_takes_it_out_of_every_place(client, admin_client, demo):
    nspcc = SignpostingContact.objects.get(name=NSPCC)
    client.get(SEED_PAGE)

    url = reverse("wagtailsnippets_guidance_signpostingcontact:unpublish", args=[nspcc.pk])
    assert admin_client.post(url).status_code == 302

    seed = parse_ok(client.get(SEED_PAGE))
    assert footer(seed).find("a", href="tel:08088005000") is None
    assert footer(seed).find("a", href="tel:999") is not None


def test_editors_reorder_the_help_contacts_and_choose_where_each_appears(
    client, admin_client, demo
):
    safety = SafetySettings.objects.get()
    by_name = {row.contact.name: row for row in safety.help_contacts.select_related("contact")}
    order = ["NSPCC helpline", "Police emergency", "Police non-emergency", "Childline"]
    rows = []
    for name in order:
        row = by_name[name]
        rows.append(
            {
                "id": str(row.pk),
                "contact": str(row.contact_id),
                "in_emergency_box": "on" if row.in_emergency_box else "",
                "in_footer": "on" if name != "Police non-emergency" else "",
                "in_help_box": "on",
                "with_feedback": "on",
            }
        )
    ceop = by_name["CEOP (Child Exploitation and Online Protection)"]
    rows.append({"id": str(ceop.pk), "contact": str(ceop.contact_id), "DELETE": "on"})
    data = nested_form_data(
        {
            "neutral_exit_url": safety.neutral_exit_url,
            "emergency_heading": safety.emergency_heading,
            "emergency_text": safety.emergency_text,
            "help_contacts": inline_formset(rows, initial=len(rows)),
        }
    )
    response = admin_client.post(f"{SETTINGS_URL}{safety.site_id}/", data)
    assert response.status_code == 302

    seed = parse_ok(client.get(SEED_PAGE))

    assert [a["href"] for a in footer(seed).select("a")] == [
        "tel:08088005000",
        "tel:999",
        "tel:08001111",
    ]
    assert "CEOP" not in text_of(feedback_notice(seed))


def test_the_help_contacts_are_in_the_safety_settings_screen(admin_client, demo):
    response = admin_client.get(f"{SETTINGS_URL}{SafetySettings.objects.get().site_id}/")

    soup = parse_ok(response)
    assert "Help contacts shown across the site" in text_of(soup)
    assert "Footer of every page" in text_of(soup)


@pytest.mark.urls("tests.support.failing_urls")
def test_with_the_database_gone_the_503_page_shows_the_last_known_numbers(admin_client, demo):
    nspcc = SignpostingContact.objects.get(name=NSPCC)
    publish_contact(admin_client, nspcc, phone="0808 800 5999")
    Client().get("/")  # the numbers are read, and known from now on
    cache.clear()  # and the shared cache is gone too

    response = Client(raise_request_exception=False).get("/database-gone/")

    assert response.status_code == 503
    soup = parse(response)
    assert soup.select_one(".help-numbers").find("a", href="tel:08088005999") is not None
    assert footer(soup).find("a", href="tel:999") is not None


@pytest.mark.urls("tests.support.failing_urls")
def test_with_nothing_ever_known_the_503_page_shows_the_built_in_numbers(db):
    response = Client(raise_request_exception=False).get("/database-gone/")

    soup = parse(response)
    assert [a["href"] for a in soup.select(".help-numbers a[href^='tel:']")] == [
        "tel:999",
        "tel:101",
        "tel:08088005000",
        "tel:08001111",
    ]
