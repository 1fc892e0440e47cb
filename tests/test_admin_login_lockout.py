"""Staff sign-in resists password guessing (django-axes).

After `AXES_FAILURE_LIMIT` wrong passwords for one username from one
client, that username is refused from that client, with the same answer
whether or not the account exists. Other staff, and the same person from
another client, can still sign in. Tests post to Wagtail's own login form
through the test client, which passes a request to `authenticate`, as
django-axes requires.
"""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model

from tests.support.clients import LOGIN, sign_in

PASSWORD = "correct horse battery staple"
OFFICE = "192.0.2.10"
HOME = "198.51.100.7"


@pytest.fixture
def staff(db):
    users = get_user_model()
    return {
        name: users.objects.create_superuser(name, f"{name}@example.org", PASSWORD)
        for name in ("comms.officer", "analyst")
    }


def fail_until_locked(client, username, ip):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, username, "wrong password", ip)


def test_the_right_password_signs_in(client, staff):
    response = sign_in(client, "comms.officer", PASSWORD, OFFICE)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_guessing_locks_that_username_out_from_that_client(client, staff):
    fail_until_locked(client, "comms.officer", OFFICE)

    response = sign_in(client, "comms.officer", PASSWORD, OFFICE)

    assert response.status_code == 429
    assert int(response["Retry-After"]) == int(settings.AXES_COOLOFF_TIME * 3600)
    assert b"Too many failed sign-in attempts" in response.content
    assert b'href="/exit/"' in response.content
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_a_lockout_does_not_lock_out_other_staff_or_other_clients(client, staff):
    fail_until_locked(client, "comms.officer", OFFICE)

    assert sign_in(client, "analyst", PASSWORD, OFFICE).status_code == 302
    client.logout()
    assert sign_in(client, "comms.officer", PASSWORD, HOME).status_code == 302


def test_an_unknown_username_gets_the_same_answers_as_a_real_one(client, staff):
    real = sign_in(client, "comms.officer", "wrong password", OFFICE)
    unknown = sign_in(client, "no.such.person", "wrong password", OFFICE)
    assert real.status_code == unknown.status_code == 200
    assert real.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()

    fail_until_locked(client, "comms.officer", OFFICE)
    fail_until_locked(client, "no.such.person", OFFICE)
    real = sign_in(client, "comms.officer", PASSWORD, OFFICE)
    unknown = sign_in(client, "no.such.person", PASSWORD, OFFICE)

    assert real.status_code == unknown.status_code == 429
    assert real.content == unknown.content
    assert real["Retry-After"] == unknown["Retry-After"]


def test_every_failed_attempt_is_recorded_for_staff_to_review(client, staff):
    fail_until_locked(client, "comms.officer", OFFICE)

    attempt = AccessAttempt.objects.get(username="comms.officer")
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    assert attempt.ip_address == OFFICE


def test_behind_a_proxy_the_lockout_keys_on_the_address_the_proxy_saw(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": "comms.officer", "password": "wrong password"},
            REMOTE_ADDR="10.0.0.2",  # the load balancer
            HTTP_X_FORWARDED_FOR=OFFICE,
        )

    # Another visitor behind the same load balancer is not locked out.
    response = client.post(
        LOGIN,
        {"username": "comms.officer", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=HOME,
    )
    assert response.status_code == 302
    assert AccessAttempt.objects.get(username="comms.officer").ip_address == OFFICE
