"""The warning that the app port is reachable without the trusted proxies.

With DJANGO_TRUSTED_PROXY_COUNT above 0, a request carrying fewer
X-Forwarded-For entries did not come through the proxies: whoever sent it
could as well forge the header and pick their own address for the feedback
rate limit and the login lockout (docs/deployment.md). The app logs one
warning per process, naming neither the address nor the page.
"""

import logging

import pytest
from django.test import Client

from portal import client_ip

LOGGER = "portal.client_ip"


@pytest.fixture(autouse=True)
def fresh_warning():
    client_ip.forget_warning()
    yield
    client_ip.forget_warning()


def warnings(caplog):
    return [record for record in caplog.records if record.name == LOGGER]


def test_a_request_without_the_header_is_warned_about_once(site_tree, settings, caplog):
    settings.TRUSTED_PROXY_COUNT = 1
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert Client().get("/", REMOTE_ADDR="198.51.100.23").status_code == 200
        Client().get(site_tree.guidance.url)
        Client().post("/feedback/", {"page": site_tree.guidance.pk, "useful": "yes"})

    [warning] = warnings(caplog)
    message = warning.getMessage()
    assert "DJANGO_TRUSTED_PROXY_COUNT is 1" in message
    assert "reachable without the proxy" in message
    assert "198.51.100.23" not in message
    assert site_tree.guidance.url not in message


def test_requests_through_the_proxies_and_health_probes_are_not_warned_about(
    site_tree, settings, caplog
):
    settings.TRUSTED_PROXY_COUNT = 2
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        Client().get("/", headers={"X-Forwarded-For": "203.0.113.5, 10.0.0.2"})
        Client().get("/health/live/")  # the load balancer's probe, straight to the port

    assert warnings(caplog) == []

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        Client().get("/", headers={"X-Forwarded-For": "10.0.0.2"})  # one proxy short
    assert len(warnings(caplog)) == 1


def test_no_warning_when_no_proxy_is_trusted(site_tree, settings, caplog):
    settings.TRUSTED_PROXY_COUNT = 0
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        Client().get("/")

    assert warnings(caplog) == []


def test_a_spoofed_header_rotated_directly_is_what_the_setting_trusts(site_tree, settings):
    # Why the port must be closed: with the count at 1, a direct client's own
    # header is taken as its address, so rotating it escapes the rate limit.
    settings.TRUSTED_PROXY_COUNT = 1
    settings.FEEDBACK_RATE_LIMIT_PER_MINUTE = 2

    def post_as(address, comment):
        fields = {"page": site_tree.guidance.pk, "useful": "yes", "comment": comment}
        return Client().post("/feedback/", fields, HTTP_X_FORWARDED_FOR=address).status_code

    assert [post_as(f"192.0.2.{n}", f"Spoof {n}") for n in range(5)] == [303] * 5
    settings.TRUSTED_PROXY_COUNT = 0  # what a direct deployment must say
    statuses = [post_as(f"192.0.2.{n}", f"Direct {n}") for n in range(5)]
    assert statuses.count(429) == 3
