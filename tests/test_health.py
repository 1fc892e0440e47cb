"""Health checks: `/health/live/` for "restart me?", `/health/ready/` for "send me traffic?"."""

import pytest
from django.db import OperationalError, connection


def test_live_answers_without_touching_the_database(client):
    # No database mark: pytest-django makes any query here an error.
    response = client.get("/health/live/")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response


@pytest.mark.django_db
def test_ready_when_database_cache_and_migrations_are_fine(client):
    response = client.get("/health/ready/")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "migrations": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_not_ready_when_the_database_refuses(client):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    with connection.execute_wrapper(refuse):
        response = client.get("/health/ready/")

    assert response.status_code == 503
    assert response.json()["database"] == "failing"
    assert b"could not connect" not in response.content  # no details leak out


@pytest.mark.django_db
def test_not_ready_when_the_cache_fails(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }

    response = client.get("/health/ready/")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "failing", "migrations": "ok"}


def test_health_checks_only_answer_reads(client):
    assert client.post("/health/live/").status_code == 405
    assert client.head("/health/live/").status_code == 200
