"""A guidance page's queries do not grow with its related pages."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from guidance.models import GuidancePageRelatedPage
from tests.guidance.factories import GuidancePageFactory


def queries_to_render(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def relate(page, others):
    for order, other in enumerate(others):
        GuidancePageRelatedPage.objects.create(source=page, page=other, sort_order=order)
    page.save_revision().publish()


def test_related_pages_cost_the_same_queries_whether_one_or_five(client, site_tree):
    more = [
        GuidancePageFactory(parent=site_tree.topic, title=f"Related {n}", summary=f"About {n}.")
        for n in range(4)
    ]
    relate(site_tree.guidance, [site_tree.other_guidance])
    queries_to_render(client, site_tree.guidance.url)  # warm the site and settings caches
    with_one = queries_to_render(client, site_tree.guidance.url)

    relate(site_tree.guidance, more)
    page = client.get(site_tree.guidance.url)
    with_five = queries_to_render(client, site_tree.guidance.url)

    assert b"About 3." in page.content  # the summaries are shown
    assert with_five == with_one
