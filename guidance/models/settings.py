"""Site-wide safety settings: where quick exit goes, the emergency box, the help contacts.

Each force (Site) also names its security contact here, for its own
/.well-known/security.txt (portal/security_txt.py).

`SafetySettings` is a site setting (Settings → Safety settings) with its
`SiteHelpContact` rows. Saving it sends `safety_settings_saved` once its help
contacts are saved too; quick exit, the help contacts and the page cache
listen (guidance/signals.py).
"""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.dispatch import Signal
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable

# Where "Leave site" goes until an editor chooses (and in an outage, before
# the first value is known: guidance/quick_exit.py).
DEFAULT_NEUTRAL_EXIT_URL = "https://www.bbc.co.uk/weather"

# Sent by `SafetySettings.save()` after its help contacts are saved (Django's
# post_save comes before them); receivers in guidance/signals.py.
safety_settings_saved = Signal()


def security_contact_list(text):
    """The addresses in a comma-separated security contact, in order, blanks dropped."""
    return [contact.strip() for contact in (text or "").split(",") if contact.strip()]


def validate_security_contacts(text):
    for contact in security_contact_list(text):
        if not contact.startswith(("mailto:", "https://")) or any(c.isspace() for c in contact):
            raise ValidationError(
                "Give mailto: or https:// addresses, separated by commas (%(contact)s is neither).",
                params={"contact": contact},
            )


@register_setting(icon="warning")
class SafetySettings(ClusterableModel, BaseSiteSetting):
    """Where quick exit sends visitors, the emergency message, and the site-wide help contacts.

    Edited under Settings → Safety settings; read by `guidance.views.quick_exit`,
    the templates (as `settings.guidance.SafetySettings`) and, for the help
    contacts, guidance/help_contacts.py.
    """

    neutral_exit_url = models.URLField(
        "Quick exit destination",
        default=DEFAULT_NEUTRAL_EXIT_URL,
        validators=[URLValidator(schemes=["https"])],
        help_text=(
            "An ordinary, unrelated https page that 'Leave site' opens, such as a weather "
            "forecast. It must not reveal that the visitor was here."
        ),
    )
    emergency_heading = models.CharField(max_length=80, default="In danger now?")
    emergency_text = models.CharField(
        max_length=200,
        default=(
            "Call 999. If you cannot speak, call 999 from a mobile, listen, "
            "and press 55 when asked."
        ),
    )

    security_contact = models.CharField(
        "Security contact",
        max_length=500,
        blank=True,
        validators=[validate_security_contacts],
        help_text=(
            "Where to report a weakness in this force's website, listed in its "
            "/.well-known/security.txt: mailto: or https:// addresses, separated by commas. "
            "Leave empty to use the install's own contact."
        ),
    )

    panels = [
        FieldPanel("neutral_exit_url"),
        MultiFieldPanel(
            [FieldPanel("emergency_heading"), FieldPanel("emergency_text")],
            heading="Emergency box",
        ),
        FieldPanel("security_contact"),
        InlinePanel(
            "help_contacts",
            heading="Help contacts shown across the site",
            label="Help contact",
            help_text=(
                "The numbers in the footer, the 'Need to talk to someone?' box, the feedback "
                "form and the home page's emergency box. Drag to reorder; tick where each appears."
            ),
        ),
    ]

    class Meta:
        verbose_name = "Safety settings"

    def security_contacts(self):
        """This force's security.txt contacts, in order; [] for the install's own."""
        return security_contact_list(self.security_contact)

    def save(self, **kwargs):
        super().save(**kwargs)  # saves the help contacts too (ClusterableModel)
        # Sent here, not on post_save: by now the help contacts are saved too.
        safety_settings_saved.send(sender=type(self), instance=self)


class SiteHelpContact(Orderable):
    """A signposting contact shown site-wide, and where (Settings → Safety settings)."""

    settings = ParentalKey(SafetySettings, on_delete=models.CASCADE, related_name="help_contacts")
    contact = models.ForeignKey(
        "guidance.SignpostingContact", on_delete=models.CASCADE, related_name="+"
    )
    in_emergency_box = models.BooleanField("Home page emergency box", default=False)
    in_footer = models.BooleanField("Footer of every page", default=True)
    in_help_box = models.BooleanField(
        "'Need to talk to someone?' box",
        default=True,
        help_text="On search, 'page not found' and the error pages shown during an outage.",
    )
    with_feedback = models.BooleanField(
        "Feedback form and replies",
        default=False,
        help_text="Beside the comment box, and after a visitor sends feedback.",
    )

    panels = [
        FieldPanel("contact"),
        FieldPanel("in_emergency_box"),
        FieldPanel("in_footer"),
        FieldPanel("in_help_box"),
        FieldPanel("with_feedback"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "help contact"
