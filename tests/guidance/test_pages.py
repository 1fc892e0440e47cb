"""What a visitor sees on the public pages: structure, quick exit, lists, search.

Assertions are on parsed HTML, as a visitor (or their screen reader) would
meet it.
"""

import re

import pytest
from django.urls import path

import portal.urls
from guidance.blocks import SectionHeadingValue
from guidance.models import SafetySettings
from tests.guidance.factories import GuidancePageFactory, paragraph, section
from tests.support.html import parse, text_of

# Every test here that uses the site tree may share one: build it once (tests/conftest.py).
SHARE_SITE_TREE = True


def position(soup, element):
    """Index of `element` in document order."""
    return next(i for i, el in enumerate(soup.find_all(True)) if el is element)


def anchor_for(heading):
    return SectionHeadingValue(None, [("heading", heading)]).anchor


def assert_quick_exit_comes_first(soup):
    """The skip link, then "Leave site", then the main content (docs/architecture.md, rule 1)."""
    skip_link = soup.find("a", href="#main-content")
    assert skip_link is not None, "no skip link to #main-content"
    assert soup.find(id="main-content") is not None, "the skip link's target is missing"

    quick_exit = soup.find(id="quick-exit")
    assert quick_exit is not None, "no element with id=quick-exit"
    assert quick_exit.name == "a"
    assert quick_exit["href"] == "/exit/"
    rel = quick_exit.get("rel") or []
    assert "nofollow" in rel and "noreferrer" in rel
    assert "Leave site" in text_of(quick_exit)

    main = soup.find("main")
    assert main is not None, "no <main> landmark"
    assert position(soup, skip_link) < position(soup, quick_exit) < position(soup, main)


def parsed_with_quick_exit_first(response, status=200):
    """The page parsed, after checking its status and that quick exit comes first."""
    assert response.status_code == status
    soup = parse(response)
    assert_quick_exit_comes_first(soup)
    return soup


# Guidance page ---------------------------------------------------------------


def test_guidance_page_has_one_h1_and_its_summary(client, site_tree):
    soup = parse(client.get(site_tree.guidance.url))

    h1s = soup.find_all("h1")
    assert [text_of(h1) for h1 in h1s] == ["Sexting"]
    assert site_tree.guidance.summary in text_of(soup)


def test_guidance_page_renders_every_section_as_an_h2_linked_from_on_this_page(client, site_tree):
    soup = parse(client.get(site_tree.guidance.url))

    headings = ["Know the law", "Police action", "Guidance and support"]
    h2_texts = [text_of(h2) for h2 in soup.find_all("h2")]
    for heading in headings:
        anchor = anchor_for(heading)
        target = soup.find(id=anchor)
        assert target is not None, f"no element with id={anchor!r}"
        assert target.name == "h2"
        assert text_of(target) == heading
        links = soup.find_all("a", href=f"#{anchor}")
        assert [text_of(link) for link in links] == [heading], f"'On this page' link to {anchor}"
    # In page order.
    assert [h for h in h2_texts if h in headings] == headings


def test_section_headings_that_reuse_a_layout_id_get_their_own_anchor(client, site_tree):
    page = GuidancePageFactory(
        parent=site_tree.topic,
        title="Cover your tracks",
        body=[section("Top"), paragraph("<p>Start here.</p>"), section("Quick exit")],
    )

    soup = parse(client.get(page.url))

    # "top" and "quick-exit" are ids the layout already uses.
    assert soup.find("h2", id="top-section") is not None
    assert soup.find("h2", id="quick-exit-section") is not None
    assert len(soup.find_all(id="quick-exit")) == 1
    assert soup.find(id="quick-exit").name == "a"


def test_guidance_page_shows_helplines_as_tel_links_showing_the_number(client, site_tree):
    soup = parse(client.get(site_tree.guidance.url))

    nspcc = soup.find("a", href="tel:08088005000")
    assert nspcc is not None
    assert "0808 800 5000" in text_of(nspcc)
    stop_it_now = soup.find("a", href="tel:08081000900")
    assert stop_it_now is not None
    assert "0808 1000 900" in text_of(stop_it_now)
    assert "NSPCC helpline" in text_of(soup)
    assert "Stop It Now" in text_of(soup)


def test_guidance_page_has_skip_link_then_quick_exit_before_main(client, site_tree):
    response = client.get(site_tree.guidance.url)

    assert response.status_code == 200
    assert_quick_exit_comes_first(parse(response))


def test_guidance_page_body_is_inside_main(client, site_tree):
    soup = parse(client.get(site_tree.guidance.url))

    main = soup.find("main")
    assert "A police officer will establish the facts." in text_of(main)
    assert main.find("h1") is not None


# Home and topic pages ------------------------------------------------------------


def test_home_page_shows_the_emergency_box_and_a_card_per_topic(client, site_tree):
    soup = parsed_with_quick_exit_first(client.get("/"))
    assert len(soup.find_all("h1")) == 1
    page_text = text_of(soup)
    assert "In danger now?" in page_text
    assert "Call 999" in page_text
    topic_link = soup.find("a", href=site_tree.topic.url)
    assert topic_link is not None
    assert "Online safety" in text_of(topic_link)
    assert site_tree.topic.summary in page_text


def test_home_page_shows_the_emergency_text_an_editor_set(client, site_tree):
    settings = SafetySettings.for_site(site_tree.site)
    settings.emergency_heading = "Is someone in danger right now?"
    settings.save()

    page_text = text_of(parse(client.get("/")))

    assert "Is someone in danger right now?" in page_text


def test_home_page_leaves_out_unpublished_topics(client, site_tree):
    site_tree.topic.unpublish()

    soup = parse(client.get("/"))

    assert soup.find("a", href=site_tree.topic.url) is None
    assert site_tree.topic.summary not in text_of(soup)


def test_topic_page_lists_its_guidance_pages_with_summaries(client, site_tree):
    soup = parsed_with_quick_exit_first(client.get(site_tree.topic.url))
    assert [text_of(h1) for h1 in soup.find_all("h1")] == ["Online safety"]
    page_text = text_of(soup)
    for page in (site_tree.guidance, site_tree.other_guidance):
        link = soup.find("a", href=page.url)
        assert link is not None, f"no link to {page.url}"
        assert page.title in text_of(link)
        assert page.summary in page_text


def test_topic_page_leaves_out_unpublished_guidance(client, site_tree):
    site_tree.other_guidance.unpublish()

    soup = parse(client.get(site_tree.topic.url))

    assert soup.find("a", href=site_tree.other_guidance.url) is None
    assert soup.find("a", href=site_tree.guidance.url) is not None


# Search -------------------------------------------------------------------------


def test_search_finds_the_guidance_page(client, site_tree):
    soup = parsed_with_quick_exit_first(client.get("/search/", {"q": "sexting"}))
    link = soup.find("a", href=site_tree.guidance.url)
    assert link is not None
    assert "Sexting" in text_of(link)
    assert site_tree.other_guidance.summary not in text_of(soup)


def test_search_finds_words_in_the_body(client, site_tree):
    soup = parse(client.get("/search/", {"q": "secrets"}))

    assert soup.find("a", href=site_tree.other_guidance.url) is not None
    assert soup.find("a", href=site_tree.guidance.url) is None


def test_search_says_so_when_nothing_matches(client, site_tree):
    response = client.get("/search/", {"q": "xylophone"})

    assert response.status_code == 200
    soup = parse(response)
    assert re.search(r"\bno (results|pages|matches)\b", text_of(soup), re.IGNORECASE)
    for page in (site_tree.guidance, site_tree.other_guidance, site_tree.topic):
        assert soup.find("a", href=page.url) is None


def test_search_keeps_the_query_in_the_search_box(client, site_tree):
    soup = parse(client.get("/search/", {"q": "sexting"}))

    box = soup.find("input", attrs={"name": "q", "value": "sexting"})
    assert box is not None


def test_search_leaves_out_unpublished_pages(client, site_tree):
    site_tree.guidance.unpublish()

    soup = parse(client.get("/search/", {"q": "sexting"}))

    assert soup.find("a", href=site_tree.guidance.url) is None


# Error pages --------------------------------------------------------------------


def test_not_found_page_keeps_the_quick_exit(client, site_tree):
    soup = parsed_with_quick_exit_first(client.get("/no-such-page/"), status=404)
    assert len(soup.find_all("h1")) == 1


def broken_view(request):
    raise RuntimeError("Something broke while building the page")


urlpatterns = [path("broken/", broken_view), *portal.urls.urlpatterns]


@pytest.mark.urls(__name__)
def test_server_error_page_keeps_the_quick_exit(client, site_tree):
    client.raise_request_exception = False

    response = client.get("/broken/")

    assert "Set-Cookie" not in response.headers
    soup = parsed_with_quick_exit_first(response, status=500)
    assert len(soup.find_all("h1")) == 1
    assert "Something broke" not in text_of(soup)
