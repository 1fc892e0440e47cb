"""The help contacts shown across the site, edited once and known even while the database is down.

Editors choose them under Settings → Safety settings → "Help contacts shown
across the site": published `SignpostingContact`s, in order, each ticked for
the places it appears (`PLACES`). Templates show them with
`{% help_contacts "footer" as contacts %}` (guidance/templatetags).

They are read through a `LastKnown` (portal/last_known.py): the shared
cache, else the database unless it failed in the last 30 s, else this
process's last known copy, else `DEFAULT_HELP_CONTACTS`, so the 503 page
still shows 999 and the helplines. The defaults are also what a site that
has chosen no help contacts shows; tests keep them equal to the demo content.

Each force (Wagtail Site) has its own, kept under its own key: the site of
the request being answered (`portal.sites.current()`, so templates need no
request). A request that no force answers (a host no site has, or the
sites not known in an outage) gets `DEFAULT_HELP_CONTACTS`; code outside a
request, the default site's.

Publishing or unpublishing a contact, or saving the settings, drops every
site's shared copy once the change is committed (`changed`), so the next
page rendered on any server shows it.
"""

from dataclasses import dataclass

from django.db import transaction

from portal import sites
from portal.last_known import LastKnown

from .models import SiteHelpContact
from .models.contacts import PhoneLinks

PLACES = {
    "emergency_box": "in_emergency_box",
    "footer": "in_footer",
    "help_box": "in_help_box",
    "feedback": "with_feedback",
}


@dataclass(frozen=True)
class HelpContact(PhoneLinks):
    """What the site-wide places show of a contact: plain data, cached and pickled as is."""

    name: str
    helps_with: str
    places: frozenset
    phone: str = ""
    phone_hours: str = ""
    text_number: str = ""
    website: str = ""
    online_report_url: str = ""
    is_emergency: bool = False


# The demo content's site-wide contacts (guidance/demo_content.py), shown
# when nothing else can be: tests/guidance/test_help_contacts.py keeps them equal.
DEFAULT_HELP_CONTACTS = (
    HelpContact(
        name="Police emergency",
        helps_with=(
            "If someone is in immediate danger, or a crime is happening now. If you cannot "
            "speak, call from a mobile, listen, and press 55 when asked."
        ),
        places=frozenset({"emergency_box", "footer", "help_box", "feedback"}),
        phone="999",
        phone_hours="24 hours a day",
        is_emergency=True,
    ),
    HelpContact(
        name="Police non-emergency",
        helps_with="To report a crime that is not an emergency, or to ask the police for advice.",
        places=frozenset({"footer", "help_box", "feedback"}),
        phone="101",
        phone_hours="24 hours a day",
    ),
    HelpContact(
        name="NSPCC helpline",
        helps_with=(
            "Advice from a trained counsellor if you are worried about a child, "
            "or want to know more about keeping children safe."
        ),
        places=frozenset({"footer", "help_box", "feedback"}),
        phone="0808 800 5000",
        phone_hours="24 hours a day",
        website="https://www.nspcc.org.uk/",
    ),
    HelpContact(
        name="Childline",
        helps_with="Free, private support for children and young people with any worry.",
        places=frozenset({"help_box", "feedback"}),
        phone="0800 1111",
        phone_hours="24 hours a day",
        website="https://www.childline.org.uk/",
    ),
    HelpContact(
        name="CEOP (Child Exploitation and Online Protection)",
        helps_with=(
            "Report online sexual abuse, grooming or exploitation of a child, or the way "
            "someone is talking to a child online. Children can report too."
        ),
        places=frozenset({"feedback"}),
        online_report_url="https://www.ceop.police.uk/Safety-Centre/",
    ),
)

DEFAULT_SITE_KEY = "default-site"
_help_contacts = LastKnown("help-contacts", DEFAULT_HELP_CONTACTS, fresh_seconds=0)


def _site_key(site_id):
    return f"site-{site_id}"


def _read_from_database(site_id=None):
    """The contacts chosen for the site `site_id` (None: the default site)."""
    rows = SiteHelpContact.objects.filter(contact__live=True)
    if site_id is None:
        rows = rows.filter(settings__site__is_default_site=True)
    else:
        rows = rows.filter(settings__site_id=site_id)
    chosen = rows.select_related("contact").order_by("sort_order")
    contacts = tuple(
        HelpContact(
            name=row.contact.name,
            helps_with=row.contact.helps_with,
            places=frozenset(place for place, field in PLACES.items() if getattr(row, field)),
            phone=row.contact.phone,
            phone_hours=row.contact.phone_hours,
            text_number=row.contact.text_number,
            website=row.contact.website,
            online_report_url=row.contact.online_report_url,
            is_emergency=row.contact.is_emergency,
        )
        for row in chosen
    )
    return contacts or DEFAULT_HELP_CONTACTS


def help_contacts(place):
    """The contacts shown in `place` (a key of `PLACES`), in the editors' order."""
    if place not in PLACES:
        raise ValueError(f"Unknown place for help contacts: {place!r}")
    return [c for c in _for_current_site() if place in c.places]


def _for_current_site():
    site = sites.current()
    if site is sites.NO_SITE:
        return DEFAULT_HELP_CONTACTS  # never another force's numbers
    if site is None:
        return _help_contacts.get(DEFAULT_SITE_KEY, _read_from_database)
    return _help_contacts.get(_site_key(site.id), lambda: _read_from_database(site.id))


def changed():
    """A contact or the settings changed: read them afresh, now and again after the commit.

    Every site's: a contact may be chosen by several. Now, for this request;
    after the commit, in case another server read the old rows in between.
    """
    keys = [DEFAULT_SITE_KEY, *(_site_key(site.id) for site in sites.known_sites() or ())]
    _help_contacts.forget(*keys)
    transaction.on_commit(lambda: _help_contacts.forget(*keys))


def forget_all():
    """Drop this process's copy and its memory of a database failure (for tests)."""
    _help_contacts.forget_all()
