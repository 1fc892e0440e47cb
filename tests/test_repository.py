"""The repository explains itself: nothing points outside it for the rules or the design."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".git", ".venv", "node_modules", "staticfiles", "media", "docs", "__pycache__"}
OUTSIDE_REFERENCES = ("DESIGN.md", "shared/seeds", "../shared")


def repository_files():
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if (
            path.is_file()
            and not SKIPPED_DIRS.intersection(relative.parts)
            and path.suffix in {".py", ".js", ".css", ".html", ".md", ".txt", ".toml", ".yaml"}
        ):
            yield relative, path


def test_no_file_outside_docs_points_at_documents_that_are_not_in_the_repository():
    offenders = [
        f"{relative}: {needle}"
        for relative, path in repository_files()
        for needle in OUTSIDE_REFERENCES
        if needle in path.read_text(encoding="utf-8", errors="replace")
        and relative != Path(__file__).relative_to(ROOT)
    ]

    assert offenders == []


def test_the_readme_leads_newcomers_to_the_architecture_map():
    readme = (ROOT / "README.md").read_text()

    assert "(docs/architecture.md)" in readme
    architecture = (ROOT / "docs/architecture.md").read_text()
    for place in [
        "guidance/blocks.py",
        "SignpostingContact",
        "feedback/forms.py",
        "ReportView",
        "feedback/exports.py",
    ]:
        assert place in architecture, place
