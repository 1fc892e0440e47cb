"""Proven accessible: axe-core and the Nu Html Checker on every public page and state.

Each page and state is opened in Chromium against the live server with the
demo content, with JavaScript and without, and axe (WCAG 2.0/2.1/2.2 A and
AA plus best practices) runs at 320, 375 and 1280 CSS pixels wide. axe never
returns in a context with JavaScript switched off (its timers do not fire),
so "without JavaScript" is a JavaScript-enabled context whose HTML responses
carry `Content-Security-Policy: script-src 'none'`: the page's own scripts are
blocked, axe (injected through the DevTools protocol) still runs.

The HTML of every state (as served, and the live DOM once JavaScript has
changed it) is kept, and the last test hands it all to one run of the Nu Html
Checker (`node_modules/vnu-jar`, installed by `make test`).

The 500 page is Django's real `handler500` (the default
`django.views.defaults.server_error`, rendering templates/500.html) answering
a view that raises, served by the live server: this module is also the
URLconf of those tests (`urlpatterns` below adds the raising view in front of
the site's own URLs).
"""

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.cache import cache
from django.urls import path

from portal.urls import urlpatterns as site_urlpatterns
from tests.browser.conftest import report_figure

pytestmark = pytest.mark.browser

WIDTHS = (320, 375, 1280)
VIEWPORT_HEIGHT = 800
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
NO_SCRIPT_POLICY = "script-src 'none'"
VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

AXE = Axe()


def raise_server_error(request):
    raise RuntimeError("Deliberate failure: the accessibility tests audit the 500 page.")


urlpatterns = [path("accessibility-test/server-error/", raise_server_error), *site_urlpatterns]


# -- Collecting HTML for the Nu Html Checker -----------------------------------------------

# Every state this module audits, as "<state> (<mode>)". The HTML check fails
# if one is missing, so a state cannot drop out of it unnoticed.
CONTENT_PAGES = {
    "home": "/",
    "topic": "/online-safety/",
    "guidance page (seed)": "/online-safety/sexting/",
    "guidance page": "/online-safety/online-grooming/",
    "search results": "/search/?q=online",
    "search, no results": "/search/?q=zzqxjv",
    "404 page": "/no-such-page/",
}
FEEDBACK_STATES = (
    "feedback form untouched",
    "feedback form with errors",
    "feedback thanks",
    "feedback thanks, needs support",
)
# Words from the disclosure phrases migration: the thanks signposts help instead.
DISCLOSURE_COMMENT = "Someone is blackmailing me"
MODES = ("with JavaScript", "without JavaScript")
EXPECTED_STATES = {
    f"{state} ({mode})"
    for state in [*CONTENT_PAGES, *FEEDBACK_STATES, "500 page", "admin login"]
    for mode in MODES
}


@dataclass
class Document:
    state: str
    url: str
    kind: str  # "served" (the response body) or "DOM" (after JavaScript changed it)
    html: str
    same_in: list[str] = field(default_factory=list)  # other states with this very HTML

    @property
    def label(self):
        also = f" (same HTML: {'; '.join(self.same_in)})" if self.same_in else ""
        return f"{self.state}, {self.kind} HTML of {self.url}{also}"


@dataclass
class Collection:
    documents: list[Document] = field(default_factory=list)
    states: set[str] = field(default_factory=set)
    violations: dict[str, dict[int, int]] = field(default_factory=dict)

    def add(self, document):
        """Keep a document, once: a page in several states may be served the same HTML."""
        for kept in self.documents:
            if kept.html == document.html:
                kept.same_in.append(f"{document.state}, {document.kind}")
                return
        self.documents.append(document)


# Session-scoped: pytest-django runs tests without a database (the HTML check)
# after those with one, so this module's tests need not run side by side.
@pytest.fixture(scope="session")
def collection():
    return Collection()


# -- Browsing -------------------------------------------------------------------------------


class Tab:
    """A browser tab on the live server that keeps the HTML it is served.

    Without JavaScript, every HTML response gets `script-src 'none'`.
    Redirects are passed to the browser unfollowed, so the address bar is
    right; their targets are not routed (Playwright routes only the first
    request of a chain), so `open` them again to audit them.
    """

    def __init__(self, browser, base_url, javascript):
        self.base_url = base_url
        self.javascript = javascript
        self.mode = MODES[0] if javascript else MODES[1]
        self.context = browser.new_context(
            viewport={"width": WIDTHS[-1], "height": VIEWPORT_HEIGHT}
        )
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.served = {}  # url -> (status, body) of the last HTML response
        self.page.route(base_url + "/**", self._handle)

    def _handle(self, route):
        request = route.request
        if request.resource_type != "document":
            route.continue_()
            return
        response = route.fetch(max_redirects=0)
        headers = dict(response.headers)
        if not self.javascript:
            headers["content-security-policy"] = NO_SCRIPT_POLICY
        if headers.get("content-type", "").startswith("text/html") and response.body():
            self.served[request.url] = (response.status, response.text())
        route.fulfill(response=response, headers=headers)

    def open(self, address):
        return self.page.goto(self.base_url + address)

    def close(self):
        self.context.close()


@pytest.fixture
def tabs(browser):
    opened = []

    def open_tab(base_url, javascript):
        tab = Tab(browser, base_url, javascript)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        tab.close()


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


def audit(tab, state, collection, failures, dom=False):
    """Run axe at every width and keep this state's HTML for the Nu Html Checker.

    `dom=True` keeps the live DOM too (for states JavaScript built). Problems
    are added to `failures` so one test reports all its states at once.
    """
    name = f"{state} ({tab.mode})"
    page = tab.page
    # Proof that the page's own scripts ran, or were blocked: quick_exit.js shows the hint.
    hint_hidden = page.evaluate("document.querySelector('[data-quick-exit-hint]')?.hidden")
    assert hint_hidden in (None, not tab.javascript), f"{name}: scripts did not behave as meant"
    counts = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": VIEWPORT_HEIGHT})
        violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
        counts[width] = sum(len(violation["nodes"]) for violation in violations)
        if violations:
            failures.append(
                f"axe: {name} at {width} px, {page.url}:\n"
                + "\n".join(describe(violation) for violation in violations)
            )
        # axe does not test reflow (WCAG 1.4.10): nothing may scroll sideways at 320 px.
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            failures.append(
                f"reflow: {name} at {width} px, {page.url}: the page is {scroll_width} px wide "
                "and scrolls sideways"
            )
    page.set_viewport_size({"width": WIDTHS[-1], "height": VIEWPORT_HEIGHT})
    collection.violations[name] = counts
    widths = ", ".join(f"{width} px: {count}" for width, count in counts.items())
    report_figure("axe violations per page (elements)", f"{name:<52} {widths}")
    collection.states.add(name)
    served = tab.served.get(page.url)
    if served is None:
        failures.append(f"{name}: no HTML was served for {page.url}")
    else:
        collection.add(Document(name, page.url, "served", served[1]))
    if dom:
        collection.add(Document(name, page.url, "DOM", page.content()))


def check(failures):
    assert not failures, "\n\n".join(failures)


# -- Pages and states -----------------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_content_pages(tabs, demo_site, collection, javascript):
    tab = tabs(demo_site.url, javascript)
    failures = []
    for state, address in CONTENT_PAGES.items():
        response = tab.open(address)
        expected_status = 404 if state == "404 page" else 200
        assert response.status == expected_status, f"{state}: {address} gave {response.status}"
        if state == "search results":
            assert tab.page.locator(".search-results__item").count() > 0, "the search found nothing"
        if state == "search, no results":
            assert tab.page.get_by_text("No results for").is_visible()
        audit(tab, state, collection, failures, dom=javascript)
    check(failures)


def test_feedback_form_with_javascript(tabs, demo_site, collection):
    cache.clear()  # the feedback rate limit counts every post from 127.0.0.1
    tab = tabs(demo_site.url, javascript=True)
    page = tab.page
    failures = []
    tab.open(CONTENT_PAGES["guidance page (seed)"])
    audit(tab, "feedback form untouched", collection, failures, dom=True)

    page.get_by_role("button", name="Send feedback").click()
    page.locator(".error-summary").wait_for()
    assert page.url == demo_site.url + CONTENT_PAGES["guidance page (seed)"]
    audit(tab, "feedback form with errors", collection, failures, dom=True)

    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Send feedback").click()
    page.locator("[data-feedback-status]").get_by_text("Thank you for your feedback").wait_for()
    audit(tab, "feedback thanks", collection, failures, dom=True)

    tab.open(CONTENT_PAGES["guidance page (seed)"])
    page.get_by_role("radio", name="No").check()
    page.get_by_label("How could we improve this page?").fill(DISCLOSURE_COMMENT)
    page.get_by_role("button", name="Send feedback").click()
    status = page.locator("[data-feedback-status]")
    status.get_by_text("You do not have to deal with this alone").wait_for()
    audit(tab, "feedback thanks, needs support", collection, failures, dom=True)
    check(failures)


def test_feedback_form_without_javascript(tabs, demo_site, collection):
    cache.clear()  # the feedback rate limit counts every post from 127.0.0.1
    tab = tabs(demo_site.url, javascript=False)
    page = tab.page
    failures = []
    tab.open(CONTENT_PAGES["guidance page (seed)"])
    audit(tab, "feedback form untouched", collection, failures)

    with page.expect_response(demo_site.url + "/feedback/") as posted:
        page.get_by_role("button", name="Send feedback").click()
    assert posted.value.status == 400
    page.wait_for_load_state()
    assert "There is a problem" in page.locator(".error-summary").inner_text()
    audit(tab, "feedback form with errors", collection, failures)

    page.get_by_role("radio", name="Yes").check()
    post_feedback_natively(tab)
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for your feedback"
    audit(tab, "feedback thanks", collection, failures)

    tab.open(CONTENT_PAGES["guidance page (seed)"])
    page.get_by_role("radio", name="No").check()
    page.get_by_label("How could we improve this page?").fill(DISCLOSURE_COMMENT)
    post_feedback_natively(tab)
    assert page.get_by_role("heading", level=1).inner_text() == "Get help now"
    audit(tab, "feedback thanks, needs support", collection, failures)
    check(failures)


def post_feedback_natively(tab):
    """Send the form without JavaScript: 303 to the thank-you page, then open it routed."""
    page = tab.page
    with page.expect_response(tab.base_url + "/feedback/") as posted:
        page.get_by_role("button", name="Send feedback").click()
    assert posted.value.status == 303
    page.wait_for_url(tab.base_url + "/feedback/thanks/**")
    tab.open(page.url.removeprefix(tab.base_url))  # the redirect's target, routed this time


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_server_error_and_admin_login_pages(tabs, demo_site, collection, javascript):
    tab = tabs(demo_site.url, javascript)
    failures = []
    response = tab.open("/accessibility-test/server-error/")
    assert response.status == 500
    assert tab.page.get_by_role("heading", level=1).inner_text() == (
        "Sorry, there is a problem with this site"
    )
    audit(tab, "500 page", collection, failures, dom=javascript)

    response = tab.open("/admin/login/")
    assert response.status == 200
    audit(tab, "admin login", collection, failures, dom=javascript)
    check(failures)


# -- Figures and the Nu Html Checker ------------------------------------------------------


def test_rendered_html_has_no_errors(collection, tmp_path):
    """One Nu Html Checker run over the HTML every test above kept (the JVM starts slowly)."""
    missing = EXPECTED_STATES - collection.states
    assert not missing, (
        "These states were not collected (their tests failed or were deselected; run the "
        f"whole module): {', '.join(sorted(missing))}"
    )
    report_figure(
        "axe violations per page (elements)",
        f"{sum(sum(counts.values()) for counts in collection.violations.values())} in total, "
        f"{len(collection.violations)} states × {len(WIDTHS)} widths",
    )

    if not VNU_JAR.exists():
        pytest.fail(
            f"The Nu Html Checker is missing ({VNU_JAR}). Install it with "
            "`make node_modules/.installed` (`make test` does it).",
            pytrace=False,
        )
    files = {}
    for number, document in enumerate(collection.documents, start=1):
        file = tmp_path / f"{number:02d}.html"
        file.write_text(document.html, encoding="utf-8")
        files[file.name] = document
    # A canary with one known error: proof that the checker read the files
    # (given file: URLs instead of paths, it answers an empty, clean report).
    canary = tmp_path / "canary.html"
    canary.write_text("<!doctype html><html lang=en><title>Canary</title><p id=a id=a>")
    command = ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(canary)]
    try:
        result = subprocess.run(
            command + [str(tmp_path / name) for name in files],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        pytest.fail("The Nu Html Checker needs Java (`java` is not on the PATH).", pytrace=False)
    try:
        messages = json.loads(result.stderr or result.stdout)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"The Nu Html Checker did not answer JSON:\n{result.stdout}\n{result.stderr}")
    by_file = {}
    for message in messages:
        by_file.setdefault(message.get("url", "").rpartition("/")[2], []).append(message)
    assert by_file.pop(canary.name, None), (
        f"The Nu Html Checker missed the canary's error: {messages}"
    )

    unknown = set(by_file) - set(files)
    assert not unknown, f"The Nu Html Checker reported on unexpected files: {by_file}"
    report = []
    for name, document in files.items():
        label = document.label
        file_messages = by_file.get(name, [])
        report_figure("HTML errors (Nu Html Checker)", f"{len(file_messages):>3}  {label}")
        if file_messages:
            report.append(f"  {label} ({tmp_path / name}):")
            report.extend(
                f"    line {message.get('lastLine')}: {message.get('message')}\n"
                f"      {message.get('extract', '').strip()}"
                for message in file_messages
            )
    total = sum(map(len, by_file.values()))
    report_figure("HTML errors (Nu Html Checker)", f"{total:>3}  in total, {len(files)} documents")
    assert not total, "Nu Html Checker errors:\n" + "\n".join(report)
