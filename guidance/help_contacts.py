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

Publishing or unpublishing a contact, or saving the settings, drops the
shared copy once the change is committed (`changed`), so the next page
rendered on any server shows it. One site per deployment, as for the page
cache.
"""

from dataclasses import dataclass

from django.db import transaction

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

KEY = "default-site"
_help_contacts = LastKnown("help-contacts", DEFAULT_HELP_CONTACTS, fresh_seconds=0)


def _read_from_database():
    chosen = (
        SiteHelpContact.objects.filter(settings__site__is_default_site=True, contact__live=True)
        .select_related("contact")
        .order_by("sort_order")
    )
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
    return [c for c in _help_contacts.get(KEY, _read_from_database) if place in c.places]


def changed():
    """A contact or the settings changed: read them afresh, now and again after the commit.

    Now, for this request; after the commit, in case another server read the
    old rows in between.
    """
    _help_contacts.forget(KEY)
    transaction.on_commit(lambda: _help_contacts.forget(KEY))


def forget_all():
    """Drop this process's copy and its memory of a database failure (for tests)."""
    _help_contacts.forget_all()
