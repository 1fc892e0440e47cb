"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

`playwright install` cannot download browsers here, so the tests use the
system Chromium. If it is missing the tests fail rather than skip: a check
that silently does not run is a defect.
"""

import base64
import os

import pytest

from guidance.models import SafetySettings
from tests.support.browser import CHROMIUM, FIGURES, NEUTRAL_URL
from tests.support.site import build_site_tree

# Playwright's sync API keeps an asyncio event loop running in this thread, so
# Django would refuse the ORM calls that fixtures and tests make from it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
]
NEUTRAL_PAGE = "<!doctype html><title>Weather</title><h1>Weather</h1>"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"Browser tests need Chromium at {CHROMIUM}. Install it with "
            "`sudo apt-get update && sudo apt-get install -y chromium` "
            "(`playwright install` cannot download browsers here).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def stub_neutral_site(page):
    """Answer every request this page makes to https://neutral.example/ with a stub page.

    There is no network here. Playwright's `route` cannot be used for this: it
    sees only the first request of a redirect chain, and on this machine it
    caught the target of /exit/'s 303 only when a click started the chain, not
    after `location.replace` from a key handler. Chrome DevTools Protocol's
    Fetch domain sees every request, redirects included.
    """
    session = page.context.new_cdp_session(page)

    def fulfil(event):
        session.send(
            "Fetch.fulfillRequest",
            {
                "requestId": event["requestId"],
                "responseCode": 200,
                "responseHeaders": [{"name": "Content-Type", "value": "text/html"}],
                "body": base64.b64encode(NEUTRAL_PAGE.encode()).decode(),
            },
        )

    session.on("Fetch.requestPaused", fulfil)
    session.send("Fetch.enable", {"patterns": [{"urlPattern": "https://neutral.example/*"}]})


def new_page(browser, **context_options):
    context = browser.new_context(**context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    stub_neutral_site(page)
    return page


@pytest.fixture
def page(browser):
    """A tab in a fresh browser profile, JavaScript on."""
    page = new_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def page_without_javascript(browser):
    page = new_page(browser, java_script_enabled=False)
    yield page
    page.context.close()


@pytest.fixture
def exit_site(django_db_serialized_rollback, transactional_db, live_server):
    """The `site_tree` pages, served by the live server, leaving to the stub neutral site.

    The live server needs a transactional database, which Django empties after
    each test; serialized rollback puts back first what migrations created
    (Wagtail's root page and locale, feedback's visit reasons).
    """
    tree = build_site_tree()
    settings = SafetySettings.for_site(tree.site)
    settings.neutral_exit_url = NEUTRAL_URL
    settings.save()
    return tree


@pytest.fixture
def demo_site(django_db_serialized_rollback, transactional_db, live_server):
    """The demo content of `load_demo_content`, served by the live server.

    The neutral exit URL points at the stub neutral site (there is no network).
    """
    from django.core.management import call_command

    call_command("load_demo_content", verbosity=0)
    settings = SafetySettings.objects.get()
    settings.neutral_exit_url = NEUTRAL_URL
    settings.save()
    return live_server


@pytest.fixture(scope="session", autouse=True)
def _serialized_database_contents(migrated_database_contents):
    """What Django serialized for serialized rollback, taken before Playwright starts.

    Django keeps its connections in a context variable, and while Playwright's
    sync API runs this thread's code sees another context: Django hands it new
    connection objects without `_test_serialized_contents`, so serialized
    rollback silently restores nothing, and after the first transactional test
    the page tree has no root (`load_demo_content` then fails). Autouse and
    session-scoped, so it runs before the `browser` fixture starts Playwright.
    """
    return migrated_database_contents


@pytest.fixture(autouse=True)
def _restore_serialized_database_contents(_serialized_database_contents):
    """Give the connections this test sees the serialized contents (see above)."""
    from django.db import connections

    for alias, contents in _serialized_database_contents.items():
        connections[alias]._test_serialized_contents = contents


def pytest_sessionfinish(session):
    """An xdist worker hands its figures to the main process (tests/conftest.py prints them)."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None and FIGURES:
        output["figures"] = FIGURES


def pytest_terminal_summary(terminalreporter):
    config = terminalreporter.config
    if config.pluginmanager.has_plugin("dsession") or hasattr(config, "workeroutput"):
        return  # under xdist: tests/conftest.py prints what the workers sent
    for section, lines in FIGURES.items():
        terminalreporter.section(section)
        for line in lines:
            terminalreporter.write_line(line)
