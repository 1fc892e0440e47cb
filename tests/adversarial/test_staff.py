"""T23, T24, T25: staff accounts as the way in (guessing, forced browsing, editor XSS).

Through the whole middleware stack with the test client: django-axes and
django-otp with their real models, the real groups the migrations create
("Editors", "Moderators", "Feedback analysts"), Wagtail's own admin views,
and a real HTTP server on loopback standing in for the CDN's PURGE.
"""

import io
import json
import logging
import re

import PIL.Image
import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import ModelLogEntry

from feedback.audit import EXPORT_ACTION
from portal import cdn as cdn_backend
from tests.feedback.factories import at, respond
from tests.support import cdn as loopback_cdn
from tests.support.admin_forms import guidance_form_data
from tests.support.clients import sign_in
from tests.support.faults import closed_port
from tests.support.html import parse
from tests.support.users import member_of

PASSWORD = "correct horse battery staple"
SECRET = "He said he would hurt me"

recording_cdn = loopback_cdn.recording_cdn  # a fixture, for `purges`


def png():
    picture = io.BytesIO()
    PIL.Image.new("RGB", (4, 4), "white").save(picture, "PNG")
    return picture.getvalue()


# --- T23: password guessing and two-step sign-in ------------------------------


def test_t23_admin_brute_force_and_mfa(client, db, settings, tally):
    settings.STAFF_TWO_FACTOR_REQUIRED = True
    users = get_user_model()
    officer = users.objects.create_superuser("comms.officer", "o@example.org", PASSWORD)
    others = [
        users.objects.create_user(f"staff{n}", f"s{n}@example.org", PASSWORD, is_staff=True)
        for n in range(10)
    ]
    office, attacker = "192.0.2.10", "203.0.113.66"

    # Five wrong passwords for one user from one address lock that pair.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "comms.officer", "wrong password", attacker)
    tally.tried(settings.AXES_FAILURE_LIMIT)
    locked = sign_in(client, "comms.officer", PASSWORD, attacker)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Still locked on the next try: the lock lasts its cool-off, not one request.
    assert sign_in(client, "comms.officer", PASSWORD, attacker).status_code == 429

    # The same answer for a username that does not exist.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "no.such.person", "wrong password", attacker)
    ghost = sign_in(client, "no.such.person", PASSWORD, attacker)
    tally.tried(settings.AXES_FAILURE_LIMIT + 1)
    assert ghost.status_code == locked.status_code
    assert ghost.content == locked.content

    # Three wrong passwords for each of ten users from one address: nobody locked.
    for user in others:
        for _ in range(3):
            sign_in(Client(), user.username, "wrong password", attacker)
    tally.tried(30)
    for user in others[:2]:
        assert sign_in(Client(), user.username, PASSWORD, attacker).status_code == 302

    # The officer from the office is not locked out by the attacker.
    staff = Client()
    signed_in = sign_in(staff, "comms.officer", PASSWORD, office)
    assert signed_in.status_code == 302
    # The right password without the code opens no admin view.
    for path in ("/admin/", "/admin/pages/", "/admin/reports/feedback/", "/admin/users/"):
        response = staff.get(path)
        tally.tried()
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/two-factor/"), path
    assert officer.totpdevice_set.count() == 0

    # Every failed attempt is on record (a success clears that pair's record, as configured).
    attempts = AccessAttempt.objects.filter(ip_address=attacker)
    recorded = sum(attempt.failures_since_start for attempt in attempts)
    assert recorded >= 5 + 5 + 8 * 3, recorded
    assert attempts.filter(username="comms.officer").exists()
    assert attempts.filter(username="no.such.person").exists()


# --- T24: forced browsing ------------------------------------------------------

FILTERED_LISTINGS = ("/chooser/", "/reports/site-history/")


@pytest.fixture
def admin_objects(site_tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page = site_tree.guidance
    first = page.save_revision()
    second = page.save_revision()
    image = Image.objects.create(title="Logo", file=ContentFile(png(), name="logo.png"))
    document = Document.objects.create(
        title="Leaflet", file=ContentFile(b"leaflet", name="leaflet.txt")
    )
    respond(page, at=at(7, 1), useful=False, comment=SECRET)
    return {
        "page": page,
        "revisions": (first.pk, second.pk),
        "image": image,
        "document": document,
        "site": site_tree.site,
        "contact": site_tree.nspcc,
    }


def out_of_role_urls(objects, role):
    page, image = objects["page"].pk, objects["image"].pk
    first, second = objects["revisions"]
    if role == "editor":
        return [
            "/admin/reports/feedback/",
            "/admin/reports/feedback/?export=csv",
            "/admin/reports/feedback/?export=xlsx",
            "/admin/reports/feedback/results/",
            "/admin/reports/feedback-summary/",
            "/admin/users/",
            "/admin/groups/",
            f"/admin/settings/guidance/safetysettings/{objects['site'].pk}/",
        ]
    return [
        f"/admin/pages/{page}/edit/",
        f"/admin/pages/{page}/edit/preview/",
        f"/admin/pages/{page}/revisions/compare/{first}...{second}/",
        f"/admin/pages/{page}/revisions/{first}/view/",
        f"/admin/pages/{page}/history/",
        f"/admin/pages/{page}/copy/",
        f"/admin/pages/{page}/delete/",
        f"/admin/pages/{page}/unpublish/",
        f"/admin/pages/{objects['page'].get_parent().pk}/",
        "/admin/pages/search/?q=sexting",
        f"/admin/settings/guidance/safetysettings/{objects['site'].pk}/",
        f"/admin/images/{image}/",
        f"/admin/images/{image}/generate_url/",
        f"/admin/images/{image}/generate_url/fill-100x100/",
        f"/admin/images/{image}/preview/fill-100x100/",
        "/admin/images/",
        "/admin/images/chooser/",
        f"/admin/documents/edit/{objects['document'].pk}/",
        "/admin/documents/chooser/",
        f"/admin/snippets/guidance/signpostingcontact/edit/{objects['contact'].pk}/",
        "/admin/users/",
        "/admin/groups/",
        "/admin/sites/",
        "/admin/redirects/",
        "/admin/workflows/list/",
        "/admin/reports/site-history/",
    ]


@pytest.mark.parametrize("role", ["analyst", "editor"])
def test_t24_forced_browsing(client, admin_objects, role, tally):
    group = {"analyst": "Feedback analysts", "editor": "Editors"}[role]
    client.force_login(member_of(group))
    refused = []
    for url in out_of_role_urls(admin_objects, role):
        response = client.get(url)
        tally.tried()
        if response.status_code == 302:
            assert response["Location"] != url, url
        elif response.status_code == 200 and url.endswith(FILTERED_LISTINGS):
            # Wagtail's choosers and site history open for anyone in the admin,
            # listing only what that person may see: here, none of these objects.
            content = response.content.decode()
            for title in ("Logo", "Leaflet", "Sexting", "NSPCC"):
                assert title not in content, (url, title)
        else:
            assert response.status_code in (403, 404), (url, response.status_code)
        assert not getattr(response, "streaming", False), url
        assert SECRET.encode() not in response.content, url
        refused.append(url)
    assert refused

    if role == "analyst":
        # What analysts are for: they may list and download feedback, and it is logged.
        listing = client.get("/admin/reports/feedback/")
        assert listing.status_code == 200
        assert SECRET in listing.content.decode()
        download = client.get("/admin/reports/feedback/?export=csv")
        assert download.status_code == 200
        assert SECRET in b"".join(download.streaming_content).decode()
        assert ModelLogEntry.objects.filter(action=EXPORT_ACTION).count() == 1


# --- T25: editor-supplied XSS, and the purges a publish sends ------------------


def contentstate_link(text, url):
    """A Draftail paragraph whose whole text links to `url`, as a crafted post would send it."""
    return json.dumps(
        {
            "blocks": [
                {
                    "key": "x1",
                    "text": text,
                    "type": "unstyled",
                    "depth": 0,
                    "inlineStyleRanges": [],
                    "entityRanges": [{"offset": 0, "length": len(text), "key": 0}],
                    "data": {},
                }
            ],
            "entityMap": {"0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": url}}},
        }
    )


@pytest.fixture
def purges(request):
    """The PURGE requests a real HTTP server on loopback receives (tests/support/cdn.py)."""
    recorded = request.getfixturevalue("recording_cdn")
    cdn_backend.forget_failures()
    yield recorded
    cdn_backend.forget_failures()


# The page, the topic that lists it and the home page, as Varnish sees them.
PURGED = {"localhost/online-safety/hostile-page/", "localhost/online-safety/", "localhost/"}
HOSTILE_BODY = [
    ("section_heading", {"heading": '<img src=x onerror="alert(1)">Signs'}),
    ("paragraph", contentstate_link("Read more", "javascript:alert(1)")),
    ("paragraph", contentstate_link("Also this", " JaVaScRiPt:alert(1)")),
    ("paragraph", contentstate_link("And data", "data:text/html,<script>alert(1)</script>")),
    (
        "quote",
        {"quote": "<script>alert(1)</script>", "attribution": '"><svg onload=alert(1)>'},
    ),
]


def assert_inert(html):
    """Nothing in the page can run: hostile text is only ever text."""
    soup = parse(html)
    for element in soup.find_all(True):
        handlers = [name for name in element.attrs if name.lower().startswith("on")]
        assert not handlers, f"<{element.name}> has {handlers}"
        for name in ("href", "src", "action", "formaction", "xlink:href"):
            value = re.sub(r"\s", "", str(element.get(name, ""))).lower()
            assert not value.startswith(("javascript:", "data:text", "vbscript:")), element
    for script in soup.find_all("script"):
        assert script.get("src", "").startswith("/static/"), script
    assert not soup.find_all(["svg", "iframe", "object", "embed"])
    assert "<script>alert" not in html


def test_t25_editor_xss_and_purges_on_publish_and_unpublish(
    client, site_tree, settings, tmp_path, purges, caplog, tally
):
    settings.MEDIA_ROOT = tmp_path
    editor = member_of("Editors")
    client.force_login(editor)
    parent = site_tree.topic
    data = guidance_form_data("Hostile page", HOSTILE_BODY)
    data["body-count"] = str(len(HOSTILE_BODY))
    response = client.post(f"/admin/pages/add/guidance/guidancepage/{parent.pk}/", data)
    tally.tried(len(HOSTILE_BODY))
    assert response.status_code == 302, response.content[:2000]
    page = parent.get_children().get(slug="hostile-page").specific

    # A reviewer publishes it (editors cannot): through the admin, as a superuser.
    reviewer = Client()
    reviewer.force_login(
        get_user_model().objects.create_superuser("reviewer", "r@example.org", PASSWORD)
    )
    edit = f"/admin/pages/{page.pk}/edit/"
    publish = {**guidance_form_data("Hostile page", HOSTILE_BODY), "action-publish": "publish"}
    purges.clear()
    assert reviewer.post(edit, publish).status_code == 302
    page.refresh_from_db()
    assert page.live

    html = Client().get(page.url).content.decode()
    assert "Signs" in html
    assert_inert(html)
    assert PURGED.issubset(purges)

    # Unpublishing purges the same pages.
    purges.clear()
    assert reviewer.post(f"/admin/pages/{page.pk}/unpublish/").status_code == 302
    assert PURGED.issubset(purges)

    # Uploads that could carry script are refused, as images and as documents.
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for url, field, name, body in (
        ("/admin/images/add/", "file", "evil.svg", svg),
        ("/admin/documents/add/", "file", "evil.svg", svg),
        ("/admin/documents/add/", "file", "evil.html", b"<script>alert(1)</script>"),
    ):
        before = (Image.objects.count(), Document.objects.count())
        upload = SimpleUploadedFile(name, body)
        answer = client.post(url, {"title": name, field: upload, "collection": "1"})
        tally.tried()
        assert answer.status_code in (200, 400), (url, name, answer.status_code)
        assert (Image.objects.count(), Document.objects.count()) == before, (url, name)

    # A CDN that is down never stops a publish, and the failure is logged.
    settings.WAGTAILFRONTENDCACHE["varnish"]["LOCATION"] = f"http://127.0.0.1:{closed_port()}"
    cdn_backend.forget_failures()
    with caplog.at_level(logging.WARNING):
        assert reviewer.post(edit, publish).status_code == 302
    page.refresh_from_db()
    assert page.live
    assert any("purg" in record.getMessage().lower() for record in caplog.records)
