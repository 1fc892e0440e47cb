"""Factories for guidance pages and signposting contacts.

Pages come from wagtail-factories' `PageFactory`, so they are added to the
tree under the `parent` you pass (always pass one), then published through a
revision as the admin publishes them. Bodies are lists of
`(block_type, value)` pairs built with the small helpers below, which read
like the page they describe.
"""

import datetime

import factory
import wagtail_factories

from guidance.models import GuidancePage, HomePage, SignpostingContact, TopicPage

LAST_REVIEWED = datetime.date(2026, 1, 15)


def section(heading):
    return ("section_heading", {"heading": heading})


def paragraph(html):
    return ("paragraph", html)


def contacts_block(contacts, heading="Get help and support"):
    return ("signposting_contacts", {"heading": heading, "intro": "", "contacts": list(contacts)})


class SignpostingContactFactory(factory.django.DjangoModelFactory):
    """A published contact, created the way the admin creates one.

    The admin saves a new draft-state snippet, saves a revision and publishes
    that revision (which sets `live`, `live_revision` and the publish dates).
    Pass `live=False` for a contact that was saved as a draft and never published.
    """

    name = factory.Sequence(lambda n: f"Helpline {n}")
    helps_with = "Advice if you are worried about a child."
    phone = "0808 800 5000"
    phone_hours = "24 hours a day"
    website = "https://www.nspcc.org.uk/"

    class Meta:
        model = SignpostingContact

    @classmethod
    def _create(cls, model_class, *args, live=True, **kwargs):
        contact = model_class(*args, live=False, **kwargs)
        contact.full_clean()
        contact.save()
        revision = contact.save_revision()
        if live:
            revision.publish()
            contact.refresh_from_db()
        return contact


class PublishedPageFactory(wagtail_factories.PageFactory):
    """Adds the page under `parent`, then publishes a revision, as the admin does."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        page = super()._create(model_class, *args, **kwargs)
        page.save_revision().publish()
        page.refresh_from_db()
        return page


class HomePageFactory(PublishedPageFactory):
    title = "Safeguarding guidance"
    intro = "<p>Plain advice on keeping children and young people safe.</p>"

    class Meta:
        model = HomePage


class TopicPageFactory(PublishedPageFactory):
    title = factory.Sequence(lambda n: f"Topic {n}")
    summary = factory.LazyAttribute(lambda o: f"Everything we publish about {o.title.lower()}.")

    class Meta:
        model = TopicPage


class GuidancePageFactory(PublishedPageFactory):
    """A guidance page whose body has a section, a paragraph and a contacts block.

    `contacts` (not a model field) chooses the contacts shown; by default one
    new published contact. Pass `body=[...]` to write the body yourself.
    """

    title = factory.Sequence(lambda n: f"Guidance {n}")
    summary = factory.LazyAttribute(lambda o: f"What to do about {o.title.lower()}.")
    last_reviewed = LAST_REVIEWED
    body = factory.LazyAttribute(
        lambda o: [
            section("What you can do"),
            paragraph("<p>Stay calm and listen without judging.</p>"),
            contacts_block(o.contacts),
        ]
    )

    class Meta:
        model = GuidancePage

    class Params:
        contacts = factory.LazyFunction(lambda: [SignpostingContactFactory()])
