"""`manage.py purge_feedback` deletes feedback past its retention period, for cron."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback.models import FeedbackResponse
from tests.feedback.factories import respond

# Every test here that uses the site tree may share one: build it once (tests/conftest.py).
SHARE_SITE_TREE = True


def purge(*args):
    out = io.StringIO()
    call_command("purge_feedback", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def ages(site_tree):
    """Responses 1, 29, 31 and 800 days old, by primary key."""
    now = timezone.now()
    return {
        days: respond(site_tree.guidance, at=now - datetime.timedelta(days=days)).pk
        for days in (1, 29, 31, 800)
    }


def remaining():
    return set(FeedbackResponse.objects.values_list("pk", flat=True))


def test_older_than_30_days_removes_exactly_the_older_rows(ages):
    output = purge("--older-than", "30")

    assert remaining() == {ages[1], ages[29]}
    assert output.startswith("Deleted 2 feedback responses older than 30 days (sent before ")
    assert output.count("\n") == 1


def test_dry_run_counts_and_removes_nothing(ages):
    output = purge("--older-than", "30", "--dry-run")

    assert remaining() == set(ages.values())
    assert output.startswith("Would delete 2 feedback responses older than 30 days")


def test_default_age_is_the_retention_setting(ages, settings):
    settings.FEEDBACK_RETENTION_DAYS = 730

    assert purge().startswith("Deleted 1 feedback response older than 730 days")
    assert remaining() == {ages[1], ages[29], ages[31]}


def test_running_twice_is_harmless(ages):
    purge("--older-than", "30")

    assert purge("--older-than", "30").startswith("Deleted 0 feedback responses")
    assert remaining() == {ages[1], ages[29]}


def test_the_purge_is_one_delete_statement(ages):
    with CaptureQueriesContext(connection) as queries:
        purge("--older-than", "30")

    deletes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("DELETE")]
    assert len(deletes) == 1
    assert "submitted_at" in deletes[0]


@pytest.mark.parametrize(
    ("value", "message"),
    [("thirty", "whole number of days"), ("0", "at least 1 day"), ("-5", "at least 1 day")],
)
def test_bad_ages_are_refused_and_nothing_is_deleted(ages, value, message):
    with pytest.raises(CommandError, match=message):
        purge("--older-than", value)

    assert remaining() == set(ages.values())
