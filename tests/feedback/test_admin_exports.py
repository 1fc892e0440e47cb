"""Analysts download the "Page feedback" report as CSV and XLSX.

Downloads are parsed back with `csv` and openpyxl and compared with what
the filters select; each leaves one audit-log entry.
"""

import csv
import datetime
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.http import StreamingHttpResponse
from wagtail.models import ModelLogEntry

from feedback import exports
from feedback.audit import EXPORT_ACTION
from feedback.exports import EXPORT_COLUMNS
from feedback.models import VisitReason
from tests.feedback.factories import at, respond

# Every test here that uses the site tree may share one: build it once (tests/conftest.py).
SHARE_SITE_TREE = True

REPORT = "/admin/reports/feedback/"
HYPERLINK = '=HYPERLINK("https://evil.example","Click")'
PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def responses(site_tree):
    """Five responses in July 2026 and one in August, about two pages."""
    parent = VisitReason.objects.get(slug="parent-carer")
    professional = VisitReason.objects.get(slug="professional")
    sexting, grooming = site_tree.guidance, site_tree.other_guidance
    return {
        "early": respond(sexting, at=at(7, 1, hour=0, minute=30), useful=False, comment=HYPERLINK),
        "welsh": respond(sexting, at=at(7, 3), reason=parent, comment="Diolch yn fawr — ŵ ŷ 👍"),
        "plus": respond(
            grooming, at=at(7, 10), useful=False, reason=professional, comment="+44 20"
        ),
        "lines": respond(grooming, at=at(7, 20), comment='Two lines,\n"quoted"'),
        "late": respond(
            sexting, at=at(7, 31, hour=23, minute=59), useful=False, comment="@SUM(A1)"
        ),
        "august": respond(sexting, at=at(8, 1, hour=0, minute=1), comment="next month"),
    }


def download_csv(client, query=""):
    response = client.get(f"{REPORT}?export=csv&{query}")
    assert response.status_code == 200, response.content[:500]
    body = b"".join(response.streaming_content)
    return response, body


def csv_rows(body):
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"), newline="")))


def download_xlsx(client, query=""):
    response = client.get(f"{REPORT}?export=xlsx&{query}")
    assert response.status_code == 200, response.content[:500]
    content = b"".join(response.streaming_content)
    return response, openpyxl.load_workbook(io.BytesIO(content)).active


def test_csv_download_streams_with_a_bom_and_the_export_columns(client, analyst, responses):
    client.force_login(analyst)

    response, body = download_csv(client)

    assert isinstance(response, StreamingHttpResponse)
    assert not response.has_header("Content-Length")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="page-feedback')
    assert "no-store" in response["Cache-Control"]
    rows = csv_rows(body)
    assert rows[0] == EXPORT_COLUMNS
    assert [row[0] for row in rows[1:]] == [str(r.pk) for r in responses.values()]


def test_csv_cells_are_iso_dates_and_neutralised_formulas(client, analyst, responses):
    client.force_login(analyst)

    rows = {row[0]: row for row in csv_rows(download_csv(client)[1])[1:]}

    early = rows[str(responses["early"].pk)]
    assert early[1] == "2026-07-01T00:30:00+01:00"
    assert early[7] == "no"
    assert early[10] == "'" + HYPERLINK
    assert rows[str(responses["plus"].pk)][10] == "'+44 20"
    assert rows[str(responses["late"].pk)][10] == "'@SUM(A1)"
    welsh = rows[str(responses["welsh"].pk)]
    assert welsh[8:] == ["parent-carer", "I'm a parent or carer", "Diolch yn fawr — ŵ ŷ 👍", "no"]
    assert rows[str(responses["lines"].pk)][10] == 'Two lines,\n"quoted"'


def test_csv_holds_exactly_the_filtered_rows(client, analyst, responses, site_tree):
    client.force_login(analyst)

    july_not_useful = csv_rows(
        download_csv(client, "date_from=2026-07-01&date_to=2026-07-31&useful=false")[1]
    )
    assert [row[0] for row in july_not_useful[1:]] == [
        str(responses[name].pk) for name in ("early", "plus", "late")
    ]

    no_reason = csv_rows(download_csv(client, f"page={site_tree.topic.pk}&reason=null")[1])
    assert [row[0] for row in no_reason[1:]] == [
        str(responses[name].pk) for name in ("early", "lines", "late", "august")
    ]

    searched = csv_rows(download_csv(client, "q=quoted")[1])
    assert [row[0] for row in searched[1:]] == [str(responses["lines"].pk)]

    page_only = csv_rows(download_csv(client, f"page={site_tree.topic.pk}&scope=only")[1])
    assert page_only == [EXPORT_COLUMNS]


def test_the_report_lists_the_same_rows_as_the_download(client, analyst, responses):
    client.force_login(analyst)
    query = "date_from=2026-07-01&date_to=2026-07-31&useful=false"

    listed = client.get(f"{REPORT}?{query}").content.decode()
    downloaded = csv_rows(download_csv(client, query)[1])

    assert "There are 3 matches" in listed
    assert len(downloaded) == 4


def test_xlsx_download_has_the_same_rows_with_text_never_formulas(client, analyst, responses):
    client.force_login(analyst)

    response, sheet = download_xlsx(client, "date_from=2026-07-01&date_to=2026-07-31")

    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith(
        'attachment; filename="page-feedback_from-2026-07-01_to-2026-07-31.xlsx"'
    )
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == EXPORT_COLUMNS
    assert [row[0] for row in rows[1:]] == [
        responses[name].pk for name in ("early", "welsh", "plus", "lines", "late")
    ]
    first = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    assert first[10].value == HYPERLINK
    assert first[10].data_type == "s"  # text, not a formula
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert first[1].value == datetime.datetime(2026, 7, 1, 0, 30)  # a date cell, London time
    assert first[1].is_date
    assert rows[2][8:] == (
        "parent-carer",
        "I'm a parent or carer",
        "Diolch yn fawr — ŵ ŷ 👍",
        "no",
    )


def test_xlsx_above_the_worksheet_limit_is_refused_clearly(client, analyst, responses, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 4)
    client.force_login(analyst)

    response = client.get(f"{REPORT}?export=xlsx&useful=", follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(REPORT)
    assert "export=" not in response.redirect_chain[-1][0]
    assert "6 responses are more than one XLSX worksheet holds (4)" in page
    assert not ModelLogEntry.objects.filter(action=EXPORT_ACTION).exists()


def test_xlsx_bigger_than_the_admin_can_build_in_time_is_refused_clearly(
    client, analyst, responses, settings
):
    settings.FEEDBACK_ADMIN_XLSX_MAX_ROWS = 5
    client.force_login(analyst)

    refused = client.get(f"{REPORT}?export=xlsx", follow=True)
    assert "6 responses are more than the admin builds as XLSX (5)" in refused.content.decode()
    assert "download CSV (no limit)" in refused.content.decode()

    allowed = client.get(f"{REPORT}?export=xlsx&useful=false")
    assert allowed.status_code == 200
    assert allowed["Content-Type"] == exports.XLSX_CONTENT_TYPE


def test_a_download_with_an_invalid_filter_is_refused_not_widened(client, analyst, responses):
    client.force_login(analyst)

    response = client.get(f"{REPORT}?export=csv&date_from=2026-02-30", follow=True)

    assert not getattr(response, "streaming", False)
    assert "Correct the filters before downloading" in response.content.decode()
    assert not ModelLogEntry.objects.filter(action=EXPORT_ACTION).exists()


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_each_download_leaves_one_audit_entry_with_user_format_filters_and_rows(
    client, analyst, responses, export_format
):
    client.force_login(analyst)

    response = client.get(f"{REPORT}?export={export_format}&useful=false&q=")
    b"".join(response.streaming_content)

    entry = ModelLogEntry.objects.get(action=EXPORT_ACTION)
    assert entry.user == analyst
    assert entry.data == {
        "format": export_format,
        "filters": {"useful": "false"},
        "rows": 3,
        "source": "admin",
        "forces": ["localhost"],
    }
    assert entry.label == "Page feedback responses"
    assert entry.message == (
        f"Exported 3 feedback responses as {export_format.upper()} (admin); "
        "forces: localhost; filters: useful=false"
    )


def test_downloads_are_listed_in_site_history(client, analyst, responses, admin_user):
    client.force_login(analyst)
    b"".join(client.get(f"{REPORT}?export=csv").streaming_content)
    client.force_login(admin_user)

    history = client.get("/admin/reports/site-history/").content.decode()

    assert "Exported 6 feedback responses as CSV (admin)" in history
    assert "Page feedback responses" in history


def test_export_command_writes_xlsx_and_logs_the_export(responses, tmp_path):
    target = tmp_path / "feedback.xlsx"

    call_command(
        "export_feedback", "--format", "xlsx", "--output", str(target), stderr=io.StringIO()
    )

    sheet = openpyxl.load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 7
    assert rows[1][10] == HYPERLINK
    entry = ModelLogEntry.objects.get(action=EXPORT_ACTION)
    assert entry.user is None
    assert entry.data == {
        "format": "xlsx",
        "filters": {},
        "rows": 6,
        "source": "manage.py export_feedback",
        "forces": ["localhost"],
    }


def test_export_command_refuses_xlsx_without_a_file_or_above_the_limit(
    responses, tmp_path, monkeypatch
):
    with pytest.raises(CommandError, match="give --output FILE"):
        call_command("export_feedback", "--format", "xlsx")

    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 5)
    monkeypatch.setattr("feedback.management.commands.export_feedback.XLSX_MAX_ROWS", 5)
    target = tmp_path / "keep.xlsx"
    target.write_bytes(b"analyst's earlier file")
    with pytest.raises(CommandError, match="more than one XLSX worksheet holds"):
        call_command("export_feedback", "--format", "xlsx", "--output", str(target))
    assert target.read_bytes() == b"analyst's earlier file"


@pytest.fixture(scope="module")
def migrated_sqlite_env(tmp_path_factory, demo_databases):
    """Environment for running manage.py in a subprocess against a copy of the demo database."""
    database = tmp_path_factory.mktemp("cli") / "cli.sqlite3"
    demo_databases.fill(f"sqlite:///{database}")
    return {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": f"sqlite:///{database}",
    }


@pytest.mark.slow  # the demo database is migrated in a subprocess
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-02-30"], "'2026-02-30' is not a date in the form YYYY-MM-DD."),
        (["--page", "987654"], "There is no page with ID 987654."),
        (
            ["--force", "nowhere.example"],
            "There is no force (site) with the host name 'nowhere.example'.",
        ),
        (["--page", "x"], "argument --page: invalid int value: 'x'"),
        (["--format", "pdf"], "argument --format: invalid choice: 'pdf'"),
    ],
)
def test_export_command_rejects_bad_arguments_in_one_line_without_a_traceback(
    migrated_sqlite_env, args, message
):
    run = subprocess.run(
        [sys.executable, "manage.py", "export_feedback", *args],
        cwd=PROJECT,
        env=migrated_sqlite_env,
        capture_output=True,
        text=True,
    )

    assert run.returncode != 0
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1
    assert message in run.stderr
    assert "Traceback" not in run.stderr
