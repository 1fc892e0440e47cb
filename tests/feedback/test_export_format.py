"""The fast CSV writer makes exactly what `csv.writer` makes from `export_rows`.

`feedback.exports.csv_batches` builds each line itself rather than through
`csv.writer` (for speed), and reads timestamps as UTC text converted from a
per-hour table (`LocalTimes`). These tests hold both to the reference: the
cells of `export_rows` written by `csv.writer`, and `datetime.astimezone()`.
"""

import csv
import datetime
import io
import random
import zoneinfo

import pytest
from django.db import connection

from feedback import exports
from feedback.exports import LocalTimes, csv_batches, export_rows
from feedback.models import FeedbackResponse, VisitReason
from portal.spreadsheets import FORMULA_TRIGGERS
from tests.feedback.factories import LONDON, FeedbackResponseFactory, at, respond

AWKWARD = [
    "",
    "plain",
    "a, comma",
    'a "quote"',
    '"',
    "two\nlines",
    "carriage\rreturn",
    "both\r\nends",
    " leading space",
    "trailing space ",
    "'already quoted",
    "Diolch — ŵ ŷ 👍",
    "ﬀ ﬁ \u200b zero width",
    *(trigger + "cmd" for trigger in FORMULA_TRIGGERS if trigger != "\0"),
    '=HYPERLINK("https://example.org","Click")',
    '-1,"2"\n3',
    # Disclosure phrases, so the flag is compared too.
    "he is HURTING\n  me",
    '"hurting me", she said',
    "=hurting me",
]


def reference_csv(queryset):
    """What the export was before it wrote its own lines: `csv.writer` over `export_rows`."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(export_rows(queryset))
    return buffer.getvalue()


def fast_csv(queryset):
    return "".join(text for text, _ in csv_batches(queryset))


@pytest.fixture
def awkward_responses(site_tree):
    """Responses whose every text cell is awkward, about live and deleted pages."""
    reasons = list(VisitReason.objects.all()) + [None]
    pages = [site_tree.guidance, site_tree.other_guidance]
    moment = at(3, 29, hour=0, minute=59)  # around the clocks going forward
    texts = list(AWKWARD)
    if connection.vendor == "sqlite":
        texts += ["\0nul first", "nul \0 inside"]  # PostgreSQL text cannot hold NUL
    made = []
    for number, text in enumerate(texts):
        moment += datetime.timedelta(minutes=7, seconds=13, microseconds=number * 1000)
        made.append(
            respond(
                pages[number % 2],
                at=moment,
                useful=number % 3 == 0,
                comment=text,
                reason=reasons[number % len(reasons)],
            )
        )
    for number, text in enumerate(texts):
        made.append(
            FeedbackResponseFactory(
                page=None,
                page_title=text or "untitled",
                page_path=f"/{text}/",
                submitted_at=at(10, 25, hour=1, minute=number % 60),  # the clocks go back
                useful=False,
                comment=text[::-1],
            )
        )
    return made


def test_fast_csv_is_what_csv_writer_makes_of_every_awkward_cell(awkward_responses):
    responses = FeedbackResponse.objects.all()

    assert fast_csv(responses) == reference_csv(responses)
    rows = list(csv.reader(io.StringIO(fast_csv(responses), newline="")))
    assert {row[-1] for row in rows} == {"yes", "no"}
    sent = {
        str(pk): moment.astimezone(LONDON).isoformat(timespec="seconds")
        for pk, moment in responses.values_list("pk", "submitted_at")
    }
    assert {row[0]: row[1] for row in rows} == sent
    assert len(rows) == len(awkward_responses)


def test_fast_csv_is_the_same_whatever_the_batch_size(awkward_responses, monkeypatch):
    responses = FeedbackResponse.objects.all()
    whole = fast_csv(responses)

    monkeypatch.setattr(exports, "CHUNK_SIZE", 4)
    batches = list(csv_batches(responses))

    assert len(batches) == -(-len(awkward_responses) // 4)
    assert [rows for _, rows in batches][:-1] == [4] * (len(batches) - 1)
    assert "".join(text for text, _ in batches) == whole


def test_no_exported_csv_cell_starts_as_a_formula(awkward_responses):
    rows = list(csv.reader(io.StringIO(fast_csv(FeedbackResponse.objects.all()), newline="")))

    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)]
    assert "'=cmd" in cells
    assert "'" + '=HYPERLINK("https://example.org","Click")' in cells
    assert "'=hurting me" in cells


def test_reason_codes_and_labels_are_neutralised_too(site_tree):
    reason = VisitReason.objects.create(label="+ Other", slug="-other")
    respond(site_tree.guidance, at=at(7, 1), reason=reason)

    row = next(csv.reader(io.StringIO(fast_csv(FeedbackResponse.objects.all()))))

    assert row[8:10] == ["'-other", "'+ Other"]
    assert list(export_rows(FeedbackResponse.objects.all(), neutralise=False))[0][8:10] == [
        "-other",
        "+ Other",
    ]


def moments_around_changes(zone, year):
    """Every 20 minutes and 7 seconds of the days the offset changes, and random moments."""
    rng = random.Random(year)  # noqa: S311 - repeatable test data, not secrets
    start = datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)
    moments = [start + datetime.timedelta(seconds=rng.randrange(366 * 86400)) for _ in range(300)]
    offset = start.astimezone(zone).utcoffset()
    for day in range(366):
        noon = start + datetime.timedelta(days=day, hours=12)
        if noon.astimezone(zone).utcoffset() != offset:
            offset = noon.astimezone(zone).utcoffset()
            first = noon - datetime.timedelta(days=2)
            moments += [first + datetime.timedelta(seconds=1207 * n) for n in range(216)]
    return moments


@pytest.mark.parametrize(
    ("zone_name", "year"),
    [
        ("Europe/London", 2026),
        ("UTC", 2026),
        ("America/New_York", 2026),  # negative offsets
        ("America/St_Johns", 2026),  # -03:30 and -02:30
        ("Asia/Kolkata", 2026),  # +05:30
        ("Australia/Lord_Howe", 2026),  # the clocks move by 30 minutes
        ("Asia/Kathmandu", 1986),  # +05:30 to +05:45
        ("Europe/London", 1847),  # London mean time, -00:01:15, until December 1847
    ],
)
def test_local_times_match_astimezone_isoformat(zone_name, year):
    zone = zoneinfo.ZoneInfo(zone_name)
    local_time = LocalTimes(zone)

    for moment in moments_around_changes(zone, year):
        for micro in (0, 415955):
            moment = moment.replace(microsecond=micro)
            text = exports.utc_text(moment)
            expected = moment.astimezone(zone).isoformat(timespec="seconds")
            assert local_time(text) == expected, text
            assert local_time(text + "+00") == expected  # PostgreSQL's timestamptz text


def test_utc_text_is_what_the_database_gives(site_tree):
    response = respond(site_tree.guidance, at=at(7, 1, hour=9, minute=30))
    stamp = datetime.datetime(2026, 7, 1, 8, 30, 5, 123456, tzinfo=datetime.UTC)
    FeedbackResponse.objects.filter(pk=response.pk).update(submitted_at=stamp)

    text = (
        FeedbackResponse.objects.annotate(text=exports.UTCText("submitted_at"))
        .values_list("text", flat=True)
        .get()
    )

    assert text == exports.utc_text(stamp) == "2026-07-01 08:30:05.123456"
    assert exports.utc_text(stamp.replace(microsecond=0)) == "2026-07-01 08:30:05"


def test_local_times_keep_only_a_few_hours(monkeypatch):
    monkeypatch.setattr(LocalTimes, "KEEP", 3)
    zone = zoneinfo.ZoneInfo("Europe/London")
    local_time = LocalTimes(zone)

    for moment in moments_around_changes(zone, 2026)[:400]:
        assert local_time(exports.utc_text(moment)) == moment.astimezone(zone).isoformat(
            timespec="seconds"
        )
        assert len(local_time.hours) <= 3
