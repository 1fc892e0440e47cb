"""Page feedback: the reasons visitors can give, and the answers they send.

`VisitReason` and `DisclosurePhrase` are snippets (registered in
`feedback/wagtail_hooks.py`); `FeedbackResponse` rows are written only by
`feedback.views.submit_feedback`. No row holds an IP address, user agent,
cookie or any other identifier of the visitor.

Each response belongs to the force (Wagtail `Site`) it was sent on, and
staff read only their forces' responses: every report, panel and download
starts from `FeedbackResponse.objects.visible_to(user)` (docs/multi_force.md,
"Feedback per force").
"""

import datetime
import re

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from wagtail.models import Orderable
from wagtail.search import index

from portal.models import forces_of

COMMENT_MAX_LENGTH = 1200


def start_of_day(day):
    """Midnight at the start of `day` in the site's time zone, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class FeedbackPageMixin(models.Model):
    """For page models that ask "Was this page useful?": the contract with the feedback app.

    The feedback form accepts answers only for live pages of a model with
    this mixin whose editor left `show_feedback_form` on. Page templates show
    the form with `{% feedback_form page %}` (feedback/templatetags). Add
    `*feedback_panels()` (feedback/reports/panels.py) to the page's editor
    panels: they sit in the reports layer, above the models.
    """

    show_feedback_form = models.BooleanField(
        "Ask for page feedback",
        default=True,
        help_text="Show 'Was this page useful?' at the end of the page.",
    )

    class Meta:
        abstract = True


class VisitReason(Orderable):
    """An answer to "What best describes the reason for your visit today?".

    Retire a reason (untick "active") rather than delete it: past answers
    keep pointing at it.
    """

    label = models.CharField(max_length=120, help_text="What visitors read.")
    slug = models.SlugField(
        "Code",
        max_length=60,
        unique=True,
        help_text="A stable code for analysts; do not change it once answers exist.",
    )
    active = models.BooleanField(default=True, help_text="Offered to visitors.")

    class Meta(Orderable.Meta):
        verbose_name = "visit reason"

    def __str__(self):
        return self.label


def _normalised(text):
    return " ".join((text or "").lower().split())


def _phrase_pattern(phrase):
    """A regular expression finding `phrase` as whole words in normalised text, or ""."""
    words = r"\s+".join(re.escape(word) for word in phrase.lower().split())
    return rf"(?<!\w){words}(?!\w)" if words else ""


# In `DisclosureMatcher`'s tree of phrases, the spacing between two words.
SPACING = " "


class DisclosureMatcher:
    """Tells whether a comment holds any disclosure phrase, with the phrases read once.

    For lists and exports, which check many comments (a million in an
    export): one query for the phrases, never one per comment, and one
    regular expression for them all that finds what `matching` finds. The
    phrases are merged into a tree of their letters (`abus(?:ed|ing me)`),
    so at each place in a comment the engine tries the few phrases that
    start with that letter rather than every phrase: about 1 µs a comment
    instead of 27 for 40 phrases. Calling it with a comment gives True or
    False.
    """

    def __init__(self, phrases):
        tree = {}
        for phrase in phrases:
            node = tree
            for place, word in enumerate(phrase.lower().split()):
                for part in [SPACING] * bool(place) + list(word):
                    node = node.setdefault(part, {})
            if node is not tree:
                node[""] = {}  # a phrase ends here
        branches = self._branches(tree)
        self.regex = re.compile(rf"(?<!\w){branches}(?!\w)") if branches else None

    @classmethod
    def _branches(cls, node):
        """The regular expression for the phrases below `node`."""
        ends = "" in node
        branches = [
            (r"\s+" if part == SPACING else re.escape(part)) + cls._branches(child)
            for part, child in sorted(node.items())
            if part
        ]
        if not branches:
            return ""
        if len(branches) == 1 and not ends:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if ends else "")

    def __call__(self, text):
        # `\s+` between words and whole-word edges make spacing irrelevant: lower-casing
        # is the only normalising `matching` does that matters here.
        if self.regex is None or not text:
            return False
        return self.regex.search(text.lower()) is not None


class DisclosurePhraseQuerySet(models.QuerySet):
    def matching(self, text):
        """The phrases found in `text` as whole words, ignoring capitals and spacing."""
        normalised = _normalised(text)
        if not normalised:
            return []
        found = []
        for phrase in self.values_list("phrase", flat=True):
            pattern = _phrase_pattern(phrase)
            if pattern and re.search(pattern, normalised):
                found.append(phrase)
        return found

    def matcher(self):
        """A `DisclosureMatcher` for these phrases (one query, now)."""
        return DisclosureMatcher(self.values_list("phrase", flat=True))


class DisclosurePhrase(index.Indexed, models.Model):
    """Words that suggest a comment is a disclosure or a cry for help.

    When a comment contains one, the thank-you leads with the help contacts
    instead of a plain thanks. Staff extend the list in the admin.
    """

    phrase = models.CharField(
        max_length=80,
        unique=True,
        help_text="Matched as whole words, ignoring capitals, such as 'hurting me'.",
    )

    search_fields = [index.SearchField("phrase"), index.AutocompleteField("phrase")]

    objects = DisclosurePhraseQuerySet.as_manager()

    class Meta:
        ordering = ["phrase"]
        verbose_name = "disclosure phrase"

    def __str__(self):
        return self.phrase


class FeedbackResponseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The responses `user` may see: those of the forces they work for (`forces_of`).

        Everyone who reads feedback starts here. A member of staff of one
        force sees that force's responses only; one who works for every
        force (a national group, a superuser) sees them all, including
        responses whose force has since been deleted.
        """
        return self.of_forces(forces_of(user))

    def of_forces(self, forces):
        """Responses sent on these forces (a collection of Site ids); None means every force."""
        if forces is None:
            return self
        return self.filter(site_id__in=list(forces))

    def for_subtree(self, page):
        """Responses about `page` and the pages below it (by the live tree)."""
        return self.filter(page__path__startswith=page.path)

    def since(self, day):
        """Responses from the start of `day` (a date, in the site's time zone) onwards."""
        return self.filter(submitted_at__gte=start_of_day(day))

    def before(self, day):
        """Responses before the start of `day` (a date, in the site's time zone)."""
        return self.filter(submitted_at__lt=start_of_day(day))


class FeedbackResponse(models.Model):
    """One visitor's answer to "Was this page useful?".

    The page's title and path are copied at submission so that history
    survives the page being moved or deleted. `site` is the force the answer
    was sent on (the Site the request's host name matched).
    """

    submitted_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # SET_NULL, not CASCADE: deleting a Site (or its home page, which deletes
    # the Site) must not destroy answers that may hold a disclosure; and not
    # PROTECT: Wagtail's delete views do not expect the error it raises. A
    # response without a force is seen only by those who see every force.
    # No index of its own: `feedback_site_submitted` below starts with it.
    site = models.ForeignKey(
        "wagtailcore.Site",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        help_text="The force (site) the answer was sent on.",
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_responses",
    )
    page_revision = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The live revision the visitor read.",
    )
    page_title = models.CharField(max_length=255)
    page_path = models.CharField(max_length=2048)
    useful = models.BooleanField()
    reason = models.ForeignKey(
        VisitReason, null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    comment = models.TextField(blank=True, validators=[MaxLengthValidator(COMMENT_MAX_LENGTH)])

    objects = FeedbackResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = "feedback response"
        permissions = [("export_feedbackresponse", "Can export feedback responses")]
        indexes = [
            # A force's responses by date: what every report of a one-force analyst reads.
            models.Index(fields=["site", "submitted_at"], name="feedback_site_submitted"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("comment"), COMMENT_MAX_LENGTH),
                name="feedback_comment_max_length",
            )
        ]

    def __str__(self):
        return f"{'Useful' if self.useful else 'Not useful'}: {self.page_title}"
