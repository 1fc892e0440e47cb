"""Safeguarding content checks: a warning after saving, and the same rules in Wagtail's checker.

Each rule fires on a page built to trip it, posted through the page editor
as an editor posts it; the warning appears and the page is still saved or
published. Every rule stays silent on the demo pages. The axe configuration
that the editor's Checks panel and the user bar run carries the same
patterns. (The browser side is tests/browser/test_content_checks_browser.py.)
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse

from guidance import content_checks
from guidance.content_checks import (
    NO_SIGNPOSTING_CONTACT,
    UNLINKED_PHONE_NUMBER,
    VAGUE_LINK_TEXT,
    check_page,
    is_vague_link_text,
    phone_numbers_in,
)
from guidance.models import GuidancePage
from tests.guidance.factories import SignpostingContactFactory
from tests.support.admin_forms import guidance_form_data, list_block, paragraph_text, short_text
from tests.support.checks import DEMO_SLUGS, DEMO_TRIPS
from tests.support.html import parse, text_of

WARNING_START = "was saved, but check it before visitors rely on it"


# The rules' data ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Call the NSPCC on 0808 800 5000.", ["0808 800 5000"]),
        ("Childline: 0800 1111", ["0800 1111"]),
        ("In danger now? Call 999.", ["999"]),
        ("Call 101, or 999 in an emergency", ["101", "999"]),
        ("Samaritans on 116 123, free", ["116 123"]),
        ("From abroad: +44 20 7946 0000", ["+44 20 7946 0000"]),
        ("Office (020) 7946 0000", ["(020) 7946 0000"]),
        ("Written with no-break spaces: 0808\u00a0800\u00a05000", ["0808\u00a0800\u00a05000"]),
        ("Mobile 07700-900123", ["07700-900123"]),
    ],
)
def test_phone_numbers_are_recognised(text, numbers):
    assert phone_numbers_in(text) == numbers


@pytest.mark.parametrize(
    "text",
    [
        "Recorded as Outcome 21",
        "If you are under 18",
        "The Sexual Offences Act 2003",
        "It happened in 1999",
        "It cost £999",
        "At 10:01 on 01/02/2026",
        "9,999 people, or 999,000",
        "The 101st time",
        "Open 9am to 5pm, 24 hours at weekends",
    ],
)
def test_other_numbers_are_not_phone_numbers(text):
    assert phone_numbers_in(text) == []


@pytest.mark.parametrize(
    "text", ["click here", "Click Here", "  here ", "Read more…", "more", "this page", "Link."]
)
def test_vague_link_text_is_recognised_whatever_its_case_spaces_or_punctuation(text):
    assert is_vague_link_text(text)


@pytest.mark.parametrize(
    "text", ["NSPCC advice on sexting", "Read more about Outcome 21", "Report to CEOP", ""]
)
def test_descriptive_link_text_passes(text):
    assert not is_vague_link_text(text)


# Warnings after saving in the page editor --------------------------------------------------


@pytest.fixture
def editor(client, site_tree):
    user = get_user_model().objects.create_superuser("comms", "comms@example.org", "unused")
    client.force_login(user)
    return user


def contacts(*contacts):
    return (
        "signposting_contacts",
        {
            "heading": "Get help and support",
            "intro": short_text(""),
            "contacts": list_block([str(contact.pk) for contact in contacts]),
        },
    )


def text_block(html):
    return ("paragraph", paragraph_text(html))


def edit(client, page, body, publish=True):
    """Post the page editor's form for `page` with `body`; the response after the redirect."""
    data = guidance_form_data(page.title, body, slug=page.slug, summary=page.summary)
    if publish:
        data["action-publish"] = "action-publish"
    response = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)
    assert response.status_code == 302, "the save or publish must go through"
    return client.get(response["Location"])


def warnings(response):
    return [
        text_of(message.message)
        for message in response.context["messages"]
        if message.level_tag == "warning"
    ]


@pytest.mark.parametrize("publish", [True, False], ids=["publish", "save draft"])
@pytest.mark.parametrize(
    ("rule", "body", "found"),
    [
        pytest.param(
            UNLINKED_PHONE_NUMBER,
            lambda tree: [
                text_block("Worried about a child? Call the NSPCC on 0808 800 5000."),
                contacts(tree.nspcc),
            ],
            "“0808 800 5000” in the Text block “Worried about a child? Call the NSPCC",
            id="phone number",
        ),
        pytest.param(
            UNLINKED_PHONE_NUMBER,
            lambda tree: [
                (
                    "warning",
                    {"heading": "In danger?", "text": paragraph_text("Call 999 now.")},
                ),
                contacts(tree.nspcc),
            ],
            "“999” in the Warning block “Call 999 now.”",
            id="999 in a call-out",
        ),
        pytest.param(
            NO_SIGNPOSTING_CONTACT,
            lambda tree: [text_block("Stay calm and listen.")],
            "No help contacts on this page",
            id="no contacts",
        ),
        pytest.param(
            VAGUE_LINK_TEXT,
            lambda tree: [
                text_block('For advice, <a href="https://www.nspcc.org.uk/">click here</a>.'),
                contacts(tree.nspcc),
            ],
            "the link “click here” in the Text block “For advice, click here.”",
            id="vague link",
        ),
    ],
)
def test_each_rule_warns_after_saving_and_the_page_is_still_saved(
    client, site_tree, editor, rule, body, found, publish
):
    page = site_tree.other_guidance

    response = edit(client, page, body(site_tree), publish=publish)

    [warning] = warnings(response)
    assert warning.startswith(f"“{page.title}” {WARNING_START}")
    assert rule.title in warning
    assert found in warning
    assert rule.help in warning
    for other in {UNLINKED_PHONE_NUMBER, NO_SIGNPOSTING_CONTACT, VAGUE_LINK_TEXT} - {rule}:
        assert other.title not in warning
    page.refresh_from_db()
    assert page.live
    saved = page.get_latest_revision_as_object() if not publish else page
    assert [block.block_type for block in saved.body] == [name for name, _ in body(site_tree)]
    if publish:
        assert page.has_unpublished_changes is False


def test_a_warning_lists_every_rule_that_fires(client, site_tree, editor):
    response = edit(
        client,
        site_tree.other_guidance,
        [text_block('Call 0800 1111 or <a href="https://www.childline.org.uk/">read more</a>.')],
    )

    [warning] = warnings(response)
    for rule in (UNLINKED_PHONE_NUMBER, NO_SIGNPOSTING_CONTACT, VAGUE_LINK_TEXT):
        assert rule.title in warning


def test_creating_a_page_warns_too(client, site_tree, editor):
    data = guidance_form_data("No help here", [text_block("Stay calm and listen.")])
    data["action-publish"] = "action-publish"
    url = reverse("wagtailadmin_pages:add", args=["guidance", "guidancepage", site_tree.topic.pk])

    response = client.post(url, data, follow=True)

    [warning] = warnings(response)
    assert NO_SIGNPOSTING_CONTACT.title in warning
    assert GuidancePage.objects.get(slug="no-help-here").live


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            lambda tree: [
                text_block('Call the NSPCC on <a href="tel:08088005000">0808 800 5000</a>.'),
                contacts(tree.nspcc),
            ],
            id="number in a phone link",
        ),
        pytest.param(
            lambda tree: [
                text_block('<a href="https://www.nspcc.org.uk/">NSPCC advice on sexting</a>'),
                contacts(tree.nspcc),
            ],
            id="descriptive link",
        ),
        pytest.param(
            lambda tree: [
                text_block("It has been against the law since 2003 for anyone under 18."),
                contacts(tree.nspcc),
            ],
            id="numbers that are not phone numbers",
        ),
    ],
)
def test_no_warning_for_content_that_follows_the_rules(client, site_tree, editor, body):
    response = edit(client, site_tree.other_guidance, body(site_tree))

    assert warnings(response) == []
    assert any(message.level_tag == "success" for message in response.context["messages"])


def test_a_contacts_block_with_only_unpublished_contacts_shows_no_help(client, site_tree, editor):
    draft_contact = SignpostingContactFactory(name="Not yet checked", live=False)

    response = edit(client, site_tree.other_guidance, [contacts(draft_contact)])

    [warning] = warnings(response)
    assert NO_SIGNPOSTING_CONTACT.title in warning


def test_autosave_gets_no_warning(client, site_tree, editor):
    """Autosave posts for JSON: a warning would wait for the next page the editor opens."""
    page = site_tree.other_guidance
    data = guidance_form_data(
        page.title, [text_block("Call 999.")], slug=page.slug, summary=page.summary
    )

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]), data, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 200
    assert json.loads(response.content)["success"] is True
    assert list(get_messages(response.wsgi_request)) == []


def test_the_warning_is_shown_to_the_editor_on_the_next_page(client, site_tree, editor):
    response = edit(client, site_tree.other_guidance, [text_block("Call 999.")])

    soup = parse(response)
    [message] = [item for item in soup.select(".messages li") if WARNING_START in text_of(item)]
    assert "warning" in message["class"]
    assert text_of(message.find("strong")) == "Phone number not linked"
    assert "“999” in the Text block “Call 999.”." in text_of(message)


# The demo pages ---------------------------------------------------------------------------

RULE_IDS = [rule.id for rule in content_checks.OUR_RULES]


def demo_cases():
    for slug in DEMO_SLUGS:
        for rule_id in RULE_IDS:
            trip = DEMO_TRIPS.get((slug, rule_id))
            marks = [pytest.mark.xfail(strict=True, reason=f"demo content: {trip}")] if trip else []
            yield pytest.param(slug, rule_id, marks=marks, id=f"{slug}-{rule_id}")


_demo_findings = {}


@pytest.fixture
def demo_findings(db):
    """{slug: findings} for the demo guidance pages, worked out once for the module.

    Loaded into an otherwise empty database (this module does not share the
    site tree), so what is checked is exactly what `load_demo_content` makes.
    """
    if not _demo_findings:
        call_command("load_demo_content", verbosity=0)
        pages = GuidancePage.objects.filter(slug__in=DEMO_SLUGS)
        _demo_findings.update({page.slug: check_page(page) for page in pages})
    return _demo_findings


@pytest.mark.parametrize(("slug", "rule_id"), list(demo_cases()))
def test_each_rule_is_silent_on_every_demo_page(demo_findings, slug, rule_id):
    assert slug in demo_findings
    found = [finding.where for finding in demo_findings[slug] if finding.rule.id == rule_id]
    assert found == []


# The axe configuration the Checks panel and the user bar run -----------------------------


def axe_configuration(response):
    """The checker's configuration in a page: the user bar's is inside a <template>."""
    html = response.content.decode()
    match = re.search(
        r'<script id="checker-axe-configuration" type="application/json">(.*?)</script>',
        html,
        re.DOTALL,
    )
    assert match, "no content checker configuration on the page"
    return json.loads(match.group(1))


def assert_runs_our_rules(configuration):
    run_only = configuration["options"]["runOnly"]
    assert "heading-order" in run_only, "Wagtail's heading-order rule must stay on"
    assert configuration["options"]["rules"]["heading-order"] == {"enabled": True}
    for rule in content_checks.OUR_RULES:
        assert rule.id in run_only
        assert configuration["messages"][rule.id] == {
            "error_name": rule.title,
            "help_text": rule.help,
        }
    assert configuration["messages"]["heading-order"]["error_name"] == "Heading levels skipped"
    # Wagtail's own rules are kept, and heading-order is not defined twice.
    assert "alt-text-quality" in run_only
    rule_ids = [rule["id"] for rule in configuration["spec"]["rules"]]
    assert "heading-order" not in rule_ids
    assert len(rule_ids) == len(set(rule_ids))
    checks = {check["id"]: check for check in configuration["spec"]["checks"]}
    assert checks[content_checks.PHONE_NUMBER_CHECK]["options"] == {
        "pattern": content_checks.PHONE_NUMBER_PATTERN
    }
    assert checks[content_checks.LINK_TEXT_CHECK]["options"] == {
        "pattern": content_checks.VAGUE_LINK_TEXT_PATTERN
    }
    # No function written as text: axe would need eval, which the CSP forbids.
    for check in checks.values():
        assert not str(check.get("evaluate", "")).lstrip().startswith("function")


def test_the_editors_checks_panel_runs_our_rules(client, site_tree, editor):
    response = client.get(reverse("wagtailadmin_pages:edit", args=[site_tree.guidance.pk]))

    assert_runs_our_rules(axe_configuration(response))


def test_the_user_bar_on_the_live_page_runs_our_rules_with_their_script(client, site_tree, editor):
    response = client.get(site_tree.guidance.url)

    assert_runs_our_rules(axe_configuration(response))
    scripts = [script.get("src", "") for script in parse(response).find_all("script")]
    userbar = next(i for i, src in enumerate(scripts) if "wagtailadmin/js/userbar.js" in src)
    ours = scripts.index(f"{settings.STATIC_URL}js/content_checks.js")
    assert ours > userbar, "our checks must be registered after Wagtail's user bar is defined"


def test_visitors_get_no_checker_and_no_script(client, site_tree):
    response = client.get(site_tree.guidance.url)

    assert b"checker-axe-configuration" not in response.content
    assert b"content_checks.js" not in response.content


def test_the_script_registers_every_check_the_configuration_names_without_code():
    script = (Path(settings.BASE_DIR) / "static/js/content_checks.js").read_text()
    for check in content_checks.axe_custom_checks():
        if "evaluate" in check:  # one of axe's own checks, named by its id
            assert check["evaluate"] == "has-descendant-evaluate"
        else:
            assert f'registerCheck("{check["id"]}"' in script
