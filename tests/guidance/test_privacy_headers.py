"""No cookies, no third parties, strict headers on every public page (docs/architecture.md, rule 2).

A visitor reading about abuse must leave no session behind and must not be
announced to another site by anything the page loads.
"""

from urllib.parse import urlsplit

import pytest

from tests.support.html import parse

# Every test here that uses the site tree may share one: build it once (tests/conftest.py).
SHARE_SITE_TREE = True


@pytest.fixture
def public_paths(site_tree):
    """Every kind of public page an anonymous visitor can reach, with its status."""
    return {
        "/": 200,
        site_tree.topic.url: 200,
        site_tree.guidance.url: 200,
        "/search/": 200,
        "/search/?q=sexting": 200,
        "/search/?q=xylophone": 200,
        "/no-such-page/": 404,
    }


def csp_directives(header):
    directives = {}
    for part in header.split(";"):
        if part.strip():
            name, *values = part.split()
            directives[name] = values
    return directives


# The whole public policy, as the header a browser receives: nothing from
# another origin, no inline script, no framing, no plugins.
PUBLIC_POLICY = csp_directives(
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def loaded_resources(soup):
    """(what, address) for everything the browser fetches or submits to by itself.

    Outbound `<a>` links (to a helpline's website) are navigation the visitor
    chooses, so they are not listed; nor is `<link rel="canonical">`, which
    names the page's own address for search engines and is never fetched.
    """
    for script in soup.find_all("script", src=True):
        yield "script", script["src"]
    for link in soup.find_all("link", href=True):
        if link.get("rel") != ["canonical"]:
            yield f"link rel={' '.join(link.get('rel', []))}", link["href"]
    for tag in soup.find_all(["img", "iframe", "audio", "video", "source", "embed", "track"]):
        for attribute in ("src", "srcset", "poster"):
            if tag.get(attribute):
                yield tag.name, tag[attribute]
    for obj in soup.find_all("object", data=True):
        yield "object", obj["data"]
    for form in soup.find_all("form"):
        yield "form action", form.get("action", "")
    for tag in soup.find_all(["button", "input"], formaction=True):
        yield f"{tag.name} formaction", tag["formaction"]


def is_same_origin(address):
    """A relative or root-relative address (or an inline `data:` icon), never another host."""
    parts = urlsplit(address.strip())
    return not parts.netloc and parts.scheme in ("", "data")


def test_same_origin_check_is_strict_enough():
    assert is_same_origin("/static/css/site.css")
    assert is_same_origin("")  # a form without action posts to the page itself
    assert is_same_origin("?q=1")
    assert not is_same_origin("https://fonts.googleapis.com/css")
    assert not is_same_origin("//cdn.example/app.js")
    assert not is_same_origin("http://testserver/static/app.js")
    assert not is_same_origin("javascript:alert(1)")


def test_anonymous_pages_set_no_cookie(client, public_paths):
    for path, status in public_paths.items():
        response = client.get(path)

        assert response.status_code == status, path
        assert "Set-Cookie" not in response.headers, path
        assert not response.cookies, f"{path} set {list(response.cookies)}"


def test_anonymous_pages_load_nothing_from_another_origin(client, public_paths):
    for path in public_paths:
        soup = parse(client.get(path))

        resources = list(loaded_resources(soup))
        assert any(what == "link rel=stylesheet" for what, _ in resources), (
            f"{path}: expected our stylesheet"
        )
        others = [(what, url) for what, url in resources if not is_same_origin(url)]
        assert others == [], f"{path} loads from another origin: {others}"
        inline = [s for s in soup.find_all("script") if not s.get("src") and s.string]
        assert inline == [], f"{path} has inline script, which the CSP would block"


def test_guidance_page_links_out_to_helpline_websites(client, site_tree):
    # The only other origins on a page are links the visitor can choose to follow.
    soup = parse(client.get(site_tree.guidance.url))

    assert soup.find("a", href="https://www.nspcc.org.uk/") is not None


def test_public_pages_send_a_strict_content_security_policy(client, public_paths):
    for path in public_paths:
        response = client.get(path)

        assert "Content-Security-Policy" in response.headers, path
        directives = csp_directives(response["Content-Security-Policy"])
        assert directives["script-src"] == ["'self'"], path
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], path
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], path
        assert directives["default-src"] == ["'self'"], path
        assert directives["frame-ancestors"] == ["'none'"], path
        assert directives["object-src"] == ["'none'"], path


def test_public_pages_send_privacy_and_hardening_headers(client, public_paths):
    for path in public_paths:
        response = client.get(path)

        assert response["Referrer-Policy"] == "same-origin", path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["X-Frame-Options"] == "DENY", path
        permissions = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()"):
            assert feature in permissions, path


def test_quick_exit_gets_the_public_policy_too(client, site_tree):
    response = client.get("/exit/")

    assert csp_directives(response["Content-Security-Policy"]) == PUBLIC_POLICY
    assert "Set-Cookie" not in response.headers


def test_every_public_page_sends_exactly_the_public_policy(client, public_paths):
    for path in public_paths:
        response = client.get(path)

        assert csp_directives(response["Content-Security-Policy"]) == PUBLIC_POLICY, path
        assert response["Cross-Origin-Resource-Policy"] == "same-origin", path
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", path


def test_admin_has_a_policy_of_its_own_that_still_shuts_out_other_origins(admin_client, site_tree):
    # Wagtail's admin writes inline <script> elements, so it cannot take the
    # public policy; its own keeps every other origin, eval and inline event
    # handlers out.
    response = admin_client.get("/admin/")

    assert response.status_code == 200
    directives = csp_directives(response["Content-Security-Policy"])
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["script-src-attr"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    for values in directives.values():
        for value in values:
            assert value.startswith("'") or value in {"data:", "blob:"}, value


def test_admin_reports_of_visitor_comments_are_under_the_admin_policy(admin_client, site_tree):
    response = admin_client.get("/admin/reports/feedback/")

    assert response.status_code == 200
    assert "script-src-attr 'none'" in response["Content-Security-Policy"]


def test_robots_txt_keeps_crawlers_off_the_endpoints(client, site_tree):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    rules = response.content.decode().splitlines()
    assert "Disallow: /exit/" in rules
    assert "Disallow: /feedback/" in rules
    assert "Set-Cookie" not in response


def test_admin_shows_no_gravatar_for_staff_with_an_email(admin_client, admin_user, site_tree):
    admin_user.email = "comms.officer@example.org"
    admin_user.save()

    page = admin_client.get("/admin/")

    assert page.status_code == 200
    assert b"gravatar.com" not in page.content


def test_home_page_describes_itself_from_its_introduction(client, site_tree):
    site_tree.home.intro = "<p>Advice &amp; help for <b>children</b>.</p>"
    site_tree.home.save_revision().publish()

    soup = parse(client.get("/"))

    assert soup.find("meta", attrs={"name": "description"})["content"] == (
        "Advice & help for children."
    )
