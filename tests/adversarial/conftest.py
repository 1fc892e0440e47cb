"""The adversarial campaign: one test per case T1–T25 (see docs/security.md).

Tests are named after their case, `test_t07_hostile_characters_...`, and
may be parametrised. Each records what it tried through the `tally`
fixture:

- `tally.tried(n)`: hostile inputs sent (bodies, headers, paths, parameters);
- `tally.survived(n)`: faults the site came through (a service stopped, a
  closed port, a silent listener, a held lock);
- `tally.responses(accepted=, stored=)`: feedback the site said it kept,
  and the rows that were really there afterwards.

At the end of the run pytest prints one line, which `.ci/run` repeats
after both databases:

    Adversarial tally: 25/25 cases passed, 812 bad inputs tried,
    9 faults survived, 0 feedback responses lost
"""

import pytest

from tests.support.adversarial_tally import CASE_NAME, OUTCOMES, TALLY, tally_line, worker_part


@pytest.fixture
def tally():
    return TALLY


def pytest_runtest_logreport(report):
    match = CASE_NAME.search(report.nodeid)
    if not match:
        return
    case = int(match.group(1))
    failed = report.failed or (report.when == "call" and report.skipped)
    if report.when == "call" or failed:
        OUTCOMES[case] = OUTCOMES.get(case, True) and not failed


def pytest_sessionfinish(session):
    """An xdist worker hands its counts to the main process (tests/conftest.py prints them)."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None and OUTCOMES:
        output["adversarial"] = worker_part()


def pytest_terminal_summary(terminalreporter):
    config = terminalreporter.config
    if config.pluginmanager.has_plugin("dsession") or hasattr(config, "workeroutput"):
        return  # under xdist: tests/conftest.py prints the workers' counts added up
    if OUTCOMES:
        terminalreporter.write_line(tally_line())
