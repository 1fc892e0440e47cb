"""Pages, signposting contacts and site-wide safety settings.

Pages: `HomePage` → `TopicPage` → `GuidancePage`, rendered by the templates of
the same names under `templates/guidance/`. `SignpostingContact` is a snippet
registered in `guidance/wagtail_hooks.py`; `SafetySettings` is a site setting.
"""

import datetime
import html

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    Page,
    PageManager,
    PreviewableMixin,
    RevisionMixin,
)
from wagtail.query import PageQuerySet
from wagtail.search import index

from feedback.models import FeedbackPageMixin

from .blocks import SHORT_TEXT_FEATURES, GuidanceStreamBlock
from .quick_exit import DEFAULT_NEUTRAL_EXIT_URL

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ]{1,18}[0-9]$",
    "Enter the number as digits and spaces only, such as 0808 800 5000 or 999.",
)


def tel_href(number):
    """`tel:` address for a number typed with spaces ("0808 800 5000")."""
    return "tel:" + number.replace(" ", "")


@register_setting(icon="warning")
class SafetySettings(BaseSiteSetting):
    """Where quick exit sends visitors, and the emergency message on the home page.

    Edited under Settings → Safety settings; read by `guidance.views.quick_exit`
    and the templates (as `settings.guidance.SafetySettings`).
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

    panels = [
        FieldPanel("neutral_exit_url"),
        MultiFieldPanel(
            [FieldPanel("emergency_heading"), FieldPanel("emergency_text")],
            heading="Emergency box",
        ),
    ]

    class Meta:
        verbose_name = "Safety settings"


class SignpostingContact(
    DraftStateMixin, LockableMixin, RevisionMixin, PreviewableMixin, index.Indexed, models.Model
):
    """A helpline or service that guidance pages point visitors to.

    Edited once, shown on every page that chooses it through
    `SignpostingContactsBlock`. Registered as a snippet in `wagtail_hooks.py`;
    drafts are reviewed and published like pages.
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
    # Deleting a contact deletes its revisions too (Wagtail's documented pattern).
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="signposting_contact")

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

    def clean(self):
        super().clean()
        if not any(
            [self.phone, self.text_number, self.website, self.email, self.online_report_url]
        ):
            raise ValidationError("Give at least one way to reach this service.")

    @property
    def phone_href(self):
        return tel_href(self.phone) if self.phone else ""

    @property
    def text_href(self):
        return "sms:" + self.text_number.replace(" ", "") if self.text_number else ""

    @property
    def revisions(self):
        return self._revisions

    def get_preview_template(self, request, mode_name):
        return "guidance/signposting_contact_preview.html"


class BreadcrumbsMixin:
    """`breadcrumb_ancestors`: the ancestors from the home page down, for the breadcrumbs."""

    @cached_property
    def breadcrumb_ancestors(self):
        routed = getattr(self, "_routed_ancestors", None)
        if routed is not None:  # found by HomePage.route in the same query as the page
            return routed
        return list(self.get_ancestors().filter(depth__gt=1))


class HomePage(Page):
    """The site's front page: an introduction, the emergency box and one card per topic."""

    intro = RichTextField(features=SHORT_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["guidance.TopicPage", "guidance.GuidancePage"]
    max_count = 1

    @property
    def summary(self):
        """The introduction as plain text, the meta description unless a search one is set."""
        return html.unescape(strip_tags(self.intro)).strip()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["topics"] = TopicPage.objects.child_of(self).live().public().specific()
        return context

    def route(self, request, path_components):
        """Find the page at this path and its ancestors in one query.

        Wagtail walks down one level at a time, two queries per level. Our
        pages have no routes of their own below them, so the page whose URL
        path is the whole request path is the answer. Anything else (no such
        page) falls back to Wagtail's walk, which raises the 404.
        """
        if not path_components:
            return super().route(request, path_components)
        url_paths = []
        for component in path_components:
            url_paths.append((url_paths[-1] if url_paths else self.url_path) + component + "/")
        found = {page.url_path: page for page in Page.objects.filter(url_path__in=url_paths)}
        if url_paths[-1] not in found:
            return super().route(request, path_components)
        page = found[url_paths[-1]].specific
        page._routed_ancestors = [self, *(found[path] for path in url_paths[:-1] if path in found)]
        return page.route(request, [])


class TopicPage(BreadcrumbsMixin, Page):
    """A subject such as "Online safety", listing its guidance pages with their summaries."""

    summary = models.TextField(
        max_length=300, help_text="One or two sentences shown on the topic's card."
    )
    intro = RichTextField(features=SHORT_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("intro")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("intro"),
    ]

    parent_page_types = ["guidance.HomePage"]
    subpage_types = ["guidance.GuidancePage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["guidance_pages"] = GuidancePage.objects.child_of(self).live().public()
        return context


# Who may see a page in the review report: anyone who may add, edit or publish it.
EDITING_ACTIONS = ["add", "change", "publish"]


def _overdue(today):
    return Q(next_review_due__lt=today)


def _due_by(day):
    """Overdue, or due on or before `day`."""
    return Q(next_review_due__lte=day)


def _undated():
    return Q(next_review_due__isnull=True)


class GuidancePageQuerySet(PageQuerySet):
    """Guidance pages by their next review date (Reports → Guidance due for review)."""

    def editable_by(self, user):
        """Pages `user` may add to, edit or publish."""
        from wagtail.permission_policies.pages import PagePermissionPolicy

        editable = PagePermissionPolicy().instances_user_has_any_permission_for(
            user, EDITING_ACTIONS
        )
        return self.filter(pk__in=editable.values("pk"))

    def overdue(self):
        return self.filter(_overdue(timezone.localdate()))

    def due_within(self, days):
        """Overdue, or due within the next `days` days."""
        return self.filter(_due_by(timezone.localdate() + datetime.timedelta(days=days)))

    def undated(self):
        return self.filter(_undated())

    def most_urgent_first(self):
        """Never dated first, then by review date, so the longest overdue lead."""
        return self.order_by(F("next_review_due").asc(nulls_first=True), "title", "pk")

    def review_counts(self, soon_days=30):
        """{"overdue", "due_soon", "undated"} counts, in one query."""
        today = timezone.localdate()
        soon = today + datetime.timedelta(days=soon_days)
        return self.aggregate(
            overdue=Count("pk", filter=_overdue(today)),
            due_soon=Count("pk", filter=_due_by(soon) & ~_overdue(today)),
            undated=Count("pk", filter=_undated()),
        )


class GuidancePage(BreadcrumbsMixin, FeedbackPageMixin, Page):
    """One piece of guidance, built from `GuidanceStreamBlock` sections."""

    objects = PageManager.from_queryset(GuidancePageQuerySet)()

    summary = models.TextField(
        max_length=300,
        help_text="One or two plain sentences: shown under the title, in lists and in search.",
    )
    body = StreamField(GuidanceStreamBlock())
    last_reviewed = models.DateField(
        "Last reviewed", help_text="When a subject expert last checked this page."
    )
    next_review_due = models.DateField(
        "Next review due", null=True, blank=True, help_text="Shown to staff only."
    )
    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("related_pages", label="Related page", heading="Related pages", max_num=6),
    ]
    promote_panels = [
        *Page.promote_panels,
        MultiFieldPanel(
            [FieldPanel("last_reviewed"), FieldPanel("next_review_due")], heading="Review"
        ),
        *FeedbackPageMixin.feedback_panels(),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    parent_page_types = ["guidance.TopicPage", "guidance.HomePage"]
    subpage_types = []

    def clean(self):
        super().clean()
        if (
            self.next_review_due
            and self.last_reviewed
            and self.next_review_due <= self.last_reviewed
        ):
            raise ValidationError(
                {"next_review_due": "The next review must be after the last review."}
            )

    @cached_property
    def table_of_contents(self):
        """(anchor, heading) for each section heading, in page order."""
        return [
            (block.value.anchor, block.value["heading"])
            for block in self.body
            if block.block_type == "section_heading"
        ]

    @cached_property
    def live_related_pages(self):
        """The live related pages, in the editor's order, each with its `summary`.

        One query however many there are: the pages, their summary (topic or
        guidance) and their place in the editor's order. In a preview the
        links are the editor's unsaved ones, held in memory.
        """
        links = self.related_pages.all()
        pages = Page.objects.live().annotate(
            summary=Coalesce(F("guidancepage__summary"), F("topicpage__summary"))
        )
        if isinstance(links, models.QuerySet):  # saved links: read with the pages
            order = Subquery(links.filter(page=OuterRef("pk")).values("sort_order")[:1])
            return list(
                pages.filter(pk__in=links.values("page_id"))
                .annotate(link_order=order)
                .order_by("link_order")
            )
        page_ids = [link.page_id for link in links]
        found = pages.in_bulk(page_ids)
        return [found[page_id] for page_id in page_ids if page_id in found]


class GuidancePageRelatedPage(Orderable):
    """A link from a guidance page to another page, shown under "Related guidance"."""

    source = ParentalKey(GuidancePage, on_delete=models.CASCADE, related_name="related_pages")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("page")]
