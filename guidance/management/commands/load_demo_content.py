"""`manage.py load_demo_content`: the demo site described in `guidance.demo_content`.

Replaces Wagtail's "Welcome" page with a `HomePage`, points the default site at
it, and loads the signposting contacts, the safety settings (with the help
contacts shown across the site), the "Online safety" topic and its guidance
pages (one of them overdue for review), and the promoted search result that
leads "nudes" to the sexting page. "Sexting" is published twice, first in a
harder version, with demo feedback on both versions so that "Feedback by
version" has something to compare. Pages are found by slug and contacts by name;
each is saved, with a new revision that is then published, only when it is
missing or differs from the demo content. So running the command again
changes nothing.

`--second-force` (default: the setting `DEMO_SECOND_FORCE`, on for `make run`)
adds Southdale Police on `southdale.localhost` with `add_force`'s code and a
local page; without it the demo is one force, answering every host name.
"""

import argparse
import datetime
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from wagtail.actions.create import CreateAction
from wagtail.actions.edit import EditAction
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Page, PageLogEntry, Revision, Site

from feedback.models import FeedbackResponse, VisitReason
from guidance import demo_content
from guidance.forces import ForceError, add_force
from guidance.help_contacts import PLACES
from guidance.models import (
    GuidancePage,
    GuidancePageRelatedPage,
    HomePage,
    SafetySettings,
    SignpostingContact,
    SiteHelpContact,
    TopicPage,
)

WELCOME_PAGE_TITLE = "Welcome to your new Wagtail site!"
CONTACT_FIELDS = [
    "name",
    "helps_with",
    "phone",
    "phone_hours",
    "text_number",
    "website",
    "email",
    "online_report_url",
    "is_emergency",
    "last_verified",
]
CREATED, UPDATED, UNCHANGED, REMOVED = "created", "updated", "unchanged", "removed"


def model_defaults(model, field_names):
    return {name: model._meta.get_field(name).get_default() for name in field_names}


def changed_fields(obj, values):
    """Names of the fields whose current value differs from `values`."""
    return [name for name, value in values.items() if not same_value(obj, name, value)]


def same_value(obj, name, value):
    current = getattr(obj, name)
    if name == "body":
        return comparable_stream(current) == comparable_stream(value)
    return current == value


def comparable_stream(value):
    """A StreamField value as plain data, without the block ids Wagtail generates."""
    stream_block = GuidancePage._meta.get_field("body").stream_block
    return without_ids([child.get_prep_value() for child in stream_block.to_python(value)])


def without_ids(data):
    if isinstance(data, list):
        return [without_ids(item) for item in data]
    if isinstance(data, dict):
        return {key: without_ids(item) for key, item in data.items() if key != "id"}
    return data


def raw_body(body, contact_pks):
    """The demo `(block_type, value)` pairs as raw StreamField data, contacts as pks."""
    return [
        {"type": block_type, "value": with_contact_pks(block_type, value, contact_pks)}
        for block_type, value in body
    ]


def guidance_values(spec, contact_pks):
    return {
        **{name: spec[name] for name in ("slug", "title", "summary")},
        "body": raw_body(spec["body"], contact_pks),
        "last_reviewed": spec.get("last_reviewed", demo_content.LAST_REVIEWED),
        "next_review_due": spec.get("next_review_due", demo_content.NEXT_REVIEW_DUE),
    }


def with_contact_pks(block_type, value, contact_pks):
    if block_type != "signposting_contacts":
        return value
    return {**value, "contacts": [contact_pks[name] for name in value["contacts"]]}


def is_plain_welcome_page(page):
    return (
        page.specific_class is Page
        and page.title == WELCOME_PAGE_TITLE
        and not page.get_children().exists()
    )


def find_child(parent, model, slug):
    page = parent.get_children().filter(slug=slug).specific().first()
    if page is not None and not isinstance(page, model):
        raise CommandError(
            f"{page.url_path!r} is a {type(page).__name__}, not a {model.__name__}. "
            "Move or rename it, then run this command again."
        )
    return page


def demo_answers(page, revision_id, counts, reasons, start, end):
    """[(unsaved FeedbackResponse, when sent)] evenly from `start` to `end`, to the hour."""
    given = [
        (reasons.get(reason), useful)
        for reason, yes, no in counts
        for useful in [True] * yes + [False] * no
    ]
    step = (end - start) / (len(given) + 1)
    site = page.get_site()
    return [
        (
            FeedbackResponse(
                page=page,
                site=site,
                page_revision_id=revision_id,
                page_title=page.title,
                page_path=page.url,
                useful=useful,
                reason=reason,
            ),
            (start + step * number).replace(minute=0, second=0, microsecond=0),
        )
        for number, (reason, useful) in enumerate(given, start=1)
    ]


def related_page_ids(page):
    return [link.page_id for link in page.related_pages.all()]


class Command(BaseCommand):
    help = "Load the demo site: home page, contacts, settings and online safety guidance."

    def add_arguments(self, parser):
        parser.add_argument(
            "--second-force",
            action=argparse.BooleanOptionalAction,
            default=getattr(settings, "DEMO_SECOND_FORCE", False),
            help="Also add Southdale Police on southdale.localhost (default: DEMO_SECOND_FORCE).",
        )

    def handle(self, *args, second_force, **options):
        self.tally = Counter()
        with transaction.atomic():
            contacts = {spec["name"]: self.sync_contact(spec) for spec in demo_content.CONTACTS}
            root = Page.get_first_root_node()
            if root is None:
                raise CommandError("The page tree has no root. Run `manage.py migrate` first.")
            site = Site.objects.filter(is_default_site=True).first()
            self.remove_welcome_page(root, site)
            home = self.sync_page(root, HomePage, demo_content.HOME_PAGE)
            site = self.sync_site(site, home)
            self.sync_safety_settings(site, contacts)
            topic = self.sync_page(home, TopicPage, demo_content.TOPIC_PAGE)
            contact_pks = {name: contact.pk for name, contact in contacts.items()}
            self.sync_guidance_pages(topic, contact_pks)
            self.sync_demo_feedback(topic.get_children().get(slug="sexting").specific)
            self.sync_search_promotions(topic)
            if second_force:
                self.sync_second_force(contact_pks)
        self.print_summary(home)

    def count(self, kind, status):
        self.tally[kind, status] += 1

    def sync_contact(self, spec):
        values = {**model_defaults(SignpostingContact, CONTACT_FIELDS), **spec}
        contact = SignpostingContact.objects.filter(name=spec["name"]).first()
        if contact is None:
            contact = SignpostingContact(**values)
            CreateAction(contact, publish=True).execute(skip_permission_checks=True)
            self.count("contacts", CREATED)
        elif changed_fields(contact, values) or not contact.live:
            for name, value in values.items():
                setattr(contact, name, value)
            EditAction(contact, publish=True).execute(skip_permission_checks=True)
            self.count("contacts", UPDATED)
        else:
            self.count("contacts", UNCHANGED)
        return contact

    def remove_welcome_page(self, root, site):
        """Delete Wagtail's default "Welcome" page if nobody has built on it.

        A site's root page is a cascading foreign key, so the site is moved to
        the tree root first and keeps its id, settings and host name.
        """
        welcome = root.get_children().filter(slug=demo_content.HOME_PAGE["slug"]).first()
        if welcome is None or not is_plain_welcome_page(welcome):
            return
        if site is not None and site.root_page_id == welcome.pk:
            site.root_page = root
            site.save(update_fields=["root_page"])
        welcome.delete()
        self.count("welcome page", REMOVED)

    def sync_page(self, parent, model, values):
        page, created = self.get_or_create_draft(parent, model, values)
        self.publish_and_count(page, created, values)
        return page

    def publish_and_count(self, page, created, values, related_slugs=()):
        updated = self.publish_changes(page, values, related_slugs)
        status = CREATED if created else UPDATED if updated else UNCHANGED
        self.count(page._meta.verbose_name_plural, status)

    def get_or_create_draft(self, parent, model, values):
        page = find_child(parent, model, values["slug"])
        if page is not None:
            return page, False
        page = model(live=False, **values)
        parent.add_child(instance=page)
        return page, True

    def publish_changes(self, page, values, related_slugs):
        """Publish a new revision if the page is a draft or differs from `values`."""
        changed = changed_fields(page, values)
        for name in changed:
            setattr(page, name, values[name])
        related_changed = self.set_related_pages(page, related_slugs)
        if not (changed or related_changed or not page.live):
            return False
        page.save_revision().publish()
        return True

    def set_related_pages(self, page, related_slugs):
        if not related_slugs:
            return False
        targets = [page.get_parent().get_children().get(slug=slug) for slug in related_slugs]
        if related_page_ids(page) == [target.pk for target in targets]:
            return False
        page.related_pages = [
            GuidancePageRelatedPage(page=target, sort_order=index)
            for index, target in enumerate(targets)
        ]
        return True

    def sync_guidance_pages(self, topic, contact_pks):
        """Create every guidance page first, so each can link to the others."""
        drafts = []
        for spec in demo_content.GUIDANCE_PAGES:
            values = guidance_values(spec, contact_pks)
            page, created = self.get_or_create_draft(topic, GuidancePage, values)
            if created and spec is demo_content.SEXTING:
                self.publish_first_version(page, demo_content.SEXTING_FIRST_VERSION)
            drafts.append((page, created, values, spec["related"]))
        for page, created, values, related in drafts:
            self.publish_and_count(page, created, values, related)

    def publish_first_version(self, page, changes):
        """Publish a new page as it first was; publishing the demo values follows."""
        for name, value in changes.items():
            setattr(page, name, value)
        page.save_revision().publish()

    def sync_demo_feedback(self, page):
        """Demo answers on the page's first two versions, each back-dated to its days live.

        Done once: a page that has answers, or was loaded by an older version of
        this command with a single version, is left as it is.
        """
        versions = demo_content.SEXTING_FEEDBACK
        publishes = list(
            PageLogEntry.objects.filter(page=page, action="wagtail.publish")
            .exclude(revision=None)
            .order_by("timestamp", "pk")
            .values_list("pk", "revision_id")[: len(versions)]
        )
        existing = FeedbackResponse.objects.filter(page=page).count()
        if existing or len(publishes) < len(versions):
            if existing:
                self.tally["feedback responses", UNCHANGED] += existing
            return
        now = timezone.now()
        went_live = [now - datetime.timedelta(days=days) for days, _answers in versions]
        ends = [*went_live[1:], now]
        reasons = {reason.slug: reason for reason in VisitReason.objects.all()}
        answers = []
        for (log_pk, revision_id), (_days, counts), start, end in zip(
            publishes, versions, went_live, ends, strict=True
        ):
            PageLogEntry.objects.filter(pk=log_pk).update(timestamp=start)
            Revision.objects.filter(pk=revision_id).update(created_at=start)
            answers += demo_answers(page, revision_id, counts, reasons, start, end)
        responses = FeedbackResponse.objects.bulk_create([response for response, _ in answers])
        # auto_now_add stamped them "now": put each back in its version's time.
        for response, (_, submitted_at) in zip(responses, answers, strict=True):
            response.submitted_at = submitted_at
        FeedbackResponse.objects.bulk_update(responses, ["submitted_at"])
        GuidancePage.objects.filter(pk=page.pk).update(
            first_published_at=went_live[0],
            last_published_at=went_live[-1],
            latest_revision_created_at=went_live[-1],
        )
        self.tally["feedback responses", CREATED] += len(responses)

    def sync_search_promotions(self, topic):
        for query_string, slug, description in demo_content.SEARCH_PROMOTIONS:
            page = topic.get_children().get(slug=slug)
            _, created = SearchPromotion.objects.update_or_create(
                query=Query.get(query_string), page=page, defaults={"description": description}
            )
            self.count("search promotions", CREATED if created else UNCHANGED)

    def sync_second_force(self, contact_pks):
        """Southdale Police, made as `add_force` makes a force, and its local pages."""
        try:
            force = add_force(**demo_content.SECOND_FORCE)
        except ForceError as error:
            raise CommandError(str(error)) from None
        self.count("forces", CREATED if force.created else UNCHANGED)
        topic = self.sync_page(force.home, TopicPage, demo_content.SECOND_FORCE_TOPIC)
        spec = demo_content.SECOND_FORCE_PAGE
        self.sync_page(topic, GuidancePage, guidance_values(spec, contact_pks))

    def sync_site(self, site, home):
        if site is None:
            site = Site.objects.create(
                hostname="localhost", port=80, is_default_site=True, root_page=home
            )
            self.count("sites", CREATED)
        elif site.root_page_id != home.pk:
            site.root_page = home
            site.save(update_fields=["root_page"])
            self.count("sites", UPDATED)
        else:
            self.count("sites", UNCHANGED)
        return site

    def sync_safety_settings(self, site, contacts):
        existing = SafetySettings.objects.filter(site=site).first()
        safety = existing or SafetySettings(site=site)
        values = {
            **model_defaults(SafetySettings, ["emergency_heading", "emergency_text"]),
            **demo_content.SAFETY_SETTINGS,
        }
        changed = changed_fields(safety, values)
        help_contacts = [
            {"contact_id": contacts[name].pk, **{f: p in places for p, f in PLACES.items()}}
            for name, places in demo_content.HELP_CONTACTS
        ]
        current_help_contacts = [
            {"contact_id": row.contact_id, **{f: getattr(row, f) for f in PLACES.values()}}
            for row in safety.help_contacts.all()
        ]
        if existing and not changed and current_help_contacts == help_contacts:
            self.count("safety settings", UNCHANGED)
            return
        for name in changed:
            setattr(safety, name, values[name])
        safety.help_contacts = [
            SiteHelpContact(sort_order=order, **row) for order, row in enumerate(help_contacts)
        ]
        safety.full_clean()
        safety.save()
        self.count("safety settings", UPDATED if existing else CREATED)

    def print_summary(self, home):
        kinds = dict.fromkeys(kind for kind, _status in self.tally)
        for kind in kinds:
            counts = ", ".join(
                f"{self.tally[kind, status]} {status}"
                for status in (CREATED, UPDATED, UNCHANGED, REMOVED)
                if self.tally[kind, status]
            )
            self.stdout.write(f"{kind.capitalize()}: {counts}")
        self.stdout.write(self.style.SUCCESS(f"Demo content loaded; home page at {home.url}"))
