"""Pages, signposting contacts and site-wide safety settings.

Pages: `HomePage` → `TopicPage` → `GuidancePage`, rendered by the templates of
the same names under `templates/guidance/`. `SignpostingContact` is a snippet
registered in `guidance/wagtail_hooks.py`; `SafetySettings` is a site setting.
"""

import datetime
import html

from django.conf import settings as django_settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import (
    AbstractGroupApprovalTask,
    DraftStateMixin,
    LockableMixin,
    Orderable,
    Page,
    PageManager,
    PageViewRestriction,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.query import PageQuerySet
from wagtail.search import index

from feedback.models import FeedbackPageMixin

from .blocks import SHORT_TEXT_FEATURES, GuidanceStreamBlock
from .forms import ReviewApprovalForm
from .help_contacts import sms_href, tel_href
from .quick_exit import DEFAULT_NEUTRAL_EXIT_URL
from .reading_age import DEFAULT_TARGET, ReadingAgePanel

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ]{1,18}[0-9]$",
    "Enter the number as digits and spaces only, such as 0808 800 5000 or 999.",
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

    panels = [
        FieldPanel("neutral_exit_url"),
        MultiFieldPanel(
            [FieldPanel("emergency_heading"), FieldPanel("emergency_text")],
            heading="Emergency box",
        ),
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

    def save(self, **kwargs):
        super().save(**kwargs)  # saves the help contacts too (ClusterableModel)
        from . import cache_purging, help_contacts, quick_exit

        quick_exit.settings_saved(self.site, self.neutral_exit_url)
        help_contacts.changed()
        cache_purging.everything_changed(type(self))


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
    def phone_href(self):
        return tel_href(self.phone)

    @property
    def text_href(self):
        return sms_href(self.text_number)

    @property
    def revisions(self):
        return self._revisions

    def get_preview_template(self, request, mode_name):
        return "guidance/signposting_contact_preview.html"


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
        *FeedbackPageMixin.feedback_panels(),
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


class SafeguardingReviewTask(AbstractGroupApprovalTask):
    """Approval by a group, as Wagtail's own, that can also record the day a page was reviewed.

    The one task of the "Safeguarding review" workflow (migration 0009
    replaced Wagtail's group approval task with it, in place). Recording the
    review saves a revision in the reviewer's name, logged as "Review date
    recorded", and that revision is the one approval publishes.
    """

    REVIEW_RECORDED = "guidance.review_recorded"
    NEXT_REVIEW_AFTER = datetime.timedelta(days=365)

    def get_form_for_action(self, action):
        if action == "approve":
            return ReviewApprovalForm
        return super().get_form_for_action(action)

    def on_action(self, task_state, user, action_name, **kwargs):
        record_review = kwargs.pop("record_review", False)
        if action_name == "approve" and record_review:
            self.record_review_today(task_state, user)
        return super().on_action(task_state, user, action_name, **kwargs)

    def record_review_today(self, task_state, user):
        page = task_state.revision.as_object()
        if not isinstance(page, GuidancePage):
            return
        today = timezone.localdate()
        page.last_reviewed = today
        if page.next_review_due is None or page.next_review_due <= today:
            page.next_review_due = today + self.NEXT_REVIEW_AFTER
        task_state.revision = page.save_revision(
            user=user, log_action=self.REVIEW_RECORDED, clean=False
        )
        task_state.save(update_fields=["revision"])

    class Meta:
        verbose_name = "safeguarding review task"
        verbose_name_plural = "safeguarding review tasks"


# Defined beside the search code that fills it; imported here so that Django
# registers it with the app's other models whatever loads first.
from .search import NoResultsSearch  # noqa: E402, F401
