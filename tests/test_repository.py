"""The repository explains itself: nothing points outside it for the rules or the design."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


TESTS = ROOT / "tests"


def imported_modules(path, package):
    """(line, modules) for each import in a file, at the top or inside a function.

    Relative imports are resolved against `package`; `from a.b import c`
    gives `a.b` and `a.b.c`, since c may be a module.
    """
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield node.lineno, [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            module = ".".join([*base, node.module] if node.level else [node.module or ""])
            module = module.strip(".")
            yield node.lineno, [module, *(f"{module}.{alias.name}" for alias in node.names)]


def is_test_module_or_conftest(module):
    return any(part.startswith("test_") or part == "conftest" for part in module.split("."))


def imports_of_test_modules(tests_folder):
    """Each import under `tests_folder` of a `test_*` module or a conftest: "file:line module"."""
    offenders = []
    for path in sorted(tests_folder.rglob("*.py")):
        relative = path.relative_to(tests_folder.parent)
        package = ".".join(relative.parent.parts)
        for line, modules in imported_modules(path, package):
            caught = [module for module in modules if is_test_module_or_conftest(module)]
            if caught:
                offenders.append(f"{relative}:{line} {caught[0]}")
    return offenders


def test_no_test_module_imports_from_a_test_module_or_a_conftest():
    """What tests share lives in tests/support/ or an app's factories, never in a test or conftest.

    A helper imported from a test module drags that module's tests, fixtures and
    marks along, and pytest may collect them twice; a conftest is pytest's to load.
    """
    assert imports_of_test_modules(TESTS) == []


@pytest.mark.parametrize(
    "planted",
    [
        "from tests.test_outages import page_id",
        "from tests.guidance.test_admin_editing import every_block",
        "import tests.feedback.test_history",
        "from tests.conftest import site_tree",
        "from tests.browser import conftest",
        "from .test_reports import render_page_panel",
        "def helper():\n    from ..test_scale_out import StaffBrowser",
    ],
)
def test_an_import_from_a_test_module_or_a_conftest_is_caught(tmp_path, planted):
    package = tmp_path / "tests" / "feedback"
    package.mkdir(parents=True)
    (package / "helpers.py").write_text(f"from tests.support.html import parse\n{planted}\n")

    assert imports_of_test_modules(tmp_path / "tests") != []
    (package / "helpers.py").write_text("from tests.support.html import parse\n")
    assert imports_of_test_modules(tmp_path / "tests") == []


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


LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACT_PACKAGES = ("guidance", "feedback", "portal")


def lint_imports(folder):
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(folder)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def copy_of_the_packages(folder):
    ignored = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in CONTRACT_PACKAGES:
        shutil.copytree(ROOT / package, folder / package, ignore=ignored)
    shutil.copy(ROOT / ".importlinter", folder / ".importlinter")
    return folder


def test_the_import_contracts_are_kept():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "upward_import", "broken_contract"),
    [
        ("portal/cache.py", "import guidance", "Layers"),
        ("portal/mail.py", "from feedback import models", "Layers"),
        ("feedback/exports.py", "from guidance.models import GuidancePage", "Layers"),
        ("portal/settings/base.py", "import guidance.views", "Settings import nothing"),
        ("guidance/models/pages.py", "from guidance import views", "models sit below"),
        ("feedback/models.py", "from feedback.reports import responses", "models sit below"),
    ],
)
def test_an_upward_import_breaks_the_contracts(tmp_path, module, upward_import, broken_contract):
    """The contracts bite: one import pointing up, added on purpose, fails `lint-imports`."""
    folder = copy_of_the_packages(tmp_path)
    assert lint_imports(folder).returncode == 0
    target = folder / module
    target.write_text(target.read_text() + f"\n{upward_import}  # noqa: E402, F401\n")

    result = lint_imports(folder)

    assert result.returncode != 0
    assert f"{broken_contract}" in result.stdout.split("Broken contracts", 1)[-1]


APP_PACKAGES = ("guidance", "feedback", "portal")
MAX_MODULE_LINES = 400
# Long by nature: the demo site's own words.
LONG_MODULES_ALLOWED = {Path("guidance/demo_content.py")}
# Imported on first use, by design: textstat loads NLTK (a third of a second),
# which serving pages never needs (guidance/reading_age.py).
FUNCTION_IMPORTS_ALLOWED = {(Path("guidance/reading_age.py"), "_textstat")}


def app_modules():
    for package in APP_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" not in relative.parts:
                yield relative, path


def test_no_module_of_the_apps_is_over_400_lines():
    """A module past 400 lines becomes a package or sheds a part (docs/architecture.md)."""
    long_modules = [
        f"{relative}: {lines} lines"
        for relative, path in app_modules()
        if relative not in LONG_MODULES_ALLOWED
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]

    assert long_modules == []


def test_imports_inside_functions_only_in_ready_and_admin_hooks():
    """No import hides in a function to break a cycle: the layers and the models' place do."""
    hidden = []
    for relative, path in app_modules():
        if relative.name == "wagtail_hooks.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if function.name == "ready" or (relative, function.name) in FUNCTION_IMPORTS_ALLOWED:
                continue
            hidden += [
                f"{relative}:{node.lineno} in {function.name}()"
                for node in ast.walk(function)
                if isinstance(node, ast.Import | ast.ImportFrom)
            ]

    assert hidden == []
