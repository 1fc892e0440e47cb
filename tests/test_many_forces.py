"""Many forces on one install: each force is a Wagtail Site, found by host name alone.

Two sites: the site tree's `localhost` (the default) and `southdale.localhost`
(tests/support/forces.py), each with its own home page, quick-exit
destination and help numbers. Each host name gets its own pages, from its
own copies in the page cache, whatever port or trusted `X-Forwarded-Host` the
request names; a publish purges only its own force's copies; a host no site
has gets the 400 page; with one site every allowed host is answered as
before. The last test runs them through one gunicorn port, with the
database taken away as tests/test_outages.py takes it.
"""

import pytest
from django.core.cache import cache
from django.test import Client
from wagtail.models import Page

from guidance.models import DEFAULT_NEUTRAL_EXIT_URL
from portal import cdn as cdn_backend
from portal import last_known, page_cache
from tests.support import cdn as loopback_cdn
from tests.support.caches import empty_the_cache
from tests.support.clients import anonymous_get
from tests.support.forces import (
    ADD_FORCE,
    FIRST_HOST,
    FIRST_NEUTRAL_URL,
    SECOND_HELPLINE_HREF,
    SECOND_HOST,
    SECOND_NEUTRAL_URL,
    SECOND_TITLE,
    SECOND_TOPIC,
    UNKNOWN_HOST,
    add_force,
    set_neutral_url,
)
from tests.support.html import parse, text_of
from tests.support.outages import (
    assert_error_page_keeps_exit_and_numbers,
    postgres_database,
    sqlite_database,
    suite_database_url,
)
from tests.support.servers import get, manage_ok, production_env, start_gunicorn, stop

cdn = loopback_cdn.recording_cdn

DEMO_HOME_TITLE = "Keeping children safe"  # the demo's default site (guidance/demo_content.py)

REDIS_CACHES = {
    "default": {
        "BACKEND": "portal.cache.ResilientRedisCache",
        # A database and key prefix of its own (the other Redis tests use 10 to 15).
        "LOCATION": "redis://127.0.0.1:6379/9",
        "KEY_PREFIX": "many-forces-tests",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}


@pytest.fixture
def two_forces(site_tree, settings):
    """(the site tree, Southdale): two sites, each with its own quick exit and help numbers."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, SECOND_HOST, UNKNOWN_HOST]
    set_neutral_url(site_tree.site, FIRST_NEUTRAL_URL)
    return site_tree, add_force()


def heading(response):
    assert response.status_code == 200, response.status_code
    return text_of(parse(response).h1)


def visit(path, host, **headers):
    return anonymous_get(path, host=host, **headers)


def kept(host, path):
    """The page cache's entry for `path` on the site with this host name, or None."""
    return page_cache._lookup(host, path)[0]


def test_each_host_name_gets_its_own_forces_pages_whatever_its_port_or_case(two_forces):
    first, second = two_forces

    for host in (FIRST_HOST, f"{FIRST_HOST}:8000", FIRST_HOST.upper()):
        assert heading(visit("/", host)) == first.home.title, host
        assert heading(visit("/online-safety/", host)) == first.topic.title, host
    for host in (SECOND_HOST, f"{SECOND_HOST}:8443", "Southdale.Localhost:80"):
        assert heading(visit("/", host)) == second.home.title, host
        assert heading(visit("/online-safety/", host)) == SECOND_TOPIC, host


def test_x_forwarded_host_names_the_force_only_when_the_proxy_is_trusted(two_forces, settings):
    first, second = two_forces

    # Not trusted (USE_X_FORWARDED_HOST is off): the Host decides.
    assert heading(visit("/", FIRST_HOST, x_forwarded_host=SECOND_HOST)) == first.home.title

    settings.USE_X_FORWARDED_HOST = True
    assert heading(visit("/", FIRST_HOST, x_forwarded_host=SECOND_HOST)) == second.home.title
    assert heading(visit("/", SECOND_HOST, x_forwarded_host=FIRST_HOST)) == first.home.title


@pytest.fixture(params=["local memory", "Redis"])
def page_cache_store(request, settings):
    """The page cache in local memory, or in Redis with each process's copies (near cache)."""
    if request.param == "Redis":
        settings.CACHES = REDIS_CACHES
    empty_the_cache(REDIS_CACHES["default"]["KEY_PREFIX"])
    yield request.param
    empty_the_cache(REDIS_CACHES["default"]["KEY_PREFIX"])


def test_a_page_kept_for_one_force_is_never_served_on_anothers_host(two_forces, page_cache_store):
    first, second = two_forces
    assert heading(visit("/", FIRST_HOST)) == first.home.title  # kept under localhost

    # Southdale's host, however it is named, never gets the first force's copy.
    for host, headers in [
        (SECOND_HOST, {}),
        (f"{SECOND_HOST}:8000", {}),
        (SECOND_HOST, {"x_forwarded_host": FIRST_HOST}),  # not trusted
    ]:
        assert heading(visit("/", host, **headers)) == second.home.title, (host, headers)
    assert kept(FIRST_HOST, "/") is not None
    assert kept(SECOND_HOST, "/") is not None

    # Both now come from their own copies: a quiet change (no purge) shows on neither.
    Page.objects.filter(pk__in=[first.home.pk, second.home.pk]).update(title="Changed quietly")
    assert heading(visit("/", FIRST_HOST)) == first.home.title
    assert heading(visit("/", f"{SECOND_HOST}:8000")) == second.home.title


def test_a_publish_on_one_force_purges_only_its_own_copies_here_and_in_the_cdn(two_forces, cdn):
    cdn_backend.forget_failures()
    first, second = two_forces
    for host in (FIRST_HOST, SECOND_HOST):
        for path in ("/", "/online-safety/"):
            visit(path, host)
    cdn.clear()

    second.topic.title = "Southdale: staying safe online"
    second.topic.save_revision().publish()

    assert kept(SECOND_HOST, "/online-safety/") is None
    assert kept(SECOND_HOST, "/") is None  # its home page lists the topic
    assert kept(FIRST_HOST, "/online-safety/") is not None
    assert kept(FIRST_HOST, "/") is not None
    # The CDN is sent Southdale's host name (no port) for Southdale's pages only.
    assert set(cdn) == {f"{SECOND_HOST}/online-safety/", f"{SECOND_HOST}/"}
    assert heading(visit("/online-safety/", SECOND_HOST)) == "Southdale: staying safe online"
    assert heading(visit("/online-safety/", FIRST_HOST)) == first.topic.title


def assert_no_forces_pages_but_the_exit_and_numbers(response, two_forces):
    first, second = two_forces
    html = response.content.decode()
    soup = parse(response)
    assert soup.find("a", id="quick-exit")["href"] == "/exit/"
    assert soup.find("a", href="tel:999") is not None
    assert SECOND_HELPLINE_HREF not in html  # the built-in numbers, not a force's
    assert text_of(soup.h1) == "Sorry, we could not understand that request"
    # Nothing from either force. (The site tree's home page is called
    # "Safeguarding guidance", as every standalone error page is.)
    for title in (first.topic.title, second.home.title, second.topic.title):
        assert title not in html


def test_a_host_no_site_has_gets_the_400_page_when_there_are_several(two_forces):
    visit("/", FIRST_HOST)  # kept: still never served to the unknown host

    for path in ("/", "/online-safety/", "/search/", "/robots.txt"):
        response = visit(path, UNKNOWN_HOST)

        assert response.status_code == 400, path
        assert response["Cache-Control"] == "no-store"
        assert "Content-Security-Policy" in response
        assert_no_forces_pages_but_the_exit_and_numbers(response, two_forces)

    # Quick exit still leaves from it, for the built-in address (no force's).
    exit_response = visit("/exit/", UNKNOWN_HOST)
    assert (exit_response.status_code, exit_response["Location"]) == (
        303,
        DEFAULT_NEUTRAL_EXIT_URL,
    )


def test_with_one_site_every_allowed_host_gets_its_pages_from_one_copy(site_tree):
    set_neutral_url(site_tree.site, FIRST_NEUTRAL_URL)

    for host in ("testserver", "localhost", "127.0.0.1", "localhost:8000", "LOCALHOST"):
        assert heading(visit("/", host)) == site_tree.home.title, host
        assert visit("/exit/", host)["Location"] == FIRST_NEUTRAL_URL, host

    assert kept(FIRST_HOST, "/") is not None  # under the site's own host name
    assert kept("testserver", "/") is None


def test_exit_goes_to_each_forces_own_destination(two_forces):
    for host, destination in [
        (FIRST_HOST, FIRST_NEUTRAL_URL),
        (f"{FIRST_HOST}:8000", FIRST_NEUTRAL_URL),
        (SECOND_HOST, SECOND_NEUTRAL_URL),
        (f"{SECOND_HOST}:8000", SECOND_NEUTRAL_URL),
    ]:
        response = visit("/exit/", host)

        assert (response.status_code, response["Location"]) == (303, destination), host


@pytest.mark.urls("tests.support.failing_urls")
def test_with_the_database_failing_each_force_keeps_its_own_exit_and_numbers(two_forces):
    for host in (FIRST_HOST, SECOND_HOST):
        visit("/", host)  # its help numbers, read and known from now on
        visit("/exit/", host)  # its quick exit destination
    last_known.database_failed()
    cache.clear()  # and the shared cache is gone: only this process's copies are left

    for host, destination in [(FIRST_HOST, FIRST_NEUTRAL_URL), (SECOND_HOST, SECOND_NEUTRAL_URL)]:
        assert visit("/exit/", host)["Location"] == destination, host
    first_page = Client(raise_request_exception=False).get("/database-gone/", HTTP_HOST=FIRST_HOST)
    second_page = Client(raise_request_exception=False).get(
        "/database-gone/", HTTP_HOST=SECOND_HOST
    )

    assert (first_page.status_code, second_page.status_code) == (503, 503)
    first_numbers = {a["href"] for a in parse(first_page).select(".help-numbers a")}
    second_numbers = {a["href"] for a in parse(second_page).select(".help-numbers a")}
    assert "tel:101" in first_numbers  # the site tree's: the built-in contacts
    assert SECOND_HELPLINE_HREF not in first_numbers
    assert second_numbers == {"tel:999", SECOND_HELPLINE_HREF}


# --- Through one gunicorn port, with the database taken away ---------------


@pytest.fixture
def served_forces(tmp_path, demo_databases, collected_static):
    """The demo site and Southdale on one gunicorn port, with a database the test can take away."""
    is_postgres = suite_database_url().startswith(("postgres://", "postgresql://"))
    database = postgres_database(tmp_path) if is_postgres else sqlite_database(tmp_path)
    # A new database connection per request, so SQLite notices its file has gone.
    env = production_env(
        tmp_path,
        DATABASE_URL=database.url,
        DATABASE_CONN_MAX_AGE="0",
        DJANGO_STATIC_ROOT=collected_static,
        DJANGO_ALLOWED_HOSTS=f"127.0.0.1,{FIRST_HOST},{SECOND_HOST},{UNKNOWN_HOST}",
    )
    try:
        demo_databases.fill(database.url)
        manage_ok("shell", "-c", ADD_FORCE, env=env)
        process, port = start_gunicorn(env, tmp_path / "gunicorn.log")
        try:
            yield port, database
        finally:
            stop(process)
    finally:
        database.up()
        for cleanup in database.cleanup:
            cleanup()


def served(port, host, path="/"):
    status, headers, body = get(port, path, headers={"Host": host})
    return status, headers, body.decode()


@pytest.mark.slow
def test_one_app_server_port_serves_each_force_its_own_pages_exit_and_numbers(served_forces):
    port, database = served_forces
    first = served(port, FIRST_HOST)
    second = served(port, f"{SECOND_HOST}:8000")
    assert (first[0], second[0]) == (200, 200)
    assert text_of(parse(first[2]).h1) == DEMO_HOME_TITLE
    assert text_of(parse(second[2]).h1) == SECOND_TITLE
    assert second[1]["X-Portal-Site"] == SECOND_HOST  # for the proxy in front
    # Kept, each under its own host name: the next visit gets the same bytes.
    assert served(port, SECOND_HOST)[2] == second[2]
    assert served(port, f"{FIRST_HOST}:8000")[2] == first[2]
    assert served(port, UNKNOWN_HOST)[0] == 400
    destinations = {FIRST_HOST: FIRST_NEUTRAL_URL, SECOND_HOST: SECOND_NEUTRAL_URL}
    for host, destination in destinations.items():
        assert served(port, host, "/exit/")[1]["Location"] == destination

    database.down()
    try:
        kept_first, kept_second = served(port, FIRST_HOST), served(port, SECOND_HOST)
        exits = {host: served(port, host, "/exit/")[1]["Location"] for host in destinations}
        not_kept_first = served(port, FIRST_HOST, "/online-safety/")
        not_kept_second = served(port, SECOND_HOST, "/online-safety/")
    finally:
        database.up()

    assert (kept_first[0], kept_second[0]) == (200, 200)
    assert (kept_first[2], kept_second[2]) == (first[2], second[2])
    assert exits == destinations
    assert (not_kept_first[0], not_kept_second[0]) == (503, 503)
    assert_error_page_keeps_exit_and_numbers(not_kept_first[2].encode())  # the demo's numbers
    assert SECOND_HELPLINE_HREF not in not_kept_first[2]
    assert SECOND_HELPLINE_HREF in not_kept_second[2]
    assert 'href="tel:101"' not in not_kept_second[2]  # Southdale's numbers only
