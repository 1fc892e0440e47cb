"""Every error page keeps the quick exit and the help numbers, and needs no database.

Django's own 400 (a bad Host header) and 403 (a CSRF failure) pages are
replaced by ours; 500 and 503 come from `portal.views.server_error`.
"""

import pytest
from django.test import Client

from tests.support.html import parse

EXIT = "/exit/"


def assert_keeps_quick_exit_and_numbers(response):
    soup = parse(response)
    leave = soup.find("a", id="quick-exit")
    assert leave is not None, "no Leave site link"
    assert leave["href"] == EXIT
    assert "noreferrer" in leave["rel"]
    assert soup.find("a", href="tel:999") is not None
    assert soup.find("a", class_="skip-link")["href"] == "#main-content"
    assert len(soup.find_all("h1")) == 1
    assert "Traceback" not in response.content.decode()
    assert "Content-Security-Policy" in response.headers


def test_a_bad_host_header_gets_our_400_page(client, db):
    response = client.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert b"could not understand that request" in response.content
    assert_keeps_quick_exit_and_numbers(response)


def test_a_csrf_failure_gets_our_403_page(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/admin/login/", {"username": "a", "password": "b"})

    assert response.status_code == 403
    assert b"Your form could not be sent" in response.content
    assert_keeps_quick_exit_and_numbers(response)


def test_a_missing_page_gets_our_404_page(client, site_tree):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert_keeps_quick_exit_and_numbers(response)


@pytest.mark.urls("tests.support.failing_urls")
def test_an_unexpected_error_gets_our_500_page(db):
    response = Client(raise_request_exception=False).get("/broken/")

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert b"Sorry, there is a problem with this site" in response.content
    assert_keeps_quick_exit_and_numbers(response)


@pytest.mark.urls("tests.support.failing_urls")
def test_a_database_error_gets_a_503_that_says_try_again_later(db):
    response = Client(raise_request_exception=False).get("/database-gone/")

    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert response["Cache-Control"] == "no-store"
    assert b"not available just now" in response.content
    assert_keeps_quick_exit_and_numbers(response)


def test_the_feedback_rate_limit_says_when_to_try_again(client, site_tree, settings):
    settings.FEEDBACK_RATE_LIMIT_PER_MINUTE = 1
    fields = {"page": site_tree.guidance.pk, "useful": "yes"}
    client.post("/feedback/", fields)

    response = client.post("/feedback/", {**fields, "useful": "no"})

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert_keeps_quick_exit_and_numbers(response)
