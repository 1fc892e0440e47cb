"""Analysts export feedback as CSV with `manage.py export_feedback`."""

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from feedback.exports import EXPORT_COLUMNS
from feedback.models import VisitReason
from tests.feedback.factories import at, respond
from tests.guidance.factories import GuidancePageFactory


def export(*args):
    out = io.StringIO()
    call_command("export_feedback", *args, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


@pytest.fixture
def responses(site_tree):
    reason = VisitReason.objects.get(slug="professional")
    summer = at(7, 1, hour=9, minute=30)
    return [
        respond(site_tree.guidance, at=summer, useful=False, comment='=HYPERLINK("x")'),
        respond(
            site_tree.other_guidance,
            at=summer + datetime.timedelta(days=10),
            reason=reason,
            comment="Clear and kind",
        ),
        respond(site_tree.guidance, at=at(12, 1)),
    ]


def test_export_has_the_documented_columns_and_one_row_per_response(responses, site_tree):
    rows = export()

    assert rows[0] == EXPORT_COLUMNS
    # Written as the header line the README documents, hence split.
    assert rows[0] == (  # noqa: SIM905
        "id,submitted_at,page_id,page_revision_id,page_version,page_title,page_path,"
        "useful,reason_code,reason,comment,possible_disclosure"
    ).split(",")
    first, second, third = rows[1:]
    assert first[:2] == [str(responses[0].pk), "2026-07-01T09:30:00+01:00"]
    assert first[2] == str(site_tree.guidance.pk)
    assert first[5:8] == ["Sexting", "/online-safety/sexting/", "no"]
    assert second[7:] == [
        "yes",
        "professional",
        "I'm a teacher or professional working with young people",
        "Clear and kind",
        "no",
    ]
    assert third[1] == "2026-12-01T12:00:00+00:00"
    assert len(rows) == 4


@pytest.mark.parametrize("dangerous", ["=1+1", "+44 20", "-2", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_cells_a_spreadsheet_would_run_are_neutralised(site_tree, dangerous):
    respond(site_tree.guidance, at=at(7, 1, hour=0), comment=dangerous)

    assert export()[1][EXPORT_COLUMNS.index("comment")] == "'" + dangerous


def test_export_filters_by_dates_and_page_subtree(responses, site_tree):
    july = export("--since", "2026-07-01", "--until", "2026-07-31")
    assert [row[0] for row in july[1:]] == [str(responses[0].pk), str(responses[1].pk)]

    only_first_day = export("--until", "2026-07-01")
    assert [row[0] for row in only_first_day[1:]] == [str(responses[0].pk)]

    topic = export("--page", str(site_tree.topic.pk))
    assert len(topic) == 4
    grooming = export("--page", str(site_tree.other_guidance.pk))
    assert [row[0] for row in grooming[1:]] == [str(responses[1].pk)]


def test_export_writes_to_a_file(responses, tmp_path):
    target = tmp_path / "feedback.csv"
    call_command("export_feedback", "--output", str(target), stderr=io.StringIO())

    with target.open(newline="", encoding="utf-8") as stream:
        assert len(list(csv.reader(stream))) == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-02-30"], "is not a date"),
        (["--until", "yesterday"], "is not a date"),
        (["--since", "2026-08-01", "--until", "2026-07-01"], "must not be later"),
        (["--page", "987654"], "no page with ID 987654"),
    ],
)
def test_bad_arguments_are_refused_clearly(db, args, message):
    with pytest.raises(CommandError, match=message):
        export(*args)


def test_deleted_page_is_exported_with_its_snapshot(responses, site_tree):
    site_tree.guidance.delete()

    rows = export()

    deleted = [row for row in rows[1:] if row[5] == "Sexting"]
    assert len(deleted) == 2
    assert all(row[2] == "" and row[6] == "/online-safety/sexting/" for row in deleted)


def test_new_pages_have_no_responses_yet(site_tree):
    page = GuidancePageFactory(parent=site_tree.topic, title="Online grooming")

    assert export("--page", str(page.pk)) == [EXPORT_COLUMNS]
