"""Feedback per force: whose responses a member of staff reads, and the forces' names.

A response belongs to the force (Wagtail `Site`) it was sent on
(`FeedbackResponse.site`). `portal.models.forces_of(user)` says which
forces a member of staff works for (None: every force), and
`FeedbackResponse.objects.visible_to(user)` gives exactly their responses.

The screens need a little more than the rows, so `scope_of(request)` reads
it once per request as a `ForceScope`:

- `responses()`: the responses they may see (`of_forces`, as `visible_to`);
- `sites`: the forces shown, by name; with `several` of them the reports
  add a "Force" filter and column and the downloads a `force` column;
- `page_filter()` and `pages()`: the pages in those forces' trees (the page
  filter's choices, "Feedback by version", the Reading age report);
- `name(site_id)`, `hostnames()`: labels for screens, downloads and the
  audit log.

Staff who work for every force see every response, including those whose
force was since deleted (they have no site); everyone else sees only their
forces' responses, and a member of staff in no group sees none.
"""

from dataclasses import dataclass

from django.db.models import Q
from wagtail.models import Page, Site

from portal.models import forces_of

from .models import FeedbackResponse

NO_FORCE = "No force"  # a response whose site was deleted (seen by national staff only)


def force_label(site):
    """What staff call a force: its site name, else its host name."""
    return site.site_name or site.hostname


@dataclass(frozen=True)
class ForceScope:
    forces: frozenset | None  # forces_of(user): Site ids, or None for every force
    sites: tuple  # the Sites shown, by name (every Site when `forces` is None)

    @classmethod
    def of_user(cls, user):
        forces = forces_of(user)
        sites = Site.objects.select_related("root_page")
        if forces is not None:
            sites = sites.filter(pk__in=list(forces))
        return cls(forces, tuple(sorted(sites, key=lambda s: (force_label(s).lower(), s.pk))))

    @property
    def several(self):
        """True when more than one force's responses may be shown."""
        return len(self.sites) > 1

    def responses(self):
        """The responses these forces' staff may see: start every report here."""
        return FeedbackResponse.objects.of_forces(self.forces)

    def page_filter(self):
        """A `Q` on pages (`path`) keeping those in these forces' trees; all for every force."""
        if self.forces is None:
            return Q()
        roots = [site.root_page.path for site in self.sites]
        if not roots:
            return Q(pk__in=[])
        query = Q(path__startswith=roots[0])
        for root in roots[1:]:
            query |= Q(path__startswith=root)
        return query

    def pages(self):
        """The pages in these forces' trees (every page for every force)."""
        return Page.objects.filter(self.page_filter())

    def choices(self):
        """[(site id, name)] for the "Force" filter."""
        return [(site.pk, force_label(site)) for site in self.sites]

    def name(self, site_id):
        """The force's name for a screen, `NO_FORCE` when the response has none."""
        return self._names().get(site_id, NO_FORCE)

    def hostname(self, site_id):
        """The force's host name for a download ("" when the response has none)."""
        return next((site.hostname for site in self.sites if site.pk == site_id), "")

    def hostnames(self, site_ids=None):
        """The host names of the forces shown (or of `site_ids` among them), for audit records."""
        return [
            site.hostname for site in self.sites if site_ids is None or site.pk in set(site_ids)
        ]

    def sites_of_page(self, page):
        """The ids of the forces shown whose tree holds `page`."""
        return [site.pk for site in self.sites if page.path.startswith(site.root_page.path)]

    def _names(self):
        return {site.pk: force_label(site) for site in self.sites}


def scope_of(request):
    """The `ForceScope` of the request's user, read once per request."""
    scope = getattr(request, "_feedback_scope", None)
    if scope is None:
        scope = request._feedback_scope = ForceScope.of_user(request.user)
    return scope
