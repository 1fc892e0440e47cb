"""The adversarial campaign's counts (tests/adversarial/conftest.py keeps them).

Here, not in the conftest, because under pytest-xdist the main process adds
up what each worker counted (tests/conftest.py), and it loads no conftest of
tests/adversarial.
"""

import dataclasses
import re
from dataclasses import dataclass

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


def worker_part():
    """What one xdist worker counted, as plain data for `config.workeroutput`."""
    return {
        "tally": dataclasses.asdict(TALLY),
        "outcomes": {str(case): ok for case, ok in OUTCOMES.items()},
    }


def add_worker_part(part):
    """In the main process: add one worker's counts to the totals."""
    for name, count in part["tally"].items():
        setattr(TALLY, name, getattr(TALLY, name) + count)
    for case, ok in part["outcomes"].items():
        OUTCOMES[int(case)] = OUTCOMES.get(int(case), True) and ok
