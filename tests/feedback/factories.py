"""Factories for feedback responses, and the moments tests say they were sent.

`FeedbackResponseFactory` snapshots the page as `feedback.views` does (its
force, live revision, title and path) and can back-date `submitted_at`,
which the model otherwise sets to "now" on save. `respond` is the short
form the tests call; `at` names a moment in London in 2026, the year the
fixtures are set in.
"""

import datetime
import zoneinfo

import factory

from feedback.models import FeedbackResponse

LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(month, day, *, hour=12, minute=0, year=2026):
    """An aware datetime in London: `at(7, 1, hour=0, minute=30)` is 00:30 on 1 July 2026."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


class FeedbackResponseFactory(factory.django.DjangoModelFactory):
    """A visitor's answer about `page` (always pass one), saved as the view saves it.

    Pass `submitted_at` to move the answer to that moment; without it the
    answer is sent "now". Pass `page_title` and `page_path` with `page=None`
    for an answer about a page that has since been deleted (pass its `site`
    too, or it belongs to no force).
    """

    page = None
    # The force the answer was sent on: the page's own site, as a visitor on it would.
    site = factory.LazyAttribute(lambda o: o.page.get_site() if o.page else None)
    page_revision = factory.LazyAttribute(lambda o: o.page.live_revision if o.page else None)
    page_title = factory.LazyAttribute(lambda o: o.page.title)
    page_path = factory.LazyAttribute(lambda o: o.page.url)
    useful = True
    reason = None
    comment = ""

    class Meta:
        model = FeedbackResponse

    @classmethod
    def _create(cls, model_class, *args, submitted_at=None, **kwargs):
        response = super()._create(model_class, *args, **kwargs)
        if submitted_at is not None:
            # auto_now_add sets submitted_at on save; move it to the moment the test needs.
            model_class.objects.filter(pk=response.pk).update(submitted_at=submitted_at)
            response.submitted_at = submitted_at
        return response


def respond(page, *, at, useful=True, comment="", reason=None):
    """One answer about `page`, sent at the moment `at`."""
    return FeedbackResponseFactory(
        page=page, submitted_at=at, useful=useful, comment=comment, reason=reason
    )
