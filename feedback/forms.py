"""The public page feedback form: validation, and scrubbing before storage.

Rendered by `templates/components/feedback_form.html` (through the
`feedback_form` template tag) and handled by `feedback.views.submit_feedback`.
"""

from django import forms
from wagtail.models import Page

from portal.scrubbing import remove_control_characters, scrub_personal_data

from .models import COMMENT_MAX_LENGTH, DisclosurePhrase, FeedbackPageMixin, VisitReason


def reads_like_disclosure(text):
    """True when the text contains one of the editors' disclosure phrases."""
    return bool(DisclosurePhrase.objects.matching(text)) if text else False


class PlainTextField(forms.CharField):
    """A CharField that silently drops control characters before validating."""

    def to_python(self, value):
        value = super().to_python(value)
        return remove_control_characters(value) if value else value


# The form sends five fields; a body with many more is not from it.
MAX_FIELDS = 20
TOO_MANY_FIELDS = "Your feedback could not be read. Go back to the page and try again."


class FeedbackForm(forms.Form):
    """ "Was this page useful?", the visit reason and an optional comment.

    A field sent twice (`useful=yes&useful=no`) is an error, not a guess at
    which one was meant; so is a body with far more fields than the form has.
    Given the `site` (force) the form was posted on, it takes answers only
    about that site's pages: feedback belongs to the force of its page.
    """

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

    def __init__(self, *args, site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.feedback_page = None

    @property
    def is_from_a_bot(self):
        return bool(self.data.get("giraffe"))

    def clean(self):
        cleaned_data = super().clean()
        if not hasattr(self.data, "getlist"):  # a plain dict holds one value per field
            return cleaned_data
        if sum(len(values) for _, values in self.data.lists()) > MAX_FIELDS:
            raise forms.ValidationError(TOO_MANY_FIELDS)
        for name in ("page", "useful", "reason", "comment"):
            if name not in self.errors and len(self.data.getlist(name)) > 1:
                message = self.fields[name].error_messages.get("invalid_choice", TOO_MANY_FIELDS)
                self.add_error(name, message)
        return cleaned_data

    def clean_page(self):
        page_id = self.cleaned_data["page"]
        page = (
            Page.objects.live().public().filter(pk=page_id).select_related("live_revision").first()
        )
        page = page.specific if page else None
        in_another_force = (
            page is not None
            and self.site is not None
            and not page.path.startswith(self.site.root_page.path)
        )
        if in_another_force:
            page = None  # not one of the pages this site shows
        if not (isinstance(page, FeedbackPageMixin) and page.show_feedback_form):
            raise forms.ValidationError(
                "This page cannot take feedback. Go back to the page and try again."
            )
        self.feedback_page = page
        return page_id

    def clean_comment(self):
        return scrub_personal_data(self.cleaned_data["comment"].strip())[:COMMENT_MAX_LENGTH]
