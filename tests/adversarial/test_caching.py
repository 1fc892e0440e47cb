"""T12, T13: what a CDN in front may keep, and that staff content never reaches it.

Through the whole middleware stack (Django's test client, the real page
cache in local memory): every public page type is sent for shared caches
with no cookie and no token, and staff answers (user bar, drafts, previews)
are private and never served to the next visitor.
"""

import re

import pytest

from tests.guidance.factories import paragraph, section
from tests.support.clients import anonymous_get
from tests.support.users import member_of

CACHE_CONTROL = re.compile(r"\bpublic\b.*\bs-maxage=(\d+)")
DRAFT_MARKER = "Draft wording nobody outside the office may read"
USERBAR_MARKERS = (b"wagtail-userbar", b"w-userbar", b"/admin/pages/")


@pytest.fixture
def page_types(site_tree):
    """One address of each public page type: home, topic, guidance, search, a tagged link."""
    return [
        "/",
        site_tree.topic.url,
        site_tree.guidance.url,
        "/search/",
        site_tree.other_guidance.url + "?utm_source=news",
    ]


def test_t12_cdn_cacheability(page_types, tally):
    for path in page_types:
        # A visitor with stray cookies (analytics, a theme) must not make the page private.
        first = anonymous_get(path, cookie="_ga=GA1.1.1; theme=dark")
        second = anonymous_get(path)
        tally.tried()

        for response in (first, second):
            assert response.status_code == 200, path
            control = CACHE_CONTROL.search(response["Cache-Control"])
            assert control and int(control.group(1)) > 0, (path, response["Cache-Control"])
            assert "private" not in response["Cache-Control"], path
            assert "no-store" not in response["Cache-Control"], path
            assert not response.cookies, (path, response.cookies)
            assert "Set-Cookie" not in response.headers, path
            assert "cookie" not in response.get("Vary", "").lower(), path
            assert b"csrfmiddlewaretoken" not in response.content, path
            assert b"csrftoken" not in response.content, path
        assert second.content == first.content, f"{path}: two visitors got different bytes"


def test_t13_staff_content_never_leaks_into_the_cache(client, site_tree, tally):
    page = site_tree.guidance
    editor = member_of("Editors")
    client.force_login(editor)
    page.body = [section("Know the law"), paragraph(f"<p>{DRAFT_MARKER}.</p>")]
    draft = page.save_revision(user=editor)  # a draft: only staff may see it

    # The editor reads the live page: their own answer is private, with their user bar.
    staff_page = client.get(page.url)
    assert staff_page.status_code == 200
    assert "private" in staff_page["Cache-Control"]
    assert "no-store" in staff_page["Cache-Control"]
    assert b"userbar" in staff_page.content

    # The draft, as staff see it in the admin, is never shareable either.
    preview = client.get(f"/admin/pages/{page.pk}/revisions/{draft.pk}/view/")
    tally.tried(2)
    assert preview.status_code == 200
    assert DRAFT_MARKER.encode() in preview.content
    assert "private" in preview["Cache-Control"] or "no-store" in preview["Cache-Control"]

    # Then visitors, with an empty cookie jar and with a forged session cookie.
    for headers in ({}, {"cookie": "sessionid=forged"}, {"cookie": "theme=dark"}):
        visitor = anonymous_get(page.url, **headers)
        tally.tried()
        assert visitor.status_code == 200
        for marker in USERBAR_MARKERS:
            assert marker not in visitor.content, (headers, marker)
        assert DRAFT_MARKER.encode() not in visitor.content, headers
        assert b"Know the law" in visitor.content
        if "sessionid" in headers.get("cookie", ""):
            # A session cookie (even a forged one) is never given the shared copy
            # and is told not to store its own.
            assert "private" in visitor["Cache-Control"]
