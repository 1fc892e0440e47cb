"""What the browser tests share: the system Chromium, the stub neutral site, axe and the figures.

tests/browser/conftest.py launches `CHROMIUM` and answers `NEUTRAL_URL`
with a stub page; tests add lines to the end-of-run report with
`report_figure` (the conftest prints `FIGURES`). axe runs with the same
rules and tags on every page and admin screen (`AXE`, `AXE_OPTIONS`), and
`describe` says what it found.
"""

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

CHROMIUM = Path("/usr/bin/chromium")
NEUTRAL_URL = "https://neutral.example/weather"

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
AXE = Axe()

# Figures printed at the end of the run (accessibility violations, HTML
# errors, Lighthouse scores): tests add lines with `report_figure`.
FIGURES: dict[str, list[str]] = {}


def report_figure(section, line):
    FIGURES.setdefault(section, []).append(line)


def describe(violation):
    """An axe violation as a developer needs it: the rule, then each element's selector."""
    nodes = "\n".join(
        f"      {', '.join(map(str, node['target']))}: {node['html'][:160]}\n"
        f"        {' '.join(node.get('failureSummary', '').split())}"
        for node in violation["nodes"]
    )
    return (
        f"    {violation['id']} ({violation['impact']}): {violation['help']}\n"
        f"      {violation['helpUrl']}\n{nodes}"
    )
