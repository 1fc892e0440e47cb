"""A copy of the page cache inside each app process, kept exact by Redis.

A page served from the page cache still cost a round trip to Redis, most of
the time of a cached answer (bench/serving.py --profile). Redis can tell a
client when keys it cares about change ("client-side caching": `CLIENT
TRACKING` in broadcasting mode, Redis 6 or later). Each app process opens two
connections of its own: one subscribed to `__redis__:invalidate`, and one
that turns tracking on for every key under the page cache's prefix, with the
announcements sent to the first. Any write to such a key (a purge, a new
generation, a page stored by another server) is announced to every process.

`NearCache.get_many` first reads, without waiting, the announcements already
on the socket, so a copy that a purge on another server dropped is never
served once that purge has returned. If the connections fail, every copy is
dropped and lookups go to Redis until they are made again, at most every
`RETRY_AFTER_SECONDS`. At most `max_entries` copies are kept, the least
recently used dropped first.
"""

import logging
import os
import threading
import time
from collections import OrderedDict

import redis
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError, ResponseError

logger = logging.getLogger(__name__)

INVALIDATION_CHANNEL = "__redis__:invalidate"
# Names in Redis's CLIENT LIST (with the process id), so operators can tell these apart.
LISTENER_NAME = "portal-page-cache-listener"
TRACKER_NAME = "portal-page-cache-tracker"
RETRY_AFTER_SECONDS = 5


class NearCache:
    """Copies of the values of Redis keys under `prefix`, dropped when Redis says they change.

    Keys are Redis's own (the cache's `make_key` applied).
    """

    def __init__(self, location, options, prefix, max_entries):
        # RESP2: announcements arrive as ordinary pub/sub messages on the listener.
        self._pool = redis.ConnectionPool.from_url(location, protocol=2, **options)
        self._prefix = prefix
        self._max_entries = max_entries
        self._copies = OrderedDict()
        self._lock = threading.Lock()
        self._listener = self._tracker = None
        self._retry_at = 0.0
        self._announcements = 0  # how many have been read: see `token`
        suffix = f"{os.getpid()}-{id(self):x}"
        self.listener_name = f"{LISTENER_NAME}-{suffix}"
        self.tracker_name = f"{TRACKER_NAME}-{suffix}"

    def get_many(self, keys):
        """{key: value} for the keys held here, or None when Redis cannot keep us informed."""
        with self._lock:
            if not self._informed():
                return None
            found = {}
            for key in keys:
                if key in self._copies:
                    self._copies.move_to_end(key)
                    found[key] = self._copies[key]
            return found

    def token(self):
        """Take before reading Redis; `put_many` keeps the values only if nothing changed since."""
        with self._lock:
            return self._announcements if self._informed() else None

    def put_many(self, values, token):
        with self._lock:
            # An announcement read since the token may be about these very keys.
            if token is None or not self._informed() or self._announcements != token:
                return
            for key, value in values.items():
                self._copies[key] = value
                self._copies.move_to_end(key)
            while len(self._copies) > self._max_entries:
                self._copies.popitem(last=False)

    def _informed(self):
        """Connected, with every announcement already received applied (call with the lock)."""
        if self._listener is None and not self._connect():
            return False
        try:
            while self._listener.can_read(timeout=0):
                self._apply(self._listener.read_response())
            # The tracker never receives anything: readable means closed (a
            # server's idle `timeout`, say), and then nothing is announced.
            if self._tracker.can_read(timeout=0):
                raise RedisError("the tracking connection was closed")
        except (RedisError, OSError) as error:
            self._disconnect(error)
            return False
        return True

    def _apply(self, message):
        # ["message", "__redis__:invalidate", [keys]], or no keys when a database was flushed.
        self._announcements += 1
        if not isinstance(message, list) or len(message) != 3 or message[0] != b"message":
            return
        keys = message[2]
        if keys is None:
            self._copies.clear()
            return
        for key in keys:
            self._copies.pop(key.decode() if isinstance(key, bytes) else key, None)

    def _connect(self):
        if time.monotonic() < self._retry_at:
            return False
        made = []
        try:
            listener = self._pool.make_connection()
            made.append(listener)
            listener.send_command("CLIENT", "SETNAME", self.listener_name)
            listener.read_response()
            listener.send_command("CLIENT", "ID")
            listener_id = listener.read_response()
            listener.send_command("SUBSCRIBE", INVALIDATION_CHANNEL)
            listener.read_response()
            tracker = self._pool.make_connection()
            made.append(tracker)
            tracker.send_command("CLIENT", "SETNAME", self.tracker_name)
            tracker.read_response()
            tracker.send_command(
                "CLIENT", "TRACKING", "ON", "REDIRECT", listener_id, "BCAST", "PREFIX", self._prefix
            )
            tracker.read_response()
        except ResponseError as error:
            # Redis refused a command (before 6, it has no CLIENT TRACKING): never again.
            self._close(made)
            self._retry_at = float("inf")
            logger.warning("Page cache: no copies in this process (Redis refused: %s)", error)
            return False
        except (RedisError, OSError) as error:
            self._close(made)
            self._retry_at = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning("Page cache: no copies in this process for now (%s)", error)
            return False
        self._listener, self._tracker = listener, tracker
        self._copies.clear()  # nothing was announced while we were not listening
        return True

    @staticmethod
    def _close(connections):
        for connection in connections:
            connection.disconnect()

    def _disconnect(self, error):
        logger.warning("Page cache: dropping this process's copies (%s)", error)
        self._close([self._listener, self._tracker])
        self._listener = self._tracker = None
        self._copies.clear()
        self._retry_at = time.monotonic() + RETRY_AFTER_SECONDS


_near = {}
_near_lock = threading.Lock()


def for_process(cache, prefix, max_entries):
    """This process's `NearCache` for a Redis `cache` (a new one after a fork), or None."""
    if not max_entries or not isinstance(cache, RedisCache):
        return None
    # Django gives each thread its own cache object; they share one copy per process.
    key = (os.getpid(), cache._servers[0], prefix)
    near = _near.get(key)
    if near is None:
        with _near_lock:
            near = _near.get(key)
            if near is None:
                options = {
                    name: value
                    for name, value in cache._options.items()
                    if name.startswith("socket_")
                }
                near = NearCache(cache._servers[0], options, prefix, max_entries)
                # A forked child must not use its parent's (their sockets are shared).
                for other in [k for k in _near if k[0] != key[0]]:
                    del _near[other]
                _near[key] = near
    return near
