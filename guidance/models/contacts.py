"""The signposting contacts: helplines and services, edited once and shown everywhere.

`SignpostingContact` is a snippet (drafts, revisions, locking, preview, the
"Safeguarding review" workflow), registered in `guidance/wagtail_hooks.py`.
"""

import datetime

from django.conf import settings as django_settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, F, Q
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ]{1,18}[0-9]$",
    "Enter the number as digits and spaces only, such as 0808 800 5000 or 999.",
)


def tel_href(number):
    """`tel:` address for a number typed with spaces ("0808 800 5000"); "" for none."""
    return "tel:" + number.replace(" ", "") if number else ""


def sms_href(number):
    """`sms:` address for a number typed with spaces; "" for none."""
    return "sms:" + number.replace(" ", "") if number else ""


class PhoneLinks:
    """`tel:` and `sms:` links for a contact's `phone` and `text_number`."""

    @property
    def phone_href(self):
        return tel_href(self.phone)

    @property
    def text_href(self):
        return sms_href(self.text_number)


class SignpostingContactQuerySet(models.QuerySet):
    """Contacts by when they are next due to be verified (Reports → Guidance due for review).

    A contact is due `CONTACT_VERIFY_EVERY_DAYS` after it was last verified;
    one never verified is due now.
    """

    @staticmethod
    def _verified_before(day):
        every = datetime.timedelta(days=django_settings.CONTACT_VERIFY_EVERY_DAYS)
        return Q(last_verified__lt=day - every)

    def overdue(self):
        return self.filter(self._verified_before(timezone.localdate()))

    def due_within(self, days):
        """Overdue, or due within the next `days` days."""
        soon = timezone.localdate() + datetime.timedelta(days=days)
        return self.filter(self._verified_before(soon + datetime.timedelta(days=1)))

    def undated(self):
        return self.filter(last_verified__isnull=True)

    def most_urgent_first(self):
        return self.order_by(F("last_verified").asc(nulls_first=True), "name", "pk")

    def verification_counts(self, soon_days=30):
        """{"overdue", "due_soon", "undated"} counts, in one query."""
        today = timezone.localdate()
        soon = today + datetime.timedelta(days=soon_days)
        overdue = self._verified_before(today)
        return self.aggregate(
            overdue=Count("pk", filter=overdue),
            due_soon=Count(
                "pk", filter=self._verified_before(soon + datetime.timedelta(days=1)) & ~overdue
            ),
            undated=Count("pk", filter=Q(last_verified__isnull=True)),
        )


class SignpostingContact(
    PhoneLinks,
    PreviewableMixin,
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    index.Indexed,
    models.Model,
):
    """A helpline or service that guidance pages point visitors to.

    Edited once, shown on every page that chooses it through
    `SignpostingContactsBlock` and, when chosen in the safety settings,
    across the whole site. Registered as a snippet in `wagtail_hooks.py`;
    changes go through the "Safeguarding review" workflow like pages.
    """

    name = models.CharField(
        "Organisation or service",
        max_length=120,
        unique=True,
        help_text="Each service once: every page that needs it chooses this contact.",
    )
    helps_with = models.TextField(
        "What it helps with",
        max_length=400,
        help_text="One or two plain sentences, such as 'Advice if you are worried about a child.'",
    )
    phone = models.CharField(
        "Phone number", max_length=20, blank=True, validators=[phone_validator]
    )
    phone_hours = models.CharField(
        "When the phone line is open",
        max_length=120,
        blank=True,
        help_text="Such as '24 hours a day' or 'Monday to Friday, 9am to 5pm'.",
    )
    text_number = models.CharField(
        "Text (SMS) number", max_length=20, blank=True, validators=[phone_validator]
    )
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    online_report_url = models.URLField(
        "Online report link",
        blank=True,
        help_text="Where to report online, such as CEOP's reporting form.",
    )
    is_emergency = models.BooleanField(
        "Emergency service",
        default=False,
        help_text="Emergency services are shown first and marked 'Emergency'.",
    )
    last_verified = models.DateField(
        "Last verified",
        null=True,
        blank=True,
        help_text="When someone last rang the number or checked the website and it was right.",
    )
    verified_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        verbose_name="Verified by",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    objects = SignpostingContactQuerySet.as_manager()

    # Deleting a contact deletes its revisions and workflow states too
    # (Wagtail's documented pattern).
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="signposting_contact")
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="signposting_contact",
        for_concrete_model=False,
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("helps_with"),
        MultiFieldPanel(
            [FieldPanel("phone"), FieldPanel("phone_hours"), FieldPanel("text_number")],
            heading="Phone and text",
        ),
        MultiFieldPanel(
            [FieldPanel("website"), FieldPanel("email"), FieldPanel("online_report_url")],
            heading="Online",
        ),
        FieldPanel("is_emergency"),
        MultiFieldPanel(
            [FieldPanel("last_verified"), FieldPanel("verified_by")],
            heading="Verification",
            help_text="Check each contact at least every six months.",
        ),
    ]

    search_fields = [
        index.SearchField("name"),
        index.SearchField("helps_with"),
        index.AutocompleteField("name"),
        index.FilterField("live"),
    ]

    class Meta:
        ordering = ["-is_emergency", "name"]
        verbose_name = "signposting contact"

    def __str__(self):
        return self.name

    @property
    def verification_due(self):
        """The day this contact should next be verified, or None if it never was."""
        if self.last_verified is None:
            return None
        every = datetime.timedelta(days=django_settings.CONTACT_VERIFY_EVERY_DAYS)
        return self.last_verified + every

    def clean(self):
        super().clean()
        if not any(
            [self.phone, self.text_number, self.website, self.email, self.online_report_url]
        ):
            raise ValidationError("Give at least one way to reach this service.")

    @property
    def revisions(self):
        return self._revisions

    def get_preview_template(self, request, mode_name):
        return "guidance/signposting_contact_preview.html"
