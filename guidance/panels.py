"""Editor panels of the guidance pages that show more than a field.

- `ReadingAgePanel`: the reading age of the version being edited, against
  its topic's target, with the hardest sentences (docs/reading_age.md).
  Added to `GuidancePage.content_panels` (guidance/models/pages.py): this
  module sits below the models and imports none of them.
"""

from dataclasses import dataclass

from wagtail.admin.panels import Panel
from wagtail.models import Revision

from .reading_age import DEFAULT_TARGET, FEW_WORDS, FORMULA, estimate, rounded


def target_for(parent):
    """The target reading age for a guidance page under `parent` (a page, or None).

    A topic page has its own (`TopicPage.target_reading_age`); any other
    parent, or none, gives `DEFAULT_TARGET`.
    """
    parent = parent.specific_deferred if parent is not None else None
    return getattr(parent, "target_reading_age", DEFAULT_TARGET)


# What the editor's panel describes (`ReadingAgePanel`).
LIVE = "live"  # the live version: no unpublished changes
DRAFT = "draft"  # the latest draft of a page that is live
DRAFT_NOT_LIVE = "draft_not_live"  # the latest draft of a page that is not live
EARLIER = "earlier"  # an earlier revision, opened to revert to it
NEW = "new"  # a page not saved yet


@dataclass(frozen=True)
class Version:
    """Which version of a page the editor's panel describes, and its text."""

    kind: str
    page: object  # the page as that version has it
    saved_at: object = None  # when it was saved or published
    unsaved_changes: bool = False  # the form holds changes that could not be saved


def version_in_editor(page, form, request):
    """The version the editor is working on, for the panel.

    Wagtail's editor opens the latest revision (`self.instance`), or an
    earlier one on its "revert" screen. When a form comes back with errors
    its instance holds only the fields that validated, so the panel
    describes the latest saved version instead and says the changes are not
    saved. After an autosave the instance is the version just saved.
    """
    if page.pk is None:
        return Version(NEW, page)
    unsaved = bool(form is not None and form.is_bound and form.errors)
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name == "wagtailadmin_pages:revisions_revert":
        revision = Revision.page_revisions.filter(
            object_id=str(page.pk), pk=match.kwargs.get("revision_id")
        ).first()
        if revision is not None:
            shown = page if not unsaved else revision.as_object()
            return Version(EARLIER, shown, revision.created_at, unsaved)
    if unsaved:
        page = type(page).objects.get(pk=page.pk).get_latest_revision_as_object()
    if not page.live:
        return Version(DRAFT_NOT_LIVE, page, page.latest_revision_created_at, unsaved)
    if page.has_unpublished_changes:
        return Version(DRAFT, page, page.latest_revision_created_at, unsaved)
    return Version(LIVE, page, page.last_published_at, unsaved)


class ReadingAgePanel(Panel):
    """The reading age of the version being edited, the topic's target and the hardest sentences.

    Read-only: it adds no form fields. The figures are worked out when the
    panel is shown, from the version the editor holds (`version_in_editor`),
    and the panel says which version that is; for a draft of a live page it
    also gives the live version's stored figure. Rendered again after each
    autosave (`reading_age_panel_update` in
    templates/wagtailadmin/pages/edit_partials.html).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("heading", "Reading age")
        kwargs.setdefault("icon", "glasses")
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "guidance/admin/reading_age_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            parent = getattr(self.form, "parent_page", None)
            if parent is None and page.pk is not None:
                parent = page.get_parent()
            target = target_for(parent)
            version = version_in_editor(page, self.form, self.request)
            shown = version.page
            figures = estimate(shown.title, shown.summary, shown.body)
            age = figures.reading_age
            live_age = page.reading_age if page.live and version.kind in (DRAFT, EARLIER) else None
            context.update(
                {
                    "formula": FORMULA,
                    "target": target,
                    "version": version,
                    "reading_age": age,
                    "over_target": rounded(age - target) if age is not None else None,
                    "words": figures.words,
                    "few_words": age is not None and figures.words < FEW_WORDS,
                    "hardest": figures.hardest,
                    "live_reading_age": live_age,
                }
            )
            return context

    @classmethod
    def bound_in(cls, bound_panel):
        """This panel's bound copy in a bound panel tree (an editor's `edit_handler`), or None."""
        if isinstance(bound_panel, cls.BoundPanel):
            return bound_panel
        for child in getattr(bound_panel, "children", None) or []:
            found = cls.bound_in(child)
            if found is not None:
                return found
        return None
