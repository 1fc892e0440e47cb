"""Page feedback on two forces, and analysts who work for one force or for every force.

`two_forces_with_feedback(site_tree)` adds Southdale (tests/support/forces.py)
beside the site tree's force on `localhost`, gives it a guidance page of its
own, and sends answers on each force, including one about a deleted page at
the same path on both. `force_analysts(site, name)` makes a staff group that
may read and download feedback and works for that one force only (a
`ForceGroup`); "Feedback analysts", the group the migrations make, works for
every force.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from portal.models import ForceGroup
from tests.feedback.factories import FeedbackResponseFactory, respond
from tests.guidance.factories import GuidancePageFactory
from tests.support.forces import add_force

ANALYST_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("feedback", "view_feedbackresponse"),
    ("feedback", "export_feedbackresponse"),
]
# Words only the second force's answers and pages hold: never shown to the first force's staff.
SECOND_COMMENT = "Southdale secret: the page about sending photos scared me"
SECOND_PAGE_TITLE = "Southdale sexting"
SECOND_DELETED_TITLE = "Southdale old advice"
DELETED_PATH = "/online-safety/old-advice/"  # the same path on both forces


@dataclass
class TwoForces:
    first: object  # the site tree (tests/support/site.py): its `site` is localhost
    second: object  # `forces.Force`: Southdale's site, home and topic
    second_page: object  # Southdale's guidance page
    first_responses: list
    second_responses: list

    @property
    def first_site(self):
        return self.first.site

    @property
    def second_site(self):
        return self.second.site


def force_analysts(site, name):
    """A group that may read and download feedback, for the force `site` only."""
    group = Group.objects.create(name=name)
    for app_label, codename in ANALYST_PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    ForceGroup.objects.create(group=group, site=site)
    return group


def _days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def two_forces_with_feedback(site_tree):
    """Three answers on each force, sent in the last week (see the module docstring).

    First force: "Sexting" (not useful, a comment), "Grooming" (useful), a
    deleted "Old advice" (not useful). Southdale: its own page twice (useful
    with `SECOND_COMMENT`, and not useful), and its deleted page (useful).
    """
    second = add_force()
    page = GuidancePageFactory(parent=second.topic, title=SECOND_PAGE_TITLE, slug="sexting")
    page.save_revision().publish()
    page.refresh_from_db()
    first = [
        respond(site_tree.guidance, at=_days_ago(5), useful=False, comment="The law part was hard"),
        respond(site_tree.other_guidance, at=_days_ago(4), comment="Clear, thank you"),
        FeedbackResponseFactory(
            page=None,
            site=site_tree.site,
            page_title="Old advice",
            page_path=DELETED_PATH,
            useful=False,
            submitted_at=_days_ago(3),
        ),
    ]
    second_responses = [
        respond(page, at=_days_ago(5), comment=SECOND_COMMENT),
        respond(page, at=_days_ago(2), useful=False),
        FeedbackResponseFactory(
            page=None,
            site=second.site,
            page_title=SECOND_DELETED_TITLE,
            page_path=DELETED_PATH,
            submitted_at=_days_ago(1),
        ),
    ]
    return TwoForces(site_tree, second, page, first, second_responses)
