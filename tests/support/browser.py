"""What the browser tests share: the system Chromium, the stub neutral site, axe and the figures.

tests/browser/conftest.py launches `CHROMIUM` and answers `NEUTRAL_URL`
with a stub page; tests add lines to the end-of-run report with
`report_figure` (the conftest prints `FIGURES`). axe runs with the same
rules and tags on every page and admin screen (`AXE`, `AXE_OPTIONS`), and
`describe` says what it found. Staff sign in through the admin's own
forms (`sign_in_with_the_form`, `confirm_with_an_authenticator_code`).
"""

import base64
import time
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP

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


def sign_in_with_the_form(page, base_url, username, password):
    """Fill in and send the admin's login form, as a person does."""
    page.goto(f"{base_url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def confirm_with_an_authenticator_code(page):
    """On the two-factor set-up screen: the code an app makes from the key shown, confirmed."""
    key = page.locator("[data-two-factor-key]").inner_text().replace(" ", "")
    totp = TOTP(base64.b32decode(key), 30, 0, 6, 0)
    totp.time = time.time()
    page.get_by_label("Code from your authenticator app").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Confirm and continue").click()
