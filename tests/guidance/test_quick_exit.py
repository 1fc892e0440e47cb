"""`/exit/`: the no-JavaScript half of quick exit (docs/architecture.md, rule 1)."""

import pytest
from django.core.exceptions import ValidationError

from guidance.models import DEFAULT_NEUTRAL_EXIT_URL, SafetySettings

# Every test here that uses the site tree may share one: build it once (tests/conftest.py).
SHARE_SITE_TREE = True

EXIT_URL = "/exit/"


@pytest.fixture
def neutral_url(site_tree):
    settings = SafetySettings.for_site(site_tree.site)
    settings.neutral_exit_url = "https://weather.example/forecast/london"
    settings.save()
    return settings.neutral_exit_url


def test_exit_sends_the_visitor_to_the_neutral_url_from_the_site_setting(client, neutral_url):
    response = client.get(EXIT_URL)

    assert response.status_code == 303
    assert response["Location"] == neutral_url


def test_exit_uses_the_default_neutral_url_until_an_editor_sets_one(client, site_tree):
    response = client.get(EXIT_URL)

    assert response.status_code == 303
    assert response["Location"] == DEFAULT_NEUTRAL_EXIT_URL


def test_exit_wipes_what_our_origin_left_and_tells_the_next_site_nothing(client, neutral_url):
    response = client.get(EXIT_URL)

    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in response.headers
    assert not response.cookies


def test_exit_answers_head_like_get(client, neutral_url):
    response = client.head(EXIT_URL)

    assert response.status_code == 303
    assert response["Location"] == neutral_url


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_exit_refuses_methods_that_change_things(client, neutral_url, method):
    response = getattr(client, method)(EXIT_URL)

    assert response.status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        "http://weather.example/",
        "javascript:alert(1)",
        "ftp://weather.example/",
        "not a url",
    ],
)
def test_neutral_url_must_be_an_https_address(site_tree, url):
    settings = SafetySettings.for_site(site_tree.site)
    settings.neutral_exit_url = url

    with pytest.raises(ValidationError) as error:
        settings.full_clean()

    assert "neutral_exit_url" in error.value.message_dict


def test_an_https_neutral_url_is_accepted(site_tree):
    settings = SafetySettings.for_site(site_tree.site)
    settings.neutral_exit_url = "https://weather.example/forecast"

    settings.full_clean()
