""".env.example is the one settings reference, and it cannot drift from the code.

Every environment variable that portal/settings/ reads (through
`os.environ`, `os.getenv` or a helper of its own that reads `os.environ`),
and every one the Makefile lets you set, must be listed in .env.example
with a comment; and every variable .env.example lists must be read by one of
them, so a setting that was removed cannot linger in the reference.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = sorted((ROOT / "portal" / "settings").glob("*.py"))
# dj-database-url reads DATABASE_URL itself; manage.py and wsgi.py read the settings module.
READ_ELSEWHERE = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]+$")


def _is_environ(node):
    """`os.environ` (or a bare `environ`)."""
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _local_readers(tree):
    """Functions defined in a settings module whose body reads os.environ."""
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and any(_is_environ(n) for n in ast.walk(node))
    }


def _first_name_argument(call):
    if call.args and isinstance(call.args[0], ast.Constant):
        value = call.args[0].value
        if isinstance(value, str) and ENV_NAME.match(value):
            return value
    return None


def _read_by(node, readers):
    """The variable name a settings expression reads from the environment, or None."""
    if isinstance(node, ast.Subscript) and _is_environ(node.value):
        key = node.slice
        if isinstance(key, ast.Constant) and ENV_NAME.match(str(key.value)):
            return key.value
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    reads = (
        (isinstance(func, ast.Attribute) and func.attr == "get" and _is_environ(func.value))
        or (isinstance(func, ast.Attribute) and func.attr == "getenv")
        or (isinstance(func, ast.Name) and func.id in readers)
    )
    return _first_name_argument(node) if reads else None


def variables_read_by_settings():
    trees = [ast.parse(path.read_text(), filename=str(path)) for path in SETTINGS]
    readers = set().union(*(_local_readers(tree) for tree in trees))
    return {name for tree in trees for node in ast.walk(tree) if (name := _read_by(node, readers))}


def variables_set_in_makefile():
    """`NAME ?= default` lines and `$${NAME:-default}` shell reads in the Makefile."""
    text = (ROOT / "Makefile").read_text()
    defaults = set(re.findall(r"^([A-Z][A-Z0-9_]+) \?=", text, flags=re.MULTILINE))
    shell_reads = set(re.findall(r"\$\$\{([A-Z][A-Z0-9_]+):-", text))
    # The Makefile's own knobs, documented by `make help`.
    internal = {"PYTHON", "PYTEST_ARGS", "PYTEST_WORKERS"}
    return (defaults | shell_reads) - internal


def variables_in_reference():
    """`NAME=value` lines, commented out or not, in .env.example."""
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_the_reader_finds_what_the_settings_read():
    """The scan itself works: a few reads written in each style are found."""
    read = variables_read_by_settings()
    assert {"DJANGO_SECRET_KEY", "DJANGO_ALLOW_SQLITE", "REDIS_URL", "EMAIL_HOST"} <= read


def test_every_variable_the_portal_reads_is_in_the_reference():
    missing = (
        variables_read_by_settings() | variables_set_in_makefile() | READ_ELSEWHERE
    ) - variables_in_reference()
    assert not missing, f".env.example does not list {sorted(missing)}"


def test_the_reference_lists_nothing_the_portal_does_not_read():
    stale = variables_in_reference() - (
        variables_read_by_settings() | variables_set_in_makefile() | READ_ELSEWHERE
    )
    assert not stale, f".env.example lists {sorted(stale)}, which nothing reads"


def test_every_variable_in_the_reference_is_explained():
    """Each variable line follows a comment (directly or among its group)."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^#? ?[A-Z][A-Z0-9_]+=", line):
            above = lines[:number]
            block = []
            for previous in reversed(above):
                if not previous.strip():
                    break
                block.append(previous)
            prose = [b for b in block if b.startswith("#") and not re.match(r"^# ?[A-Z_]+=", b)]
            assert prose, f".env.example line {number + 1} ({line}) has no comment above it"
