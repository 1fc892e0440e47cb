"""Weeks in "Feedback by page" run Monday to Sunday in London, across clock changes.

On PostgreSQL `figures.weekly` places responses among the weeks' first
moments worked out in Python; elsewhere the database truncates each
timestamp to its week. Both must give the hand-worked figures here.
"""

import datetime
import random

import pytest
from django.db import connection

from feedback.models import FeedbackResponse
from feedback.reports import figures
from tests.feedback.factories import at, respond


@pytest.fixture
def clock_changes(site_tree):
    """Responses either side of week ends, in GMT and BST (clocks change 29 Mar and 25 Oct).

    | week of | responses | useful |
    | 23 Mar  | 2         | 1      |  Sun 29 Mar 23:30 BST (22:30 UTC) is still that week
    | 30 Mar  | 1         | 1      |  Mon 30 Mar 00:30 BST is Sunday 23:30 in UTC
    | 6 Apr   | 0         | 0      |
    | 13 Apr  | 1         | 0      |
    | 19 Oct  | 2         | 2      |  Sun 25 Oct 01:30 twice (BST, then GMT)
    | 26 Oct  | 1         | 0      |  Mon 26 Oct 00:00 GMT
    """
    page = site_tree.guidance
    respond(page, at=at(3, 23, hour=0, minute=0), useful=False)
    respond(page, at=at(3, 29, hour=23, minute=30))
    respond(page, at=at(3, 30, hour=0, minute=30))
    respond(page, at=at(4, 19, hour=23, minute=59), useful=False)
    first_half_past_one = datetime.datetime(2026, 10, 25, 0, 30, tzinfo=datetime.UTC)
    respond(page, at=first_half_past_one)
    respond(page, at=first_half_past_one + datetime.timedelta(hours=1))
    respond(page, at=at(10, 26, hour=0, minute=0), useful=False)
    return FeedbackResponse.objects.all()


def figures_of(weekly):
    return [(str(week.starts), week.responses, week.useful) for week in weekly.weeks]


def test_weeks_around_the_spring_clock_change(clock_changes):
    spring = clock_changes.filter(submitted_at__lt=at(5, 1))

    weeks = figures_of(figures.weekly(spring, datetime.date(2026, 3, 25), at(4, 19).date()))

    assert weeks == [
        ("2026-03-23", 2, 1),
        ("2026-03-30", 1, 1),
        ("2026-04-06", 0, 0),
        ("2026-04-13", 1, 0),
    ]


def test_weeks_run_from_the_first_response_to_the_last_without_bounds(clock_changes):
    weeks = figures_of(figures.weekly(clock_changes))

    assert weeks[:2] == [("2026-03-23", 2, 1), ("2026-03-30", 1, 1)]
    assert weeks[-2:] == [("2026-10-19", 2, 2), ("2026-10-26", 1, 0)]
    assert len(weeks) == 32
    assert sum(week[1] for week in weeks) == 7


def test_weeks_with_one_bound_and_outside_responses(clock_changes):
    autumn = figures_of(figures.weekly(clock_changes, first_day=datetime.date(2026, 10, 20)))
    assert autumn == [("2026-10-19", 2, 2), ("2026-10-26", 1, 0)]

    # Responses outside the weeks asked for are left out of them.
    shown = figures_of(figures.weekly(clock_changes, at(3, 30).date(), at(4, 1).date()))
    assert shown == [("2026-03-30", 1, 1)]


def test_no_responses_means_no_weeks_unless_the_period_is_given(db):
    nothing = FeedbackResponse.objects.none()

    assert figures.weekly(nothing).weeks == []
    assert figures.weekly(FeedbackResponse.objects.all()).weeks == []
    assert figures_of(figures.weekly(nothing, at(7, 1).date(), at(7, 14).date())) == [
        ("2026-06-29", 0, 0),
        ("2026-07-06", 0, 0),
        ("2026-07-13", 0, 0),
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL way only")
def test_weeks_by_boundaries_agree_with_weeks_truncated_by_the_database(site_tree):
    rng = random.Random(13)  # noqa: S311 - repeatable test data, not secrets
    start = datetime.datetime(2025, 12, 1, tzinfo=datetime.UTC)
    for _ in range(150):
        moment = start + datetime.timedelta(seconds=rng.randrange(400 * 86400))
        respond(site_tree.guidance, at=moment, useful=rng.random() < 0.5)
    responses = FeedbackResponse.objects.filter(page__path__startswith=site_tree.topic.path)

    expected = figures._weeks_truncated(responses)
    assert figures._weeks_by_boundaries(responses, None, None) == expected
    assert figures._weeks_by_boundaries(responses, datetime.date(2025, 1, 1), None) == expected
    assert sum(count for count, _ in expected.values()) == 150
