"""The whole-page cache: one shared, cookie-free copy per page, fresh at every publish.

Through the real middleware stack, every test twice: with the test cache
(local memory), and with Redis, as in production, where each process also
keeps copies that Redis's announcements keep exact (portal/near_cache.py).
"""

import gzip

import brotli
import pytest
from wagtail.contrib.search_promotions.models import Query

from feedback.models import VisitReason
from guidance.models import SafetySettings
from tests.guidance.factories import contacts_block, paragraph, section
from tests.support.caches import empty_the_cache
from tests.support.clients import anonymous_get
from tests.support.html import parse_ok

PUBLIC_CACHE_CONTROL = "public, max-age=300, s-maxage=300, stale-if-error=86400"
REDIS_CACHES = {
    "default": {
        "BACKEND": "portal.cache.ResilientRedisCache",
        # Its own database and key prefix: tests/test_near_cache.py flushes 10 and
        # may run beside it (xdist), and Redis tells a tracking client of writes
        # to a key of the same name in any database.
        "LOCATION": "redis://127.0.0.1:6379/14",
        "KEY_PREFIX": "page-cache-tests",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}


@pytest.fixture(autouse=True, params=["local memory", "Redis"])
def page_cache_store(request, settings):
    if request.param == "Redis":
        settings.CACHES = REDIS_CACHES
    empty_the_cache(REDIS_CACHES["default"]["KEY_PREFIX"])
    yield request.param
    empty_the_cache(REDIS_CACHES["default"]["KEY_PREFIX"])


@pytest.fixture
def public_paths(site_tree):
    return ["/", site_tree.topic.url, site_tree.guidance.url, "/search/"]


def test_every_public_page_type_is_sent_for_shared_caches(public_paths):
    for path in public_paths:
        first = anonymous_get(path)
        second = anonymous_get(path)

        assert first.status_code == 200, path
        assert first["Cache-Control"] == PUBLIC_CACHE_CONTROL, path
        assert "Set-Cookie" not in first.headers, path
        assert "cookie" not in first.get("Vary", "").lower(), path
        assert "Accept-Encoding" in first["Vary"], path
        assert second.content == first.content, path  # two visitors, one copy
        assert second.headers == first.headers, path
        assert second["Cache-Control"] == PUBLIC_CACHE_CONTROL, path


def test_a_cached_page_costs_no_query(site_tree, django_assert_num_queries):
    anonymous_get(site_tree.guidance.url)

    with django_assert_num_queries(0):
        response = anonymous_get(site_tree.guidance.url)

    assert response.status_code == 200
    assert b"Know the law" in response.content


@pytest.mark.parametrize(
    ("accept_encoding", "encoding", "decompress"),
    [
        ("gzip, deflate, br, zstd", "br", brotli.decompress),  # what browsers send
        ("gzip", "gzip", gzip.decompress),
        ("br;q=0, gzip;q=0.8", "gzip", gzip.decompress),
    ],
)
def test_cached_pages_go_out_compressed_as_the_client_accepts(
    site_tree, accept_encoding, encoding, decompress
):
    plain = anonymous_get(site_tree.guidance.url)

    packed = anonymous_get(site_tree.guidance.url, accept_encoding=accept_encoding)

    assert packed["Content-Encoding"] == encoding
    assert decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 3
    assert int(packed["Content-Length"]) == len(packed.content)


def test_a_client_that_accepts_no_compression_gets_the_page_plain(site_tree):
    anonymous_get(site_tree.guidance.url)  # stored

    plain = anonymous_get(site_tree.guidance.url, accept_encoding="identity")

    assert "Content-Encoding" not in plain.headers
    assert b"Know the law" in plain.content


def test_staff_pages_are_never_stored_or_shown_to_visitors(admin_client, site_tree):
    staff = admin_client.get(site_tree.guidance.url)
    assert staff["Cache-Control"] == "private, no-store"
    assert b"wagtail-userbar" in staff.content

    visitor = anonymous_get(site_tree.guidance.url)

    assert b"wagtail-userbar" not in visitor.content
    assert visitor["Cache-Control"] == PUBLIC_CACHE_CONTROL


def test_feedback_exit_and_health_are_never_cached(site_tree):
    for path in ["/exit/", "/health/live/"]:
        assert "public" not in anonymous_get(path).get("Cache-Control", ""), path


def test_an_address_with_a_tracking_tag_gets_the_pages_cached_copy(
    site_tree, django_assert_num_queries
):
    plain = anonymous_get(site_tree.guidance.url)

    with django_assert_num_queries(0):
        tagged = anonymous_get(site_tree.guidance.url + "?utm_source=news&x=a-made-up-one")

    assert tagged.status_code == 200
    assert tagged.content == plain.content
    assert tagged["Cache-Control"] == PUBLIC_CACHE_CONTROL


def test_a_purge_of_every_page_is_seen_at_once_and_leaves_a_stale_copy_for_outages(
    site_tree,
):
    from portal import page_cache

    SafetySettings.for_site(site_tree.site)  # created (and everything purged) beforehand
    anonymous_get("/")
    SafetySettings.objects.update(emergency_heading="Changed quietly")  # no signal, no purge
    assert b"Changed quietly" not in anonymous_get("/").content  # the cached copy
    entry, generation = page_cache._lookup("localhost", "/")

    page_cache.purge_all()

    kept, new_generation = page_cache._lookup("localhost", "/")
    assert new_generation == generation + 1
    assert kept == entry  # still there, to be served while rendering fails
    assert b"Changed quietly" in anonymous_get("/").content  # but never served as fresh


def test_search_results_reach_the_view_every_time_and_are_sent_no_store(
    site_tree, django_assert_max_num_queries
):
    anonymous_get("/search/?q=sexting")

    with django_assert_max_num_queries(50) as queries:
        again = anonymous_get("/search/?q=sexting")

    assert len(queries) > 0  # rendered (and counted), not served from the cache
    assert again.status_code == 200
    assert again["Cache-Control"] == "no-store"  # nor kept by the browser or a CDN
    assert "Age" not in again.headers
    assert "Set-Cookie" not in again.headers
    assert Query.get("sexting").hits == 2


def test_staff_search_results_are_not_stored_either(admin_client, site_tree):
    assert admin_client.get("/search/?q=sexting")["Cache-Control"] == "no-store"


def test_only_html_is_kept_so_robots_txt_and_the_sitemap_are_always_fresh(site_tree):
    for path in ["/robots.txt", "/sitemap.xml"]:
        for _ in range(2):
            response = anonymous_get(path)
            assert response.status_code == 200, path
            assert "Age" not in response.headers, path
            assert "public" not in response.get("Cache-Control", ""), path
            assert "Set-Cookie" not in response.headers, path


def test_a_publish_shows_on_the_next_visit_and_a_draft_does_not(site_tree):
    page = site_tree.guidance
    anonymous_get(page.url)  # cached

    page.body = [section("Know the law"), paragraph("<p>A draft only editors see.</p>")]
    page.save_revision()
    assert b"A draft only editors see." not in anonymous_get(page.url).content

    page.body = [section("Know the law"), paragraph("<p>The law, rewritten.</p>")]
    page.save_revision().publish()
    assert b"The law, rewritten." in anonymous_get(page.url).content


def test_a_publish_refreshes_the_topic_listing_and_home(site_tree):
    anonymous_get(site_tree.topic.url)
    page = site_tree.guidance
    page.title = "Sexting and the law"
    page.save_revision().publish()

    assert b"Sexting and the law" in anonymous_get(site_tree.topic.url).content


def test_an_unpublished_page_is_gone_on_the_next_visit(site_tree):
    anonymous_get(site_tree.other_guidance.url)

    site_tree.other_guidance.unpublish()

    assert anonymous_get(site_tree.other_guidance.url).status_code == 404


def test_a_published_contact_changes_every_page_that_shows_it(site_tree):
    def body_of(page):  # the footer and feedback form show the site-wide contacts
        return str(parse_ok(anonymous_get(page.url)).select_one(".guidance-body"))

    for page in (site_tree.guidance, site_tree.other_guidance):
        # Publishing the pages once records their contacts in the reference index.
        page.save_revision().publish()
        assert "0808 800 5000" in body_of(page)

    nspcc = site_tree.nspcc
    nspcc.phone = "0808 800 5001"
    nspcc.save_revision().publish()

    for page in (site_tree.guidance, site_tree.other_guidance):
        body = body_of(page)
        assert "0808 800 5001" in body, page.url
        assert "0808 800 5000" not in body, page.url


def test_saving_the_safety_settings_refreshes_every_page(site_tree):
    assert b"In danger now?" in anonymous_get("/").content

    settings = SafetySettings.for_site(site_tree.site)
    settings.emergency_heading = "Are you in danger right now?"
    settings.save()

    assert b"Are you in danger right now?" in anonymous_get("/").content


def test_a_new_visit_reason_shows_in_every_feedback_form(site_tree):
    assert b"Checking our sources" not in anonymous_get(site_tree.guidance.url).content

    VisitReason.objects.create(label="Checking our sources", slug="checking-sources")

    assert b"Checking our sources" in anonymous_get(site_tree.guidance.url).content


def test_a_moved_page_is_found_at_its_new_address(site_tree):
    anonymous_get(site_tree.other_guidance.url)
    old_url = site_tree.other_guidance.url

    site_tree.other_guidance.move(site_tree.home, pos="last-child")

    # Not the cached old page: Wagtail's automatic redirect to the new address.
    moved = anonymous_get(old_url)
    assert moved.status_code == 301
    assert moved["Location"] == "/grooming/"
    assert anonymous_get("/grooming/").status_code == 200


def test_contacts_block_change_is_fresh_after_the_page_is_republished(site_tree):
    page = site_tree.other_guidance
    anonymous_get(page.url)

    page.body = [section("Signs to look for"), contacts_block([site_tree.stop_it_now])]
    page.save_revision().publish()

    assert b"Stop It Now" in anonymous_get(page.url).content
