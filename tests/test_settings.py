"""Settings are safe by default and production passes Django's deploy checks."""

import subprocess
import sys

import pytest

from portal.settings import base
from tests.support.servers import BASE_DIR, production_env


def check_deploy(tmp_path, https, redis_url="redis://127.0.0.1:6379/15"):
    # The checks name Redis but never reach it.
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(
            tmp_path, DJANGO_HTTPS=https, DJANGO_ALLOWED_HOSTS="portal.example", REDIS_URL=redis_url
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_passes_the_deploy_checks_without_a_warning(tmp_path):
    result = check_deploy(tmp_path, https="true")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_redis_warns_that_publishes_reach_one_process_only(tmp_path):
    result = check_deploy(tmp_path, https="true", redis_url="")

    assert result.returncode != 0
    assert "portal.W001" in result.stderr
    assert "Set REDIS_URL" in result.stderr


def test_plain_http_switch_really_turns_off_https_protections(tmp_path):
    # DJANGO_HTTPS=false is for local end-to-end runs only; the deploy checks
    # must say so (no SSL redirect, no HSTS, cookies not Secure).
    result = check_deploy(tmp_path, https="false")

    assert result.returncode != 0
    for check_id in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check_id in result.stderr


def test_base_settings_are_safe_by_default():
    assert base.DEBUG is False
    assert "*" not in base.ALLOWED_HOSTS
    assert base.SECURE_CONTENT_TYPE_NOSNIFF is True
    assert base.X_FRAME_OPTIONS == "DENY"


def test_staff_passwords_need_twelve_characters_and_sessions_last_a_working_day(settings):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Xq7#pLm2vR9")  # 11 characters, otherwise strong
    validate_password("Xq7#pLm2vR9w")
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60


def test_behind_https_load_balancer_probes_reach_the_health_checks_over_plain_http(tmp_path):
    # Everything else is redirected to https; a probe inside the network is not.
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "client = Client()\n"
        "print(client.get('/health/live/').status_code, client.get('/exit/').status_code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=production_env(tmp_path, DJANGO_HTTPS="true", DJANGO_ALLOWED_HOSTS="testserver"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.stdout.split() == ["200", "301"], result.stdout + result.stderr
