"""Each app process's copies of the page cache, kept exact by Redis's announcements.

Against the real Redis on 127.0.0.1:6379 (database 10), and a closed port.
"""

import logging
import time

import pytest
import redis
from django.test import Client

from portal import page_cache
from portal.near_cache import NearCache
from tests.support.servers import free_port

REDIS_URL = "redis://127.0.0.1:6379/10"
OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
PREFIX = "near-cache-test:"
REDIS_CACHES = {
    "default": {
        "BACKEND": "portal.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": OPTIONS,
    }
}


@pytest.fixture
def other_server():
    """Another app server's connection to the same Redis."""
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def copy_of(near, key, value):
    """Read `key` as the page cache does (token, read Redis, keep the copy) until it is kept.

    A copy is refused when an announcement (here, of the write that made the
    key) arrives between the token and the keeping; the page cache would
    read Redis again next time, so the test does too.
    """
    for _ in range(100):
        near.put_many({key: value}, near.token())
        found = near.get_many([key])
        if found:
            return found
        time.sleep(0.01)
    return found


def test_a_write_by_another_server_drops_the_copy_before_the_next_read(other_server):
    near = NearCache(REDIS_URL, OPTIONS, PREFIX, max_entries=10)
    key = f"{PREFIX}page"
    other_server.set(key, b"v1")

    assert copy_of(near, key, "v1") == {key: "v1"}
    other_server.set(key, b"v2")
    assert near.get_many([key]) == {}
    # Keys outside the prefix are neither announced nor kept from being copied.
    other_server.set("another-prefix:page", b"x")
    assert copy_of(near, key, "v2") == {key: "v2"}


def test_a_deleted_key_and_a_flushed_database_drop_the_copies(other_server):
    near = NearCache(REDIS_URL, OPTIONS, PREFIX, max_entries=10)
    for name in ("a", "b", "c"):
        other_server.set(f"{PREFIX}{name}", name)
        copy_of(near, f"{PREFIX}{name}", name)

    other_server.delete(f"{PREFIX}a")
    assert near.get_many([f"{PREFIX}a", f"{PREFIX}b"]) == {f"{PREFIX}b": "b"}
    other_server.flushdb()
    assert near.get_many([f"{PREFIX}b", f"{PREFIX}c"]) == {}


@pytest.mark.parametrize("closed", ["tracker_name", "listener_name"])
def test_a_closed_connection_drops_the_copies(other_server, closed):
    near = NearCache(REDIS_URL, OPTIONS, PREFIX, max_entries=10)
    key = f"{PREFIX}page"
    copy_of(near, key, "v1")

    # As a server's idle `timeout` would: after this, changes go unannounced.
    (client,) = [c for c in other_server.client_list() if c["name"] == getattr(near, closed)]
    other_server.client_kill_filter(_id=client["id"])

    assert near.get_many([key]) is None
    other_server.set(key, b"v2")
    assert near.get_many([key]) is None  # not reconnected at once, so no copy served


@pytest.fixture
def user_refused_client_commands(other_server):
    """A Redis user who may read and write keys but not run CLIENT (as a Redis before 6 would)."""
    other_server.acl_setuser(
        "near-cache-test",
        enabled=True,
        passwords=["+not-a-secret"],
        keys=["*"],
        channels=["*"],
        commands=["+@all", "-client"],
        reset=True,
    )
    yield "redis://near-cache-test:not-a-secret@127.0.0.1:6379/10"
    other_server.acl_deluser("near-cache-test")


def test_a_redis_that_refuses_tracking_is_not_asked_again_and_no_connection_is_left(
    other_server, user_refused_client_commands, caplog
):
    near = NearCache(user_refused_client_commands, OPTIONS, PREFIX, max_entries=10)

    with caplog.at_level(logging.WARNING, logger="portal.near_cache"):
        assert near.get_many([f"{PREFIX}a"]) is None
        assert near.get_many([f"{PREFIX}a"]) is None

    assert ["Redis refused" in record.getMessage() for record in caplog.records] == [True]
    left = [c for c in other_server.client_list() if c["user"] == "near-cache-test"]
    assert left == []


def test_a_copy_read_while_its_key_changed_is_not_kept(other_server):
    near = NearCache(REDIS_URL, OPTIONS, PREFIX, max_entries=10)
    key = f"{PREFIX}page"
    token = near.token()
    other_server.set(key, b"new")  # changed between our read and our keeping it

    near.put_many({key: "old"}, token)

    assert near.get_many([key]) == {}


def test_only_the_most_recently_used_copies_are_kept(other_server):
    near = NearCache(REDIS_URL, OPTIONS, PREFIX, max_entries=2)
    copy_of(near, f"{PREFIX}a", "a")
    copy_of(near, f"{PREFIX}b", "b")
    near.get_many([f"{PREFIX}a"])
    copy_of(near, f"{PREFIX}c", "c")

    assert near.get_many([f"{PREFIX}a", f"{PREFIX}b", f"{PREFIX}c"]) == {
        f"{PREFIX}a": "a",
        f"{PREFIX}c": "c",
    }


def test_without_redis_there_are_no_copies_and_one_warning(caplog):
    near = NearCache(f"redis://127.0.0.1:{free_port()}/0", OPTIONS, PREFIX, max_entries=10)

    with caplog.at_level(logging.WARNING, logger="portal.near_cache"):
        assert near.get_many([f"{PREFIX}a"]) is None
        assert near.token() is None  # not retried at once
        near.put_many({f"{PREFIX}a": "a"}, None)

    assert near.get_many([f"{PREFIX}a"]) is None
    assert len(caplog.records) == 1


def test_a_cached_page_is_served_from_the_process_copy_and_is_fresh_after_a_publish(
    site_tree, settings, other_server
):
    settings.CACHES = REDIS_CACHES
    page = site_tree.guidance
    Client().get(page.url)  # rendered and stored
    time.sleep(0.1)  # the announcement of that store arrives
    Client().get(page.url)  # read from Redis, copied into this process

    (stored,) = other_server.keys(f"*page-cache:{page_cache.ENTRY_FORMAT}:*")
    # Redis counts a key's idle time in whole seconds of a clock its timer
    # advances, which lags on a busy machine: 1.1 s sometimes read as 0.
    time.sleep(2.1)
    for _ in range(3):
        assert b"Know the law" in Client().get(page.url).content
    assert other_server.object("idletime", stored) >= 1  # nobody read it from Redis

    page.title = "Sexting: what the law says"
    page.save_revision().publish()

    assert b"Sexting: what the law says" in Client().get(page.url).content
