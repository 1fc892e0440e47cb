"""Staff password reset is offered only when the site can send e-mail.

Without `EMAIL_HOST`, Wagtail's "Forgotten password?" would say a link was
sent while the sending failed in the log; so the link and the page are gone
(404) until e-mail is configured.
"""

from django.contrib.auth import get_user_model
from django.core import mail

from tests.support.html import parse_ok
from tests.support.servers import manage_ok, production_env

RESET_URL = "/admin/password_reset/"
SHOW_SETTING = "from django.conf import settings; print(settings.WAGTAIL_PASSWORD_RESET_ENABLED)"


def test_without_a_mail_server_there_is_no_password_reset(client, db, settings):
    settings.WAGTAIL_PASSWORD_RESET_ENABLED = False

    login = parse_ok(client.get("/admin/login/"))

    assert login.find("a", href=RESET_URL) is None
    assert client.get(RESET_URL).status_code == 404


def test_with_a_mail_server_the_reset_link_is_sent(client, db, settings):
    settings.WAGTAIL_PASSWORD_RESET_ENABLED = True
    get_user_model().objects.create_user("officer", "officer@example.org", "an old passphrase")

    login = parse_ok(client.get("/admin/login/"))
    response = client.post(RESET_URL, {"email": "officer@example.org"})

    assert login.find("a", href=RESET_URL) is not None
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["officer@example.org"]]


def test_the_setting_follows_email_host(tmp_path):
    without = manage_ok("shell", "-c", SHOW_SETTING, env=production_env(tmp_path))
    with_host = manage_ok(
        "shell", "-c", SHOW_SETTING, env=production_env(tmp_path, EMAIL_HOST="smtp.example.org")
    )

    assert without.stdout.strip().splitlines()[-1] == "False"
    assert with_host.stdout.strip().splitlines()[-1] == "True"
