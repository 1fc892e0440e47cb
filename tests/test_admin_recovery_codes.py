"""Recovery codes: single-use codes that sign staff in when their authenticator app cannot.

They are shown once, right after the app is confirmed; each signs in once in
place of the app's code; only hashes are stored; a new set replaces the old
one; the admin says how many are left. The tests walk the screens with the
test client and read what a staff member sees.
"""

import logging
import re
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from tests.support import two_factor
from tests.support.two_factor import SET_UP, VERIFY, current_code

RECOVERY_CODES = "/admin/two-factor/recovery-codes/"

two_factor_on = two_factor.two_factor_on
officer = two_factor.officer


def words(response):
    """The page's text as a person reads it: one space between words."""
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text().split())


def error_box(response):
    """The error as Wagtail's sign-in layout shows it: in the messages box above the form."""
    box = BeautifulSoup(response.content, "html.parser").select_one(".messages li.error")
    return " ".join(box.get_text().split()) if box else ""


def shown_codes(response):
    page = BeautifulSoup(response.content, "html.parser")
    return [code.get_text() for code in page.select("[data-recovery-codes] code")]


def forms_of(code):
    """Every way a code could sit in a database, a session or a log in plain text."""
    bare = code.replace("-", "")
    return {code, bare, code.lower(), bare.lower()}


def set_up_two_step(client, user, next_url="/admin/pages/"):
    """Sign in for the first time, confirm an authenticator app; the codes page it ends on."""
    client.force_login(user)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    confirmed = client.post(SET_UP, {"code": current_code(device), "next": next_url})
    assert confirmed.status_code == 302
    page = client.get(confirmed["Location"])
    return confirmed["Location"], page


def unthrottle(user):
    """As if the wait after a wrong code had passed."""
    TOTPDevice.objects.filter(user=user).update(
        throttling_failure_timestamp=None, throttling_failure_count=0
    )


def sign_in_with(user, code, next_url="/admin/pages/"):
    """A new session: the password (force_login), then `code` on the second step."""
    staff = Client()
    staff.force_login(user)
    return staff, staff.post(VERIFY, {"code": code, "next": next_url})


def test_set_up_shows_ten_recovery_codes_once(client, officer):
    address, page = set_up_two_step(client, officer)

    location = urlsplit(address)
    assert location.path == RECOVERY_CODES
    assert parse_qs(location.query)["next"] == ["/admin/pages/"]
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    codes = shown_codes(page)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[2-9A-Z]{5}-[2-9A-Z]{5}", code) for code in codes)
    text = words(page)
    assert "Your new recovery codes" in text
    assert "Each code works once." in text
    assert "Print this page or store the codes somewhere safe now" in text
    assert "This is the only time they are shown." in text
    assert "For comms.officer on Safeguarding guidance, made" in text
    assert "you had before" not in text  # there were none
    go_on = BeautifulSoup(page.content, "html.parser").find("a", string=re.compile("continue"))
    assert go_on.get_text() == "I have stored my codes: continue"
    assert go_on["href"] == "/admin/pages/"
    assert client.get(go_on["href"]).status_code == 200  # the admin is open now

    again = client.get(address)
    assert again.status_code == 200
    assert shown_codes(again) == []
    assert not any(form in again.content.decode() for code in codes for form in forms_of(code))
    assert "You have 10 recovery codes left out of 10." in words(again)


def test_codes_are_stored_as_hashes_never_in_plain_text(client, officer):
    _, page = set_up_two_step(client, officer)
    codes = shown_codes(page)

    with connection.cursor() as cursor:
        cursor.execute("SELECT user_id, code_hash, created_at, used_at FROM portal_recoverycode")
        rows = cursor.fetchall()
    assert len(rows) == 10
    stored = repr(rows)
    assert not any(form in stored for code in codes for form in forms_of(code))
    for _, code_hash, _, used_at in rows:
        # A salted hash by the project's password hasher (MD5 in tests, PBKDF2 in production).
        assert identify_hasher(code_hash).algorithm == get_hasher().algorithm
        assert used_at is None
    assert len({code_hash for _, code_hash, _, _ in rows}) == 10

    # Nor does the session keep them once they have been shown.
    session = Session.objects.get(session_key=client.session.session_key)
    kept = repr(session.get_decoded()) + session.session_data
    assert not any(form in kept for code in codes for form in forms_of(code))


def test_the_sign_in_screen_offers_recovery_codes(client, officer):
    TOTPDevice.objects.create(user=officer, name="Phone", confirmed=True)
    client.force_login(officer)

    page = client.get(client.get("/admin/pages/")["Location"])

    text = words(page)
    assert "Code from your authenticator app, or a recovery code" in text
    assert "Enter one of your recovery codes instead" in text
    assert "Each recovery code works once." in text


def test_a_recovery_code_signs_in_once(client, officer, caplog):
    _, page = set_up_two_step(client, officer)
    code = shown_codes(page)[3]

    # Typed as people do: small letters, a space for the hyphen.
    with caplog.at_level(logging.WARNING, logger="portal.two_factor"):
        staff, response = sign_in_with(officer, code.lower().replace("-", " "))

    assert response.status_code == 302
    assert response["Location"] == "/admin/pages/"
    pages = staff.get("/admin/pages/")
    assert pages.status_code == 200
    assert "You signed in with a recovery code; that code will not work again." in words(pages)
    assert "You have 9 recovery codes left." in words(pages)

    # Logged and audit-logged, without the code.
    assert "comms.officer signed in with a recovery code (9 left)" in caplog.text
    assert not any(form in caplog.text for form in forms_of(code))
    entry = ModelLogEntry.objects.get(action="portal.recovery_code_used")
    assert (entry.user_id, entry.object_id) == (officer.pk, str(officer.pk))
    assert entry.data == {"left": 9}
    history = staff.get("/admin/reports/site-history/")
    assert "Signed in with a recovery code (9 left)" in words(history)
    assert not any(form in history.content.decode() for form in forms_of(code))

    # The same code a second time, from another session.
    again, refused = sign_in_with(officer, code)
    assert refused.status_code == 200
    assert error_box(refused).startswith("That recovery code is not right, or it has been used")
    assert again.get("/admin/pages/").status_code == 302


def test_a_wrong_recovery_code_is_refused_and_slows_down_both_kinds(client, officer):
    _, page = set_up_two_step(client, officer)
    codes = shown_codes(page)
    typo = codes[0][:-1] + ("3" if codes[0][-1] == "2" else "2")  # one character off
    assert typo not in codes

    staff, wrong = sign_in_with(officer, typo)

    assert wrong.status_code == 200
    assert error_box(wrong) == (
        "That recovery code is not right, or it has been used already. "
        "Each recovery code works once."
    )
    assert staff.get("/admin/pages/").status_code == 302
    # The throttle is the device's: the app's code waits too, then a right recovery code.
    device = TOTPDevice.objects.get(user=officer)
    waiting = staff.post(VERIFY, {"code": current_code(device)})
    assert "Too many wrong codes" in words(waiting)
    assert "Too many wrong codes" in words(staff.post(VERIFY, {"code": codes[1]}))
    unthrottle(officer)
    assert staff.post(VERIFY, {"code": codes[1], "next": "/admin/"})["Location"] == "/admin/"


def test_a_new_set_replaces_the_old_codes(client, officer):
    _, page = set_up_two_step(client, officer)
    old = shown_codes(page)

    status = client.get(RECOVERY_CODES)
    assert "Your old codes stop working as soon as you make new ones." in words(status)
    made = client.post(RECOVERY_CODES, {"next": "/admin/"})
    assert made.status_code == 302
    assert urlsplit(made["Location"]).path == RECOVERY_CODES
    new_page = client.get(made["Location"])
    new = shown_codes(new_page)

    assert len(new) == 10
    assert not set(new) & set(old)
    assert "The recovery codes you had before no longer work." in words(new_page)
    _, refused = sign_in_with(officer, old[5])
    assert "That recovery code is not right, or it has been used already." in words(refused)
    unthrottle(officer)
    _, accepted = sign_in_with(officer, new[5])
    assert accepted["Location"] == "/admin/pages/"
    assert ModelLogEntry.objects.filter(action="portal.recovery_codes_made").count() == 2


def test_the_count_of_codes_left_shows_and_few_left_is_said_at_sign_in(client, officer):
    _, page = set_up_two_step(client, officer)
    codes = shown_codes(page)

    for code in codes[:3]:
        assert sign_in_with(officer, code)[1].status_code == 302
    assert "You have 7 recovery codes left out of 10." in words(client.get(RECOVERY_CODES))
    account = client.get("/admin/account/")
    link = BeautifulSoup(account.content, "html.parser").find("a", string="Recovery codes")
    assert link["href"] == RECOVERY_CODES
    assert "You have 7 recovery codes left." in words(account)

    for code in codes[3:8]:
        sign_in_with(officer, code)
    device = TOTPDevice.objects.get(user=officer)
    device.last_t = -1  # the app's current code may sign in again in this test
    device.save()
    staff, response = sign_in_with(officer, current_code(device))
    assert response.status_code == 302
    reminder = words(staff.get("/admin/pages/"))
    assert "You have 2 recovery codes left for two-step sign-in." in reminder
    assert "Make new codes" in reminder


def test_codes_cannot_be_seen_or_made_before_the_second_step(client, officer):
    _, page = set_up_two_step(client, officer)
    hashes = set(officer.recovery_codes.values_list("code_hash", flat=True))

    password_only = Client()
    password_only.force_login(officer)
    for response in (password_only.get(RECOVERY_CODES), password_only.post(RECOVERY_CODES)):
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == VERIFY
    assert Client().get(RECOVERY_CODES)["Location"].startswith("/admin/login/")

    assert set(officer.recovery_codes.values_list("code_hash", flat=True)) == hashes
