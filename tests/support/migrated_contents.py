"""Put back what migrations created after a test that emptied the test database.

Tests that commit (live server, browser) end with Django flushing every
table, including what migrations filled: Wagtail's root page and default
site, the staff groups, the review workflow, feedback's visit reasons.
Django's runner copes by running such tests last; under xdist and in random
order that cannot hold. So each process notes when a test flushed its
database, and before the next test that runs inside a transaction it
restores the contents Django serialized after migrating (as serialized
rollback does for the transactional tests themselves).
"""

import json

import pytest

CONTENTS_KEY = pytest.StashKey[dict]()
FLUSHED_KEY = pytest.StashKey[bool]()


def database_use(item):
    """'transactional', 'transaction' or None, decided as pytest-django orders tests."""
    from django.test import TestCase, TransactionTestCase

    test_class = getattr(item, "cls", None)
    if test_class and issubclass(test_class, TransactionTestCase):
        return "transaction" if issubclass(test_class, TestCase) else "transactional"
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    commits = marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    if commits or "transactional_db" in fixtures or "live_server" in fixtures:
        return "transactional"
    if marker or "db" in fixtures:
        return "transaction"
    return None


def capture(config):
    """Keep Django's serialized contents, with every content type cached first.

    Wagtail's `Task.__init__` looks its content type up while the contents
    are restored, before the content types are: an uncached type would be
    created again with a new id, and restoring the real one would then fail.
    """
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    ContentType.objects.get_for_models(*apps.get_models())
    contents = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    config.stash[CONTENTS_KEY] = contents
    return contents


def note_flush(item):
    if database_use(item) == "transactional":
        item.config.stash[FLUSHED_KEY] = True


def restore_if_flushed(item):
    """Before a test in a transaction, refill a database that a flush emptied."""
    config = item.config
    if not config.stash.get(FLUSHED_KEY, False) or database_use(item) != "transaction":
        return
    from django.core.management import call_command
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    contents = config.stash.get(CONTENTS_KEY, None)
    if not contents:
        pytest.fail(
            "A test flushed the database but nothing serialized it after migrating: "
            "give transactional tests the `migrated_database_contents` fixture.",
            pytrace=False,
        )
    with config.stash[blocking_manager_key].unblock():
        for alias, serialized in contents.items():
            # A flush without serialized rollback runs post_migrate, which
            # creates content types and permissions again: empty it first.
            call_command(
                "flush",
                database=alias,
                interactive=False,
                reset_sequences=False,
                inhibit_post_migrate=True,
                verbosity=0,
            )
            restore(connections[alias], serialized)
    config.stash[FLUSHED_KEY] = False


def restore(connection, serialized):
    """Content types first, so no model built while restoring creates its own."""
    objects = json.loads(serialized)
    content_types = [obj for obj in objects if obj["model"] == "contenttypes.contenttype"]
    others = [obj for obj in objects if obj["model"] != "contenttypes.contenttype"]
    connection.creation.deserialize_db_from_string(json.dumps(content_types))
    connection.creation.deserialize_db_from_string(json.dumps(others))
