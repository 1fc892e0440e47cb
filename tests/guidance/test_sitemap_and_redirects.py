"""Findable and tidy: sitemap.xml, robots.txt, canonical and noindex tags, redirects.

Through the whole stack with an anonymous visitor (no cookie), and the
Wagtail admin's own forms as a superuser for redirects and moves.
"""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import PageViewRestriction

from tests.guidance.factories import GuidancePageFactory
from tests.support.clients import anonymous_get
from tests.support.html import parse, parse_ok

# Every test here that uses the site tree may share one: build it once (tests/conftest.py).
SHARE_SITE_TREE = True

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SITE_ROOT = "http://localhost"  # the test Site's address (tests/conftest.py)


@pytest.fixture
def hidden_pages(site_tree):
    """A draft, a private page (and one below it), and a page hidden from search engines."""
    draft = GuidancePageFactory(parent=site_tree.topic, title="Unfinished draft")
    draft.unpublish()
    private = GuidancePageFactory(parent=site_tree.home, title="Staff notes")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    noindex = GuidancePageFactory(
        parent=site_tree.topic, title="Cover your tracks", hide_from_search_engines=True
    )
    return {"draft": draft, "private": private, "noindex": noindex}


def sitemap_entries(response):
    """{location: lastmod} of every <url> in a sitemap response."""
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own sitemap, from the test server
    return {
        url.findtext("sm:loc", namespaces=SITEMAP_NS): url.findtext(
            "sm:lastmod", namespaces=SITEMAP_NS
        )
        for url in root.findall("sm:url", SITEMAP_NS)
    }


def published_on(page):
    page.refresh_from_db()
    return timezone.localtime(page.last_published_at).date().isoformat()


# sitemap.xml --------------------------------------------------------------------


def test_the_sitemap_lists_every_live_public_page_and_when_it_was_last_published(
    site_tree, hidden_pages
):
    entries = sitemap_entries(anonymous_get("/sitemap.xml"))

    listed = [site_tree.home, site_tree.topic, site_tree.guidance, site_tree.other_guidance]
    assert entries == {SITE_ROOT + page.url: published_on(page) for page in listed}


def test_the_sitemap_leaves_out_drafts_private_and_noindex_pages(site_tree, hidden_pages):
    locations = "\n".join(sitemap_entries(anonymous_get("/sitemap.xml")))

    for page in hidden_pages.values():
        assert page.slug not in locations, page.title


def test_the_sitemap_sets_no_cookie_and_is_never_kept_stale(site_tree):
    first = anonymous_get("/sitemap.xml")
    assert "Set-Cookie" not in first.headers
    assert first["Content-Type"].startswith("application/xml")
    assert first["Cache-Control"] == "no-cache"
    assert "Age" not in first.headers  # not served from the page cache

    new_page = GuidancePageFactory(parent=site_tree.topic, title="Sextortion")

    assert SITE_ROOT + new_page.url in sitemap_entries(anonymous_get("/sitemap.xml"))
    site_tree.other_guidance.unpublish()
    assert SITE_ROOT + site_tree.other_guidance.url not in sitemap_entries(
        anonymous_get("/sitemap.xml")
    )


# robots.txt ---------------------------------------------------------------------


def test_robots_txt_names_the_sitemap_by_its_absolute_address(site_tree):
    response = anonymous_get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Set-Cookie" not in response.headers
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    for endpoint in ("/admin/", "/exit/", "/feedback/", "/health/", "/search/"):
        assert f"Disallow: {endpoint}" in lines


def test_robots_txt_names_the_https_address_behind_the_load_balancer(site_tree, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    response = anonymous_get("/robots.txt", host="localhost", x_forwarded_proto="https")

    assert "Sitemap: https://localhost/sitemap.xml" in response.content.decode().splitlines()


# Canonical and noindex ----------------------------------------------------------


def canonicals(response):
    return [link["href"] for link in parse_ok(response).select('head link[rel="canonical"]')]


def robots_meta(response):
    return [meta["content"] for meta in parse(response).select('head meta[name="robots"]')]


def test_every_page_names_its_absolute_address_as_canonical(site_tree):
    for page in (site_tree.home, site_tree.topic, site_tree.guidance):
        assert canonicals(anonymous_get(page.url)) == [SITE_ROOT + page.url], page.url


def test_search_pages_name_the_bare_search_page_as_canonical(site_tree):
    for path in ("/search/", "/search/?q=sexting", "/search/?q=xyzzy&page=3"):
        assert canonicals(anonymous_get(path)) == [f"{SITE_ROOT}/search/"], path


def test_a_page_hidden_from_search_engines_says_noindex_and_others_do_not(site_tree, hidden_pages):
    hidden = anonymous_get(hidden_pages["noindex"].url)

    assert robots_meta(hidden) == ["noindex"]
    assert canonicals(hidden) == [SITE_ROOT + hidden_pages["noindex"].url]
    for page in (site_tree.home, site_tree.topic, site_tree.guidance):
        assert robots_meta(anonymous_get(page.url)) == [], page.url


def test_a_page_hidden_from_search_engines_is_still_found_by_the_sites_search(hidden_pages):
    soup = parse_ok(anonymous_get("/search/?q=tracks"))

    assert soup.find("a", href=hidden_pages["noindex"].url) is not None


def test_a_missing_page_names_no_canonical(site_tree):
    response = anonymous_get("/no-such-page/")

    assert response.status_code == 404
    assert parse(response).select('link[rel="canonical"]') == []


# Redirects ----------------------------------------------------------------------


def test_a_redirect_made_in_the_admin_works_for_a_visitor(admin_client, site_tree):
    response = admin_client.post(
        reverse("wagtailredirects:add"),
        {
            "old_path": "/sexting-leaflet",
            "site": "",
            "is_permanent": "on",
            "redirect_page": site_tree.guidance.pk,
            "redirect_link": "",
        },
    )
    assert response.status_code == 302, parse(response).select(".error-message")

    visitor = anonymous_get("/sexting-leaflet/")

    assert visitor.status_code == 301
    assert visitor["Location"] == site_tree.guidance.url
    assert "Set-Cookie" not in visitor.headers


def test_redirects_imported_from_a_csv_file_work(admin_client, site_tree):
    upload = SimpleUploadedFile(
        "redirects.csv",
        # Wagtail's import takes full addresses as targets (its form's URL field).
        b"from,to\n/old/sexting/,http://localhost/online-safety/sexting/\n"
        b"/old/help/,https://www.nspcc.org.uk/\n",
        content_type="text/csv",
    )
    confirm = admin_client.post(reverse("wagtailredirects:start_import"), {"import_file": upload})
    soup = parse_ok(confirm)
    hidden = {
        field["name"]: field["value"]
        for field in soup.select('form input[type="hidden"]')
        if field.get("name") in ("import_file_name", "input_format")
    }
    assert set(hidden) == {"import_file_name", "input_format"}

    done = admin_client.post(
        reverse("wagtailredirects:process_import"),
        {**hidden, "from_index": "0", "to_index": "1", "permanent": "on", "site": ""},
    )

    assert done.status_code == 302, parse(done).get_text(" ", strip=True)[:3000]
    assert Redirect.objects.count() == 2
    moved = anonymous_get("/old/sexting/")
    assert (moved.status_code, moved["Location"]) == (301, SITE_ROOT + site_tree.guidance.url)
    away = anonymous_get("/old/help")
    assert (away.status_code, away["Location"]) == (301, "https://www.nspcc.org.uk/")


def test_moving_a_page_in_the_admin_redirects_its_old_address(admin_client, site_tree, settings):
    assert settings.WAGTAILREDIRECTS_AUTO_CREATE is True
    page = site_tree.other_guidance
    old_url = page.url
    assert anonymous_get(old_url).status_code == 200  # now in the page cache

    response = admin_client.post(
        reverse("wagtailadmin_pages:move_confirm", args=[page.pk, site_tree.home.pk])
    )
    assert response.status_code == 302

    page.refresh_from_db()
    assert page.url == "/grooming/"
    moved = anonymous_get(old_url)
    assert (moved.status_code, moved["Location"]) == (301, "/grooming/")
    assert anonymous_get("/grooming/").status_code == 200


def test_the_page_cache_never_keeps_a_redirect(site_tree):
    redirect = Redirect.objects.create(old_path="/leaflet", redirect_page=site_tree.guidance)

    for _ in range(2):
        response = anonymous_get("/leaflet/")
        assert response.status_code == 301
        assert "public" not in response.get("Cache-Control", "")
        assert "Age" not in response.headers

    redirect.delete()
    # Not a stored 301: the address is simply gone now.
    assert anonymous_get("/leaflet/").status_code == 404


def test_a_cached_page_does_not_hide_a_later_redirect_from_its_old_address(site_tree):
    """A page unpublished after being cached, then redirected: visitors get the redirect."""
    page = site_tree.other_guidance
    assert anonymous_get(page.url).status_code == 200  # cached
    page.unpublish()
    Redirect.objects.create(
        old_path=Redirect.normalise_path(page.url), redirect_page=site_tree.guidance
    )

    response = anonymous_get(page.url)

    assert (response.status_code, response["Location"]) == (301, site_tree.guidance.url)


def test_sitemap_lastmod_changes_when_a_page_is_published_again(site_tree):
    page = site_tree.guidance
    type(page).objects.filter(pk=page.pk).update(
        last_published_at=timezone.now() - datetime.timedelta(days=30)
    )
    old = sitemap_entries(anonymous_get("/sitemap.xml"))[SITE_ROOT + page.url]

    page.save_revision().publish()

    new = sitemap_entries(anonymous_get("/sitemap.xml"))[SITE_ROOT + page.url]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", new)
    assert new == timezone.localdate().isoformat() != old
