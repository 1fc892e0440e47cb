"""The page types: `HomePage` → `TopicPage` → `GuidancePage`, all on `BasePage`.

Rendered by the templates of the same names under `templates/guidance/`.
"""

import datetime
import html

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager, PageViewRestriction
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.query import PageQuerySet
from wagtail.search import index

from feedback.models import FeedbackPageMixin
from feedback.reports.panels import feedback_panels

from ..blocks import SHORT_TEXT_FEATURES, GuidanceStreamBlock
from ..panels import ReadingAgePanel
from ..reading_age import DEFAULT_TARGET


class BasePage(Page):
    """What every page of ours shares: breadcrumbs, and whether search engines may list it."""

    hide_from_search_engines = models.BooleanField(
        "Hide from search engines",
        default=False,
        help_text=(
            "Asks search engines not to list this page (noindex) and leaves it out of the "
            "sitemap. Visitors can still open it from links and this site's own search."
        ),
    )

    promote_panels = [*Page.promote_panels, FieldPanel("hide_from_search_engines")]

    class Meta:
        abstract = True

    @cached_property
    def breadcrumb_ancestors(self):
        """The ancestors from the home page down (found while routing, when routed)."""
        routed = getattr(self, "_routed_ancestors", None)
        if routed is not None:  # found by HomePage.route in the same query as the page
            return [page for page in routed if page.depth > 1]
        return list(self.get_ancestors().filter(depth__gt=1))

    def get_view_restrictions(self):
        """Wagtail's rule (this page's and its ancestors' restrictions, aliases by
        their source), from the ancestors found while routing when there are."""
        routed = getattr(self, "_routed_ancestors", None)
        if routed is None:
            return super().get_view_restrictions()
        page_ids = {page.alias_of_id or page.pk for page in [*routed, self]}
        return PageViewRestriction.objects.filter(page_id__in=page_ids)

    def get_sitemap_urls(self, request=None):
        return [] if self.hide_from_search_engines else super().get_sitemap_urls(request)


class HomePage(BasePage):
    """The site's front page: an introduction, the emergency box and one card per topic."""

    intro = RichTextField(features=SHORT_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["guidance.TopicPage", "guidance.GuidancePage"]
    # One per force. The admin adds only the first (a one-force install's);
    # every other force's comes with its Site, groups and review workflow
    # from `manage.py add_force` (guidance/forces.py).

    @classmethod
    def can_create_at(cls, parent):
        return super().can_create_at(parent) and not cls.objects.exists()

    @property
    def summary(self):
        """The introduction as plain text, the meta description unless a search one is set."""
        return html.unescape(strip_tags(self.intro)).strip()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["topics"] = TopicPage.objects.child_of(self).live().public().specific()
        return context

    def route(self, request, path_components):
        """Find the page at this path and all its ancestors in one query.

        Wagtail walks down one level at a time, two queries per level. Our
        pages have no routes of their own below them, so the page whose URL
        path is the whole request path is the answer. The ancestors serve the
        breadcrumbs and the view restrictions. Anything else (no such page)
        falls back to Wagtail's walk, which raises the 404.
        """
        if not path_components:
            return super().route(request, path_components)
        url_paths = []
        for component in path_components:
            url_paths.append((url_paths[-1] if url_paths else self.url_path) + component + "/")
        root_path = self.path[: self.steplen]
        found = {
            page.url_path if page.path != root_path else "": page
            for page in Page.objects.filter(Q(url_path__in=url_paths) | Q(path=root_path))
        }
        if url_paths[-1] not in found or len(found) != len(url_paths) + 1:
            return super().route(request, path_components)
        page = found[url_paths[-1]].specific
        page._routed_ancestors = [found[""], self, *(found[path] for path in url_paths[:-1])]
        return page.route(request, [])


class TopicPage(BasePage):
    """A subject such as "Online safety", listing its guidance pages with their summaries."""

    summary = models.TextField(
        max_length=300, help_text="One or two sentences shown on the topic's card."
    )
    intro = RichTextField(features=SHORT_TEXT_FEATURES, blank=True)
    target_reading_age = models.PositiveSmallIntegerField(
        "Target reading age",
        default=DEFAULT_TARGET,
        validators=[MinValueValidator(6), MaxValueValidator(18)],
        help_text=(
            "The reading age, in years, this topic's guidance pages are written for. "
            "Pages for children and young people: 9 to 11. See Reports → Reading age."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("intro"),
        FieldPanel("target_reading_age"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary", boost=2),
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


class GuidancePage(FeedbackPageMixin, BasePage):
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
    # The reading-age estimate of the live version, stored on publish
    # (guidance/reading_age.py); never edited, never taken from a draft.
    reading_age = models.FloatField("Reading age", null=True, editable=False)
    reading_age_words = models.PositiveIntegerField("Words measured", null=True, editable=False)
    reading_age_hardest = models.JSONField(
        "Hardest sentences", default=list, blank=True, editable=False
    )
    reading_age_computed_at = models.DateTimeField(
        "Reading age worked out", null=True, editable=False
    )
    READING_AGE_FIELDS = (
        "reading_age",
        "reading_age_words",
        "reading_age_hardest",
        "reading_age_computed_at",
    )
    # A copy that is not published straight away has no published text yet.
    exclude_fields_in_copy = list(READING_AGE_FIELDS)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        ReadingAgePanel(),
        FieldPanel("body"),
        InlinePanel("related_pages", label="Related page", heading="Related pages", max_num=6),
    ]
    promote_panels = [
        *BasePage.promote_panels,
        MultiFieldPanel(
            [FieldPanel("last_reviewed"), FieldPanel("next_review_due")], heading="Review"
        ),
        *feedback_panels(),
    ]
    # Title (boost 2 in Page.search_fields) and summary rank above the body.
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary", boost=2),
        index.SearchField("body"),
    ]

    parent_page_types = ["guidance.TopicPage", "guidance.HomePage"]
    subpage_types = []

    def with_content_json(self, content):
        """A revision as a page, with the live version's reading age rather than the revision's.

        Revisions hold every field, so publishing one would otherwise write
        back the estimate stored when it was saved (publishing then works it
        out afresh: guidance/reading_age.py).
        """
        page = super().with_content_json(content)
        for name in self.READING_AGE_FIELDS:
            setattr(page, name, getattr(self, name))
        return page

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
