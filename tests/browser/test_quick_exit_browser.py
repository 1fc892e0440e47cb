"""Quick exit in a real browser (docs/architecture.md, rule 1).

A visitor reads the "Online safety" topic, opens the "Sexting" guidance page,
then leaves. They must land on the neutral site, having passed through our
/exit/ (which clears what our origin stored), and Back must not show the
guidance page they left.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import NEUTRAL_URL

pytestmark = pytest.mark.browser


class NavigationLog:
    """Addresses of the top-level documents the tab asked for, in order."""

    def __init__(self, page):
        self.urls = []
        page.on("request", self._record)

    def _record(self, request):
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self.urls.append(request.url)


def open_guidance_page(page, live_server, site):
    """Browse as a visitor would: the topic page, then a guidance page from its list."""
    log = NavigationLog(page)
    page.goto(live_server.url + site.topic.url)
    page.get_by_role("link", name=site.guidance.title, exact=True).first.click()
    page.wait_for_url(live_server.url + site.guidance.url)
    return log


def assert_left_for_the_neutral_site(page, log, live_server):
    page.wait_for_url(NEUTRAL_URL)
    assert page.get_by_role("heading", level=1).inner_text() == "Weather"
    assert log.urls[-2:] == [live_server.url + "/exit/", NEUTRAL_URL]


def assert_back_does_not_return_to_the_guidance_page(page, live_server, site):
    page.go_back()
    page.wait_for_load_state()
    assert page.url != live_server.url + site.guidance.url
    assert page.url == live_server.url + site.topic.url


def test_clicking_leave_site_replaces_the_page_in_history(page, live_server, exit_site):
    log = open_guidance_page(page, live_server, exit_site)

    page.get_by_role("link", name="Leave site").click()

    assert_left_for_the_neutral_site(page, log, live_server)
    assert_back_does_not_return_to_the_guidance_page(page, live_server, exit_site)


def test_pressing_shift_three_times_leaves_the_site(page, live_server, exit_site):
    log = open_guidance_page(page, live_server, exit_site)

    for _ in range(3):
        page.keyboard.press("Shift")

    assert_left_for_the_neutral_site(page, log, live_server)
    assert_back_does_not_return_to_the_guidance_page(page, live_server, exit_site)


def test_left_and_right_shift_count_alike(page, live_server, exit_site):
    log = open_guidance_page(page, live_server, exit_site)

    for key in ("ShiftLeft", "ShiftRight", "ShiftLeft"):
        page.keyboard.press(key)

    assert_left_for_the_neutral_site(page, log, live_server)


def assert_still_on(page, log, live_server, url):
    page.wait_for_timeout(1_000)  # time enough for a navigation to start
    assert page.url == url
    assert live_server.url + "/exit/" not in log.urls


def test_pressing_shift_twice_stays_and_each_press_is_announced(page, live_server, exit_site):
    log = open_guidance_page(page, live_server, exit_site)

    page.keyboard.press("Shift")
    expect(page.get_by_role("status").filter(has_text="Shift pressed 1 time")).to_have_count(1)
    page.keyboard.press("Shift")
    expect(page.get_by_role("status").filter(has_text="Shift pressed 2 times")).to_have_count(1)

    assert_still_on(page, log, live_server, live_server.url + exit_site.guidance.url)


def test_another_key_starts_the_count_again(page, live_server, exit_site):
    log = open_guidance_page(page, live_server, exit_site)

    for key in ("Shift", "Shift", "Tab", "Shift"):
        page.keyboard.press(key)

    assert_still_on(page, log, live_server, live_server.url + exit_site.guidance.url)


def test_typing_capitals_in_the_search_box_does_not_leave(page, live_server, exit_site):
    log = open_guidance_page(page, live_server, exit_site)
    page.get_by_role("link", name="Search", exact=True).first.click()
    page.wait_for_url(live_server.url + "/search/")
    search_box = page.get_by_role("searchbox").or_(page.locator('input[name="q"]')).first

    for _ in range(3):
        search_box.press("Shift+A")

    assert_still_on(page, log, live_server, live_server.url + "/search/")
    assert search_box.input_value() == "AAA"
    # The shortcut is listening on this page: Shift alone, three times, does leave.
    for _ in range(3):
        page.keyboard.press("Shift")
    assert_left_for_the_neutral_site(page, log, live_server)


def test_without_javascript_the_link_still_leaves_through_exit(
    page_without_javascript, live_server, exit_site
):
    page = page_without_javascript
    log = open_guidance_page(page, live_server, exit_site)

    page.get_by_role("link", name="Leave site").click()

    assert_left_for_the_neutral_site(page, log, live_server)


def test_leaving_hides_the_page_at_once_behind_a_loading_overlay(page, live_server, exit_site):
    # A 204 answer to /exit/ keeps the browser here, to look at the page in
    # the instant after quick exit starts.
    page.route("**/exit/", lambda route: route.fulfill(status=204))
    open_guidance_page(page, live_server, exit_site)
    assert "Sexting" in page.title()

    page.get_by_role("link", name="Leave site").click()

    expect(page.get_by_role("alert").filter(has_text="Loading.")).to_be_visible()
    expect(page.locator("html")).to_have_class(re.compile(r"\bquick-exit-active\b"))
    expect(page.get_by_role("heading", name="Sexting", level=1)).to_be_hidden()
    expect(page.locator("main")).to_be_hidden()
    expect(page.get_by_role("link", name="Leave site")).to_be_hidden()
    assert "Sexting" not in page.title()


def test_pages_load_nothing_from_another_origin_and_set_no_cookie(page, live_server, exit_site):
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    open_guidance_page(page, live_server, exit_site)
    page.wait_for_load_state("networkidle")

    assert any(url.endswith(".js") for url in requested), "expected our script to load"
    assert any(url.endswith(".css") for url in requested), "expected our stylesheet to load"
    others = [url for url in requested if not url.startswith(live_server.url + "/")]
    assert others == []
    assert page.context.cookies() == []
