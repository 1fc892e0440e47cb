"""What rendering a page costs the database, with the page cache out of the way.

The seed page renders in at most 10 queries from an empty cache, and the
number does not grow with its contact cards, blocks or related pages. (A
page served from the page cache costs none: tests/test_page_cache.py.)
"""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from guidance.models import GuidancePage, GuidancePageRelatedPage
from tests.guidance.factories import (
    GuidancePageFactory,
    SignpostingContactFactory,
    contacts_block,
    paragraph,
    section,
)
from tests.support.html import parse_ok, text_of

SEED_PAGE = "/online-safety/sexting/"
MOST_QUERIES_FOR_A_COLD_RENDER = 10


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.PAGE_CACHE_MAX_AGE = 0


def queries_to_render(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def relate(page, others):
    for order, other in enumerate(others, start=page.related_pages.count()):
        GuidancePageRelatedPage.objects.create(source=page, page=other, sort_order=order)
    page.save_revision().publish()


def test_the_seed_page_renders_in_at_most_ten_queries_from_an_empty_cache(client, db):
    call_command("load_demo_content", verbosity=0)
    cache.clear()

    queries = queries_to_render(client, SEED_PAGE)

    assert queries <= MOST_QUERIES_FOR_A_COLD_RENDER


def test_related_pages_cost_the_same_queries_whether_one_or_five(client, site_tree):
    more = [
        GuidancePageFactory(parent=site_tree.topic, title=f"Related {n}", summary=f"About {n}.")
        for n in range(4)
    ]
    relate(site_tree.guidance, [site_tree.other_guidance])
    queries_to_render(client, site_tree.guidance.url)  # warm the site and settings caches
    with_one = queries_to_render(client, site_tree.guidance.url)

    relate(site_tree.guidance, [*more, site_tree.topic])
    page = client.get(site_tree.guidance.url)
    with_six = queries_to_render(client, site_tree.guidance.url)

    related = parse_ok(page).select(".related__item")
    assert [text_of(item.a) for item in related] == [
        "Grooming",
        "Related 0",
        "Related 1",
        "Related 2",
        "Related 3",
        "Online safety",
    ]
    assert text_of(related[5].p) == "Sexting, grooming and staying safe online."  # a topic's
    assert with_six == with_one


def test_contact_cards_and_blocks_cost_the_same_queries_however_many(client, site_tree):
    queries_to_render(client, site_tree.guidance.url)  # warm the site and settings caches
    before = queries_to_render(client, site_tree.guidance.url)

    helplines = [SignpostingContactFactory(name=f"Helpline {n}") for n in range(6)]
    page = GuidancePage.objects.get(pk=site_tree.guidance.pk)
    for n in range(5):
        page.body.append(("section_heading", {"heading": f"More help {n}"}))
        page.body.append(("paragraph", f"<p>Paragraph {n}.</p>"))
        page.body.append(contacts_block(helplines[n : n + 2], heading=f"Helplines {n}"))
    page.save_revision().publish()
    response = client.get(site_tree.guidance.url)
    after = queries_to_render(client, site_tree.guidance.url)

    assert "Helpline 5" in text_of(parse_ok(response).main)
    assert after == before


def test_breadcrumbs_show_each_ancestor_from_home_whether_routed_or_not(client, site_tree):
    deeper = GuidancePageFactory(
        parent=site_tree.home,
        title="Staying safe",
        summary="A guidance page straight under home.",
        body=[section("Why"), paragraph("<p>Because.</p>")],
    )
    routed = parse_ok(client.get(site_tree.guidance.url)).select(".breadcrumbs__item")
    under_home = parse_ok(client.get(deeper.url)).select(".breadcrumbs__item")
    not_routed = GuidancePage.objects.get(pk=site_tree.guidance.pk)  # as in a preview

    home = site_tree.home.title
    assert [text_of(item) for item in routed] == [home, "Online safety", "Sexting"]
    assert routed[1].a["href"] == site_tree.topic.url
    assert [text_of(item) for item in under_home] == [home, "Staying safe"]
    assert [page.title for page in not_routed.breadcrumb_ancestors] == [home, "Online safety"]


def test_an_address_that_is_not_a_page_is_a_404(client, site_tree):
    assert client.get("/online-safety/no-such-page/").status_code == 404
    assert client.get("/no-such-topic/sexting/").status_code == 404
    assert client.get(site_tree.guidance.url + "extra/").status_code == 404


def test_a_password_on_the_topic_still_guards_its_guidance_pages(client, site_tree):
    # The routed page's view restrictions are checked from the ancestors found
    # while routing (BasePage.get_view_restrictions): they must still apply.
    PageViewRestriction.objects.create(
        page=site_tree.topic, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )

    response = client.get(site_tree.guidance.url)

    assert response.status_code == 200
    assert b"Know the law" not in response.content
    assert b'name="password"' in response.content


def test_a_password_on_the_page_itself_guards_it(client, site_tree):
    PageViewRestriction.objects.create(
        page=site_tree.guidance, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )

    response = client.get(site_tree.guidance.url)

    assert b"Know the law" not in response.content
    assert b'name="password"' in response.content
    assert b"Signs to look for" in client.get(site_tree.other_guidance.url).content
