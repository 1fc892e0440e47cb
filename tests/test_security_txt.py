"""/.well-known/security.txt (RFC 9116) and the policy it points to.

Expires is computed from the day the file is served (180 days on), so the
test checks it is always in the future, at least 30 days away and under the
year RFC 9116 allows. The contact comes from SECURITY_TXT_CONTACT.
"""

import datetime
import re

from django.test import Client

WELL_KNOWN = "/.well-known/security.txt"
POLICY = "/.well-known/security-policy.txt"


def fields(response):
    parsed = {}
    for line in response.content.decode().splitlines():
        name, _, value = line.partition(": ")
        parsed.setdefault(name, []).append(value)
    return parsed


def test_security_txt_has_every_field_and_an_expiry_well_in_the_future(db):
    response = Client().get(WELL_KNOWN)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Set-Cookie" not in response.headers
    assert response["X-Content-Type-Options"] == "nosniff"
    found = fields(response)
    assert set(found) == {"Contact", "Expires", "Preferred-Languages", "Canonical", "Policy"}
    assert found["Contact"] == ["mailto:security@testserver"]  # the default
    assert found["Preferred-Languages"] == ["en"]
    assert found["Canonical"] == ["http://testserver/.well-known/security.txt"]
    assert found["Policy"] == ["http://testserver/.well-known/security-policy.txt"]
    [expires] = found["Expires"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", expires)
    left = datetime.datetime.fromisoformat(expires) - datetime.datetime.now(datetime.UTC)
    assert datetime.timedelta(days=30) < left < datetime.timedelta(days=366)


def test_security_txt_is_never_kept_in_the_page_cache_so_expires_stays_current(db, settings):
    first = Client().get(WELL_KNOWN)
    second = Client().get(WELL_KNOWN)

    for response in (first, second):
        assert "Age" not in response  # not served from the page cache
        control = response["Cache-Control"]
        assert "max-age=3600" in control  # a CDN may keep it an hour, not the page cache's days
        assert "stale-if-error" not in control


def test_contacts_and_policy_come_from_the_settings(db, settings):
    settings.SECURITY_TXT_CONTACT = "mailto:psd@police.example, https://police.example/report"
    settings.SECURITY_TXT_POLICY = "https://police.example/disclosure"

    found = fields(Client().get(WELL_KNOWN))

    assert found["Contact"] == ["mailto:psd@police.example", "https://police.example/report"]
    assert found["Policy"] == ["https://police.example/disclosure"]


def test_the_policy_says_how_to_report_and_is_plain_text(db, settings):
    settings.SECURITY_TXT_CONTACT = "mailto:psd@police.example"

    response = Client().get(POLICY)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "mailto:psd@police.example" in text
    assert "999" in text
    assert "&" not in text  # not HTML-escaped


def test_only_get_and_head(db):
    assert Client().post(WELL_KNOWN).status_code == 405
    assert Client().head(WELL_KNOWN).status_code == 200
