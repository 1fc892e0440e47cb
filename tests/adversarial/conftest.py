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

import re
from dataclasses import dataclass

import pytest

CASES = 25
CASE_NAME = re.compile(r"::test_t(\d\d)_")
TALLY_PREFIX = "Adversarial tally:"


@dataclass
class Tally:
    bad_inputs: int = 0
    faults: int = 0
    accepted: int = 0
    stored: int = 0

    def tried(self, count=1):
        self.bad_inputs += count

    def survived(self, count=1):
        self.faults += count

    def responses(self, *, accepted, stored):
        self.accepted += accepted
        self.stored += stored

    @property
    def lost(self):
        return self.accepted - self.stored


TALLY = Tally()
# Case number -> True while every test of that case has passed.
OUTCOMES = {}


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


def tally_line():
    passed = sum(1 for ok in OUTCOMES.values() if ok)
    not_run = CASES - len(OUTCOMES)
    line = (
        f"{TALLY_PREFIX} {passed}/{CASES} cases passed, {TALLY.bad_inputs} bad inputs tried, "
        f"{TALLY.faults} faults survived, {TALLY.lost} feedback responses lost"
    )
    if not_run:
        line += f" ({not_run} cases not run here)"
    return line


def pytest_terminal_summary(terminalreporter):
    if OUTCOMES:
        terminalreporter.write_line(tally_line())
