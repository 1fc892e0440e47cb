"""A second force on the same install: its own Site, home page, quick exit and help numbers.

`add_force` makes a `HomePage` (with an "Online safety" topic at the same
path as the site tree's and the demo's, so both forces have `/` and
`/online-safety/`), a Site for it with its own host name, and its own
safety settings: a quick-exit destination and help contacts of its own.
It uses the models only, so the same code runs inside a test and, through
`manage.py shell` (`ADD_FORCE`), in a production-style app server's database.
"""

from dataclasses import dataclass

from wagtail.models import Page, Site

from guidance.models import HomePage, SafetySettings, SignpostingContact, SiteHelpContact, TopicPage

FIRST_HOST = "localhost"  # the site tree's and the demo's default Site
SECOND_HOST = "southdale.localhost"
UNKNOWN_HOST = "elsewhere.localhost"  # allowed, but no site has it
FIRST_NEUTRAL_URL = "https://weather.example/first-force"
SECOND_NEUTRAL_URL = "https://weather.example/southdale"
SECOND_TITLE = "Southdale Police: keeping children safe"
SECOND_TOPIC = "Southdale online safety"
# Southdale's own help number, shown nowhere on the first force's pages.
SECOND_HELPLINE = {
    "name": "Southdale victim care",
    "helps_with": "Support from Southdale Police's victim care team.",
    "phone": "0300 123 4567",
    "phone_hours": "Monday to Friday, 8am to 8pm",
}
SECOND_HELPLINE_HREF = "tel:03001234567"


@dataclass
class Force:
    site: Site
    home: HomePage
    topic: TopicPage


def _published(page, parent):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _contact(**fields):
    contact = SignpostingContact(live=False, **fields)
    contact.full_clean()
    contact.save()
    contact.save_revision().publish()
    return contact


def add_force(hostname=SECOND_HOST, title=SECOND_TITLE, neutral_url=SECOND_NEUTRAL_URL):
    """A second Site beside the default one, with its own home page and safety settings.

    Its help contacts are its own 999 and `SECOND_HELPLINE`, in every place.
    """
    root = Page.get_first_root_node()
    home = _published(HomePage(title=title, slug=hostname.split(".")[0]), root)
    topic = _published(
        TopicPage(title=SECOND_TOPIC, slug="online-safety", summary="Southdale's advice."), home
    )
    site = Site.objects.create(hostname=hostname, port=80, site_name=title, root_page=home)
    emergency = _contact(
        name="Southdale emergency",
        helps_with="If someone is in danger now.",
        phone="999",
        is_emergency=True,
    )
    helpline = _contact(**SECOND_HELPLINE)
    safety = SafetySettings.for_site(site)
    safety.neutral_exit_url = neutral_url
    safety.help_contacts = [
        SiteHelpContact(
            sort_order=order,
            contact=contact,
            in_emergency_box=contact.is_emergency,
            in_footer=True,
            in_help_box=True,
            with_feedback=True,
        )
        for order, contact in enumerate([emergency, helpline])
    ]
    safety.save()
    return Force(site, home, topic)


def set_neutral_url(site, url):
    safety = SafetySettings.for_site(site)
    safety.neutral_exit_url = url
    safety.save()


# For `manage.py shell -c` against the demo database: the default site's
# quick exit goes to FIRST_NEUTRAL_URL, and Southdale is added.
ADD_FORCE = (
    "from wagtail.models import Site; from tests.support import forces; "
    "forces.set_neutral_url(Site.objects.get(is_default_site=True), forces.FIRST_NEUTRAL_URL); "
    "forces.add_force()"
)
