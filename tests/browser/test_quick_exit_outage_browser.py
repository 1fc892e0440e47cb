"""Quick exit in a real browser while the services behind the site are down.

gunicorn runs with production settings and a database (and, in one case,
Redis) that refuses connections or never answers. The visitor gets the 503
page, and "Leave site" (a click, or Shift pressed three times) still takes
them off the site to the neutral page, with the 503 page replaced in history.
"""

import pytest

from tests.support.faults import SilentListener, closed_port
from tests.support.servers import production_env, start_gunicorn, stop

pytestmark = pytest.mark.browser

BUILT_IN_NEUTRAL_URL = "https://www.bbc.co.uk/weather"
GUIDANCE_PATH = "/online-safety/sexting/"


@pytest.fixture(params=["database refused", "database hanging", "database and redis hanging"])
def broken_site(request, tmp_path, collected_static):
    with SilentListener() as silent_db, SilentListener() as silent_redis:
        database_port = closed_port() if request.param == "database refused" else silent_db.port
        overrides = {"DATABASE_URL": f"postgres://portal@127.0.0.1:{database_port}/portal"}
        if "redis" in request.param:
            overrides["REDIS_URL"] = f"redis://127.0.0.1:{silent_redis.port}/0"
        env = production_env(tmp_path, DJANGO_STATIC_ROOT=collected_static, **overrides)
        process, port = start_gunicorn(env, tmp_path / "gunicorn.log", threads=8)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(process)


def record_navigations(page):
    """Top-level navigations the tab starts (the neutral site itself is unreachable here)."""
    navigations = []
    page.on(
        "request",
        lambda request: (
            navigations.append(request.url)
            if request.is_navigation_request() and request.frame == page.main_frame
            else None
        ),
    )
    return navigations


def test_leave_site_on_the_503_page_leaves_for_the_neutral_site(page, broken_site):
    response = page.goto(broken_site + GUIDANCE_PATH)
    assert response.status == 503
    assert "tel:999" in page.content()
    entries_before = page.evaluate("history.length")
    navigations = record_navigations(page)

    page.get_by_role("link", name="Emergency: Leave site").click()

    page.wait_for_event("request", lambda request: request.url == BUILT_IN_NEUTRAL_URL)
    assert navigations[:2] == [f"{broken_site}/exit/", BUILT_IN_NEUTRAL_URL]
    # location.replace: the 503 page was replaced in history, not pushed.
    assert page.evaluate("history.length") == entries_before


def test_shift_three_times_on_the_503_page_leaves_too(page, broken_site):
    page.goto(broken_site + GUIDANCE_PATH)
    page.locator("[data-quick-exit-hint]").wait_for()  # the script has run
    navigations = record_navigations(page)

    for _ in range(3):
        page.keyboard.press("Shift")

    page.wait_for_event("request", lambda request: request.url == BUILT_IN_NEUTRAL_URL)
    assert navigations[:2] == [f"{broken_site}/exit/", BUILT_IN_NEUTRAL_URL]
