"""Staff need a code from an authenticator app, as well as their password (django-otp).

With a device, the admin asks for its current code; without one, it walks
them through setting one up. Wrong codes are refused. Tests compute codes
the way an authenticator app does, from the device's key and the clock.
"""

import re
from urllib.parse import parse_qs, urlsplit

from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.support import two_factor
from tests.support.two_factor import SET_UP, VERIFY, current_code

two_factor_on = two_factor.two_factor_on
officer = two_factor.officer


def test_after_the_password_the_admin_asks_for_the_code(client, officer):
    device = TOTPDevice.objects.create(user=officer, name="Phone", confirmed=True)
    client.force_login(officer)

    response = client.get("/admin/pages/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == VERIFY
    assert parse_qs(location.query)["next"] == ["/admin/pages/"]

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Enter your sign-in code" in page.content

    wrong = client.post(VERIFY, {"code": "000000", "next": "/admin/pages/"})
    assert wrong.status_code == 200
    assert b"That code is not right" in wrong.content
    assert client.get("/admin/").status_code == 302  # still not in

    # The throttle from the wrong code must pass before the right one counts.
    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.throttling_failure_count = 0
    device.save()
    right = client.post(VERIFY, {"code": current_code(device), "next": "/admin/pages/"})
    assert right.status_code == 302
    assert right["Location"] == "/admin/pages/"
    assert client.get("/admin/pages/").status_code == 200


def test_repeated_wrong_codes_are_slowed_down(client, officer):
    device = TOTPDevice.objects.create(user=officer, name="Phone", confirmed=True)
    client.force_login(officer)
    client.post(VERIFY, {"code": "000000"})

    response = client.post(VERIFY, {"code": current_code(device)})

    assert response.status_code == 200
    assert b"Too many wrong codes" in response.content
    assert client.get("/admin/").status_code == 302


def test_staff_without_a_device_must_set_one_up_first(client, officer):
    client.force_login(officer)

    response = client.get("/admin/")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == SET_UP

    page = client.get(SET_UP)
    assert page.status_code == 200
    typed_key = re.search(rb"data-two-factor-key>([A-Z2-7 ]+)<", page.content).group(1)
    qr_code = client.get("/admin/two-factor/set-up/qr-code.svg")
    assert qr_code["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr_code.content

    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert typed_key.decode().replace(" ", "") in device.config_url
    response = client.post(SET_UP, {"code": current_code(device), "next": "/admin/"})
    assert response.status_code == 302
    # Next come the recovery codes (tests/test_admin_recovery_codes.py), then the admin.
    location = urlsplit(response["Location"])
    assert location.path == "/admin/two-factor/recovery-codes/"
    assert parse_qs(location.query)["next"] == ["/admin/"]
    assert TOTPDevice.objects.get(user=officer).confirmed
    assert client.get("/admin/").status_code == 200


def test_the_set_up_page_never_shows_a_confirmed_key_again(client, officer):
    TOTPDevice.objects.create(user=officer, name="Phone", confirmed=True)
    client.force_login(officer)

    assert client.get(SET_UP)["Location"] == VERIFY
    assert client.get("/admin/two-factor/set-up/qr-code.svg").status_code == 404


def test_next_cannot_send_staff_to_another_site(client, officer):
    device = TOTPDevice.objects.create(user=officer, name="Phone", confirmed=True)
    client.force_login(officer)

    response = client.post(VERIFY, {"code": current_code(device), "next": "https://evil.example/"})

    assert response["Location"] == "/admin/"


def test_public_pages_are_not_held_up_by_two_factor(client, site_tree, officer):
    client.force_login(officer)

    assert client.get(site_tree.guidance.url).status_code == 200


def test_the_admins_own_audit_entries_about_the_signed_in_user_are_kept(client, officer):
    """Wagtail logs an account change against `request.user`, which this middleware wraps."""
    from wagtail.models import ModelLogEntry

    device = TOTPDevice.objects.create(user=officer, name="Phone", confirmed=True)
    client.force_login(officer)
    client.post(VERIFY, {"code": current_code(device)})

    response = client.post(
        "/admin/account/",
        {
            "name_email-first_name": "Comms",
            "name_email-last_name": "Officer",
            "name_email-email": "comms.officer@example.org",
            "locale-preferred_language": "en",
            "locale-current_time_zone": "",
            "theme-theme": "system",
            "theme-contrast": "system",
            "theme-density": "default",
            "theme-keyboard_shortcuts": "on",
        },
    )

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.first_name == "Comms"
    assert ModelLogEntry.objects.filter(
        action="wagtail.edit", object_id=str(officer.pk), user=officer
    ).exists()
