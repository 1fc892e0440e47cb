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

The feedback endpoint's refusals are reached as a visitor reaches them, by
posting the seed page's form in the browser: 413 (a comment pasted far over
the 1,200-character limit: the textarea has no `maxlength`, so no devtools
are needed), 503 (the database refuses the write: a trigger on the feedback
table, created for that one post and dropped straight after, the real
database failing rather than a mocked model), 429 (posting again until
refused, with FEEDBACK_RATE_LIMIT_PER_MINUTE lowered to 1; the live server
thread reads the same settings) and 403 (a copy of the form on
https://elsewhere.example, served by `page.route`, posting to the live
server). Without JavaScript each is its own page; with JavaScript,
feedback.js shows the message in the form's status region instead, except
for the cross-site post, which the copy on the other site sends natively.
Playwright's `route.fetch` re-sends a request with only some of its headers
(no `Sec-Fetch-*`), so the cross-site post is sent by the browser itself and
its response is caught at the DevTools Fetch domain's response stage
(`Tab.sent_by_the_browser`). Chromium sends it with `Sec-Fetch-Site:
cross-site` and `Origin: null` (an https page posting to the http live
server: the referrer policy's downgrade rule), and the view refuses it on
`Sec-Fetch-Site`.

The 500 page is Django's real `handler500` (the default
`django.views.defaults.server_error`, rendering templates/500.html) answering
a view that raises, served by the live server: this module is also the
URLconf of those tests (`urlpatterns` below adds the raising view in front of
the site's own URLs).
"""

import base64
import json
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import path

from feedback.models import FeedbackResponse
from portal.urls import urlpatterns as site_urlpatterns
from tests.support.browser import AXE, AXE_OPTIONS, describe, report_figure

pytestmark = pytest.mark.browser

WIDTHS = (320, 375, 1280)
VIEWPORT_HEIGHT = 800
NO_SCRIPT_POLICY = "script-src 'none'"
VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


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
# The feedback endpoint's refusals: state -> (status, what the visitor is told).
FEEDBACK_REFUSALS = {
    "feedback too long": (
        413,
        "Your feedback is too long to send. Comments can be up to 1,200 characters.",
    ),
    "feedback not saved": (503, "Sorry, we could not save your feedback just now."),
    "feedback rate limited": (429, "You have sent a lot of feedback in a short time."),
    "feedback from another site": (403, "Feedback can only be sent from this website."),
}
# Words from the disclosure phrases migration: the thanks signposts help instead.
DISCLOSURE_COMMENT = "Someone is blackmailing me"
# A comment pasted far over the limit: the body passes the endpoint's 16 KB cap.
PASTED_COMMENT = "The page should say what to do when a stranger messages my son. " * 300
OTHER_SITE = "https://elsewhere.example"
MODES = ("with JavaScript", "without JavaScript")
EXPECTED_STATES = {
    f"{state} ({mode})"
    for state in [
        *CONTENT_PAGES,
        *FEEDBACK_STATES,
        *FEEDBACK_REFUSALS,
        "500 page",
        "admin login",
    ]
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
        self.browser_sends = set()  # URLs of documents the browser itself asks for
        self.page.route(base_url + "/**", self._handle)

    def _handle(self, route):
        request = route.request
        if request.resource_type != "document" or request.url in self.browser_sends:
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

    @contextmanager
    def sent_by_the_browser(self, address):
        """Let Chromium itself send requests for the document at `address`.

        `route.fetch` re-sends a request without its `Sec-Fetch-*` headers.
        Here the route lets the request go, and the response is caught at
        the DevTools Fetch domain's response stage instead: kept, and given
        `script-src 'none'` without JavaScript, as `_handle` does.
        """
        url = self.base_url + address
        session = self.context.new_cdp_session(self.page)

        def respond(event):
            reply = session.send("Fetch.getResponseBody", {"requestId": event["requestId"]})
            body = reply["body"]
            body = base64.b64decode(body) if reply["base64Encoded"] else body.encode()
            dropped = {"content-length", "content-encoding"}
            if not self.javascript:
                dropped.add("content-security-policy")
            headers = [
                header
                for header in event.get("responseHeaders", [])
                if header["name"].lower() not in dropped
            ]
            if not self.javascript:
                headers.append({"name": "Content-Security-Policy", "value": NO_SCRIPT_POLICY})
            self.served[event["request"]["url"]] = (event["responseStatusCode"], body.decode())
            session.send(
                "Fetch.fulfillRequest",
                {
                    "requestId": event["requestId"],
                    "responseCode": event["responseStatusCode"],
                    "responseHeaders": headers,
                    "body": base64.b64encode(body).decode(),
                },
            )

        session.on("Fetch.requestPaused", respond)
        pattern = {"urlPattern": url, "resourceType": "Document", "requestStage": "Response"}
        session.send("Fetch.enable", {"patterns": [pattern]})
        self.browser_sends.add(url)
        try:
            yield
        finally:
            self.browser_sends.discard(url)
            session.send("Fetch.disable")
            session.detach()

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
        # From the top of the page: axe counts a link that happens to lie under
        # the sticky "Leave site" bar where the state left the page scrolled
        # as too small. (Links a visitor moves to are kept clear of the bar
        # by scroll-padding-top, and test_keyboard_and_display checks focus.)
        page.evaluate("window.scrollTo(0, 0)")
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


def feedback_form_tab(tabs, demo_site, collection, failures, javascript):
    """A tab on the seed page, its untouched feedback form audited."""
    cache.clear()  # the feedback rate limit counts every post from 127.0.0.1
    tab = tabs(demo_site.url, javascript=javascript)
    tab.open(CONTENT_PAGES["guidance page (seed)"])
    audit(tab, "feedback form untouched", collection, failures, dom=javascript)
    return tab


def test_feedback_form_with_javascript(tabs, demo_site, collection):
    failures = []
    tab = feedback_form_tab(tabs, demo_site, collection, failures, javascript=True)
    page = tab.page

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
    failures = []
    tab = feedback_form_tab(tabs, demo_site, collection, failures, javascript=False)
    page = tab.page

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


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_feedback_refusals(tabs, demo_site, collection, settings, javascript):
    """What a visitor sees when the feedback endpoint refuses a post (see the docstring)."""
    cache.clear()  # the feedback rate limit counts every post from 127.0.0.1
    settings.FEEDBACK_RATE_LIMIT_PER_MINUTE = 1
    tab = tabs(demo_site.url, javascript)
    page = tab.page
    failures = []
    stored = FeedbackResponse.objects.count()

    open_seed_form(tab, comment=PASTED_COMMENT)
    assert page.get_by_label("How could we improve this page?").get_attribute("maxlength") is None
    refused(tab, "feedback too long", send_feedback(tab), collection, failures)

    open_seed_form(tab, comment="Refused by the database")
    with database_refusing_feedback():
        status = send_feedback(tab)
    refused(tab, "feedback not saved", status, collection, failures)

    # One post is allowed a minute (the database refused the last one; it
    # counted): post until refused, which takes one more post unless a
    # minute ended in between.
    for attempt in range(3):
        open_seed_form(tab, comment=f"Another note, number {attempt}")
        status = send_feedback(tab)
        if status == 429:
            break
        assert status in (201, 303), f"post {attempt + 1} of the rate limit test gave {status}"
    refused(tab, "feedback rate limited", status, collection, failures)
    cache.clear()

    # A copy of the seed page's form on another site. It carries no
    # feedback.js, so it posts natively, JavaScript or not.
    open_seed_form(tab)
    form = page.locator("form[data-feedback-form]").evaluate(
        "form => { form.setAttribute('action', form.action); return form.outerHTML; }"
    )
    copy = f"<!doctype html><html lang=en><title>A copy</title><h1>A copy</h1>{form}</html>"
    page.route(f"{OTHER_SITE}/**", lambda route: route.fulfill(content_type="text/html", body=copy))
    page.goto(f"{OTHER_SITE}/online-safety/sexting/")
    with tab.sent_by_the_browser("/feedback/"):
        with page.expect_response(demo_site.url + "/feedback/") as posted:
            page.get_by_role("button", name="Send feedback").click()
        page.wait_for_load_state()
    assert posted.value.request.headers.get("origin") in ("null", OTHER_SITE)
    refused(tab, "feedback from another site", posted.value.status, collection, failures)

    # Only the rate limit test's accepted posts (if any) were stored.
    assert FeedbackResponse.objects.count() == stored + attempt
    check(failures)


def open_seed_form(tab, comment=""):
    """The seed page, its feedback form answered "Yes" with `comment`."""
    page = tab.page
    tab.open(CONTENT_PAGES["guidance page (seed)"])
    page.get_by_role("radio", name="Yes").check()
    page.get_by_label("How could we improve this page?").fill(comment)


def send_feedback(tab):
    """Press "Send feedback" and wait for the answer; return its status."""
    page = tab.page
    with page.expect_response(tab.base_url + "/feedback/") as posted:
        page.get_by_role("button", name="Send feedback").click()
    page.wait_for_load_state()
    return posted.value.status


def refused(tab, state, status, collection, failures):
    """Check that the visitor sees the refusal, as a page or (JavaScript) a message; audit."""
    expected_status, message = FEEDBACK_REFUSALS[state]
    assert status == expected_status, f"{state}: the post gave {status}"
    page = tab.page
    in_page = tab.javascript and state != "feedback from another site"
    if in_page:
        page.locator("[data-feedback-status]").get_by_text(message).wait_for()
        assert page.url == tab.base_url + CONTENT_PAGES["guidance page (seed)"]
    else:
        assert page.url == tab.base_url + "/feedback/"
        assert message in page.locator("main").inner_text(), f"{state}: {message!r} not shown"
        assert page.get_by_role("link", name="999").count(), f"{state}: no help contacts"
    audit(tab, state, collection, failures, dom=tab.javascript)


@contextmanager
def database_refusing_feedback():
    """The database refuses new feedback (a trigger), until the block ends."""
    table = connection.ops.quote_name(FeedbackResponse._meta.db_table)
    if connection.vendor == "postgresql":
        create = [
            "CREATE FUNCTION a11y_refuse_feedback() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RAISE EXCEPTION 'feedback refused for the accessibility tests'; END $$",
            f"CREATE TRIGGER a11y_refuse_feedback BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION a11y_refuse_feedback()",
        ]
        drop = [
            f"DROP TRIGGER a11y_refuse_feedback ON {table}",
            "DROP FUNCTION a11y_refuse_feedback()",
        ]
    elif connection.vendor == "sqlite":
        create = [
            f"CREATE TRIGGER a11y_refuse_feedback BEFORE INSERT ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'feedback refused for the accessibility tests'); END"
        ]
        drop = ["DROP TRIGGER a11y_refuse_feedback"]
    else:
        pytest.fail(f"No way to make {connection.vendor} refuse feedback: add one here.")
    with connection.cursor() as cursor:
        for statement in create:
            cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement in drop:
                cursor.execute(statement)


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
