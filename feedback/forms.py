"""The public page feedback form: validation, and scrubbing before storage.

Rendered by `templates/components/feedback_form.html` (through the
`feedback_form` template tag) and handled by `feedback.views.submit_feedback`.
"""

import re
import unicodedata

from django import forms
from wagtail.models import Page

from .models import COMMENT_MAX_LENGTH, DisclosurePhrase, FeedbackPageMixin, VisitReason

REMOVED = "[removed]"

EMAIL_PATTERN = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# Any two letters, not only HMRC's valid prefixes: a mistyped number is still personal.
NATIONAL_INSURANCE_PATTERN = re.compile(
    r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE
)
POSTCODE_PATTERN = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s*\d[A-Z]{2}\b", re.IGNORECASE)
# Any run of digits and separators holding 9 or more digits reads as a phone
# number (UK numbers have 10 or 11); 999, 101 and dates are left alone.
PHONE_CANDIDATE_PATTERN = re.compile(r"(?<![\w+])\+?\d[\d\s().-]{7,}\d(?!\w)")
PHONE_MIN_DIGITS = 9

# Invisible direction overrides can disguise text shown to staff.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def remove_control_characters(text):
    """Drop NUL and other control characters, keeping line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = text.translate(BIDI_CONTROLS)
    return "".join(char for char in text if char == "\n" or unicodedata.category(char) != "Cc")


def _scrub_phone(match):
    digits = sum(char.isdigit() for char in match.group())
    return REMOVED if digits >= PHONE_MIN_DIGITS else match.group()


def scrub_personal_data(text):
    """Replace e-mail addresses, NI numbers, postcodes and phone numbers."""
    text = EMAIL_PATTERN.sub(REMOVED, text)
    text = NATIONAL_INSURANCE_PATTERN.sub(REMOVED, text)
    text = POSTCODE_PATTERN.sub(REMOVED, text)
    return PHONE_CANDIDATE_PATTERN.sub(_scrub_phone, text)


def reads_like_disclosure(text):
    """True when the text contains one of the editors' disclosure phrases."""
    return bool(DisclosurePhrase.objects.matching(text)) if text else False


class PlainTextField(forms.CharField):
    """A CharField that silently drops control characters before validating."""

    def to_python(self, value):
        value = super().to_python(value)
        return remove_control_characters(value) if value else value


class FeedbackForm(forms.Form):
    """ "Was this page useful?", the visit reason and an optional comment."""

    USEFUL_CHOICES = [("yes", "Yes"), ("no", "No")]

    page = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    useful = forms.ChoiceField(
        label="Was this page useful?",
        choices=USEFUL_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if this page was useful, or no if it was not",
            "invalid_choice": "Select yes if this page was useful, or no if it was not",
        },
    )
    reason = forms.ModelChoiceField(
        label="What best describes the reason for your visit today?",
        queryset=VisitReason.objects.filter(active=True),
        to_field_name="slug",
        required=False,
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select a reason from the list, or leave it blank"},
    )
    comment = PlainTextField(
        label="How could we improve this page?",
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "max_length": (
                f"Your comment must be {COMMENT_MAX_LENGTH:,} characters or fewer "
                "(it has %(show_value)d)"
            )
        },
    )
    # A honeypot: hidden from people, filled in by bots. Named like the
    # field GOV.UK has proven against real spam.
    giraffe = forms.CharField(required=False, label="Leave this field blank")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.feedback_page = None

    @property
    def is_from_a_bot(self):
        return bool(self.data.get("giraffe"))

    def clean_page(self):
        page_id = self.cleaned_data["page"]
        page = (
            Page.objects.live().public().filter(pk=page_id).select_related("live_revision").first()
        )
        page = page.specific if page else None
        if not (isinstance(page, FeedbackPageMixin) and page.show_feedback_form):
            raise forms.ValidationError(
                "This page cannot take feedback. Go back to the page and try again."
            )
        self.feedback_page = page
        return page_id

    def clean_comment(self):
        return scrub_personal_data(self.cleaned_data["comment"].strip())[:COMMENT_MAX_LENGTH]
