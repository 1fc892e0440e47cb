"""The small site tree every public-page test browses, built with the guidance factories.

`build_site_tree` makes a `HomePage` the root of the default Site (replacing
Wagtail's welcome page), with one topic, two guidance pages and the contacts
they show. It works under both `db` and `transactional_db`: after a
transactional test Django flushes every table, including the locale, root
page and site that Wagtail's migrations created, so they are made again
here when missing. tests/conftest.py serves it as the `site_tree` fixture.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_supported_language_variant
from wagtail.models import Locale, Page, Site

from guidance.models import GuidancePage, HomePage, SignpostingContact, TopicPage
from tests.guidance.factories import (
    GuidancePageFactory,
    HomePageFactory,
    SignpostingContactFactory,
    TopicPageFactory,
    contacts_block,
    paragraph,
    section,
)


@dataclass
class SiteTree:
    site: Site
    home: HomePage
    topic: TopicPage
    guidance: GuidancePage
    other_guidance: GuidancePage
    nspcc: SignpostingContact
    stop_it_now: SignpostingContact


def tree_root():
    """Wagtail's root page (depth 1), made again if a flush removed it."""
    root = Page.get_first_root_node()
    if root is None:
        Locale.objects.get_or_create(
            language_code=get_supported_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    return root


def make_home_site(**home_kwargs):
    """A HomePage as the root of the only (default) Site."""
    root = tree_root()
    Site.objects.all().delete()
    for page in root.get_children():
        page.delete()
    home = HomePageFactory(parent=root, **home_kwargs)
    site = Site.objects.create(
        hostname="localhost",
        port=80,
        site_name="Safeguarding guidance",
        root_page=home,
        is_default_site=True,
    )
    return site, home


# The two contacts the guidance pages show, as the factories take them.
NSPCC = {
    "name": "NSPCC helpline",
    "helps_with": "Advice if you are worried about a child.",
    "phone": "0808 800 5000",
    "phone_hours": "24 hours a day",
    "website": "https://www.nspcc.org.uk/",
}
STOP_IT_NOW = {
    "name": "Stop It Now",
    "helps_with": "Confidential advice if you are worried about how someone treats children.",
    "phone": "0808 1000 900",
    "phone_hours": "Monday to Thursday, 9am to 9pm",
    "website": "https://www.stopitnow.org.uk/",
}
# The "Sexting" page's sections before its contacts: (heading, paragraph HTML).
SEXTING_SECTIONS = [
    ("Know the law", "<p>If you are under 18, sharing a sexual image is against the law.</p>"),
    ("Police action", "<p>A police officer will establish the facts.</p>"),
]


def build_site_tree():
    """Home → "Online safety" → "Sexting" (both contacts) and "Grooming" (the NSPCC only)."""
    site, home = make_home_site()
    topic = TopicPageFactory(
        parent=home,
        title="Online safety",
        summary="Sexting, grooming and staying safe online.",
    )
    nspcc = SignpostingContactFactory(**NSPCC)
    stop_it_now = SignpostingContactFactory(**STOP_IT_NOW)
    sections = [
        block for heading, html in SEXTING_SECTIONS for block in (section(heading), paragraph(html))
    ]
    guidance = GuidancePageFactory(
        parent=topic,
        title="Sexting",
        summary="What the law says about sharing sexual images, and where to get help.",
        body=[*sections, section("Guidance and support"), contacts_block([nspcc, stop_it_now])],
    )
    other_guidance = GuidancePageFactory(
        parent=topic,
        title="Grooming",
        summary="How groomers build trust online, and the signs to look for.",
        body=[
            section("Signs to look for"),
            paragraph("<p>A new friend who asks them to keep secrets.</p>"),
            contacts_block([nspcc]),
        ],
    )
    return SiteTree(site, home, topic, guidance, other_guidance, nspcc, stop_it_now)
