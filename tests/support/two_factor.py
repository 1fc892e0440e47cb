"""Staff sign-in with a second step: the admin's two-factor URLs, an officer and their codes.

A module that turns two-factor sign-in on names the fixtures at module level
(`officer = two_factor.officer`), which is how pytest finds them;
`two_factor_on` is autouse there. `current_code` is the code an
authenticator app shows now for a TOTP device.
"""

import time

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP

VERIFY = "/admin/two-factor/"
SET_UP = "/admin/two-factor/set-up/"


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = True


@pytest.fixture
def officer(db):
    return get_user_model().objects.create_superuser(
        "comms.officer", "comms.officer@example.org", "a long enough password"
    )


def current_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"
