"""Search, sitemap.xml, robots.txt, canonical links and security.txt, each per force.

Two forces: the site tree's default Site on `localhost` and Southdale on
`southdale.localhost` (tests/support/forces.py), with a local page each.
A search on one host name finds only that force's pages and promotions;
each host name's sitemap lists only its own pages, under its own host
name; robots.txt names the sitemap on the host asked; canonical links name
the force's own address with no port; security.txt names its own address
and the force's own security contact, else the install's.
"""

import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from wagtail.contrib.search_promotions.models import Query, SearchPromotion

from guidance.models import SafetySettings
from tests.guidance.factories import GuidancePageFactory, paragraph, section
from tests.support.clients import anonymous_get
from tests.support.force_staff import local_page
from tests.support.forces import FIRST_HOST, SECOND_HOST, add_force
from tests.support.html import parse_ok, text_of

SEARCH = "/search/"
SECURITY_TXT = "/.well-known/security.txt"
POLICY = "/.well-known/security-policy.txt"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SOUTHDALE_NOTICE = "Southdale local notice"
FIRST_NOTICE = "Northfield local notice"


@pytest.fixture
def two_forces(site_tree, settings):
    """(the site tree, Southdale), each with a local notice page of its own."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, SECOND_HOST]
    second = add_force()
    local_page(second, title=SOUTHDALE_NOTICE, text="Southdale's notice about school visits.")
    GuidancePageFactory(
        parent=site_tree.topic,
        title=FIRST_NOTICE,
        summary="Northfield's notice about school visits.",
        body=[section("Notice"), paragraph("<p>Northfield's notice about school visits.</p>")],
    )
    return site_tree, second


def titles_found(host, query):
    response = anonymous_get(f"{SEARCH}?{urlencode({'q': query})}", host=host)
    return [text_of(link) for link in parse_ok(response).select(".search-results__title a")]


def sitemap_locations(host):
    response = anonymous_get("/sitemap.xml", host=host)
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own sitemap, from the test client
    return [loc.text for loc in root.findall("sm:url/sm:loc", SITEMAP_NS)]


def fields(response):
    assert response.status_code == 200
    parsed = {}
    for line in response.content.decode().splitlines():
        name, _, value = line.partition(": ")
        parsed.setdefault(name, []).append(value)
    return parsed


def set_security_contact(site, contact):
    safety = SafetySettings.for_site(site)
    safety.security_contact = contact
    safety.full_clean()
    safety.save()


# Search -------------------------------------------------------------------------


def test_a_forces_page_is_found_on_its_own_host_name_only(two_forces):
    assert titles_found(SECOND_HOST, "Southdale local notice") == [SOUTHDALE_NOTICE]
    assert SOUTHDALE_NOTICE not in titles_found(FIRST_HOST, "Southdale local notice")
    assert SOUTHDALE_NOTICE not in titles_found(FIRST_HOST, "notice")


def test_each_force_searches_its_own_pages(two_forces):
    first, _ = two_forces

    assert titles_found(FIRST_HOST, "notice") == [FIRST_NOTICE]
    assert titles_found(SECOND_HOST, "notice") == [SOUTHDALE_NOTICE]
    assert first.guidance.title in titles_found(FIRST_HOST, "sexting")
    assert titles_found(SECOND_HOST, "sexting") == []
    # Home and topic pages too: Southdale's topic is found only on Southdale.
    assert "Southdale online safety" in titles_found(SECOND_HOST, "Southdale")
    assert titles_found(FIRST_HOST, "Southdale") == []


def test_a_promotion_of_another_forces_page_is_not_shown(two_forces):
    first, second = two_forces
    southdale_notice = second.home.get_children().get(title=SOUTHDALE_NOTICE)
    query = Query.get("nudes")
    SearchPromotion.objects.create(query=query, page=first.guidance, sort_order=0)
    SearchPromotion.objects.create(query=query, page=southdale_notice, sort_order=1)
    SearchPromotion.objects.create(
        query=query,
        external_link_url="https://www.ceop.police.uk/",
        external_link_text="CEOP",
        sort_order=2,
    )

    assert titles_found(FIRST_HOST, "nudes") == [first.guidance.title, "CEOP"]
    assert titles_found(SECOND_HOST, "nudes") == [SOUTHDALE_NOTICE, "CEOP"]


# Sitemap and robots.txt ---------------------------------------------------------


def test_each_sitemap_lists_only_its_forces_pages_under_its_own_host_name(two_forces):
    first, second = two_forces

    first_urls = sitemap_locations(FIRST_HOST)
    second_urls = sitemap_locations(SECOND_HOST)

    assert first_urls and second_urls
    assert all(url.startswith("http://localhost/") for url in first_urls), first_urls
    assert all(url.startswith("http://southdale.localhost/") for url in second_urls), second_urls
    assert "http://localhost/" in first_urls
    assert first.guidance.full_url in first_urls
    assert "http://southdale.localhost/" in second_urls
    assert "http://southdale.localhost/online-safety/" in second_urls
    assert any("southdale-local-notice" in url for url in second_urls)
    assert not any("northfield-local-notice" in url for url in second_urls)
    assert any("northfield-local-notice" in url for url in first_urls)
    assert not any("southdale" in url for url in first_urls)


@pytest.mark.parametrize("host", [FIRST_HOST, SECOND_HOST])
def test_robots_txt_names_the_sitemap_on_its_own_host(two_forces, host):
    response = anonymous_get("/robots.txt", host=host)

    assert response.status_code == 200
    sitemaps = [line for line in response.content.decode().splitlines() if "Sitemap" in line]
    assert sitemaps == [f"Sitemap: http://{host}/sitemap.xml"]


# Canonical links ----------------------------------------------------------------


def canonicals(host, path):
    response = anonymous_get(path, host=host)
    return [link["href"] for link in parse_ok(response).select('head link[rel="canonical"]')]


@pytest.mark.parametrize("port", ["", ":8000"])
def test_canonical_links_name_the_forces_own_address_with_no_port(two_forces, port):
    first, _ = two_forces

    assert canonicals(FIRST_HOST + port, "/") == ["http://localhost/"]
    guidance_url = first.guidance.full_url
    assert guidance_url == "http://localhost/online-safety/sexting/"
    assert canonicals(FIRST_HOST + port, "/online-safety/sexting/") == [guidance_url]
    assert canonicals(SECOND_HOST + port, "/") == ["http://southdale.localhost/"]
    assert canonicals(SECOND_HOST + port, "/online-safety/") == [
        "http://southdale.localhost/online-safety/"
    ]
    assert canonicals(SECOND_HOST + port, SEARCH) == ["http://southdale.localhost/search/"]
    assert canonicals(FIRST_HOST + port, SEARCH) == ["http://localhost/search/"]


# security.txt -------------------------------------------------------------------


def test_security_txt_names_its_own_address_and_the_installs_contact_by_default(two_forces):
    for host in (FIRST_HOST, SECOND_HOST):
        found = fields(anonymous_get(SECURITY_TXT, host=host))

        assert found["Canonical"] == [f"http://{host}/.well-known/security.txt"]
        assert found["Policy"] == [f"http://{host}/.well-known/security-policy.txt"]
        assert found["Contact"] == ["mailto:security@testserver"]  # the install's


def test_each_force_lists_its_own_security_contact(two_forces, settings):
    first, second = two_forces
    settings.SECURITY_TXT_CONTACT = "mailto:psd@install.example"
    set_security_contact(
        second.site, "mailto:security@southdale.example, https://southdale.example/report"
    )

    southdale = fields(anonymous_get(SECURITY_TXT, host=SECOND_HOST))
    default = fields(anonymous_get(SECURITY_TXT, host=FIRST_HOST))

    assert southdale["Contact"] == [
        "mailto:security@southdale.example",
        "https://southdale.example/report",
    ]
    assert default["Contact"] == ["mailto:psd@install.example"]  # the install-wide fallback
    policy = anonymous_get(POLICY, host=SECOND_HOST).content.decode()
    assert "mailto:security@southdale.example" in policy
    assert "psd@install.example" not in policy
    assert "southdale" not in anonymous_get(POLICY, host=FIRST_HOST).content.decode()

    set_security_contact(first.site, "mailto:security@northfield.example")
    assert fields(anonymous_get(SECURITY_TXT, host=FIRST_HOST))["Contact"] == [
        "mailto:security@northfield.example"
    ]


@pytest.mark.parametrize("contact", ["security@southdale.example", "http://southdale.example/"])
def test_a_security_contact_must_be_mailto_or_https(two_forces, contact):
    _, second = two_forces
    with pytest.raises(ValidationError):
        set_security_contact(second.site, contact)


def test_with_one_force_security_txt_keeps_the_installs_address(site_tree):
    found = fields(anonymous_get(SECURITY_TXT, host=FIRST_HOST))

    assert found["Canonical"] == ["http://testserver/.well-known/security.txt"]
