"""Values read from the database that stay known while the database or the cache is down.

Quick exit's neutral URL (guidance/quick_exit.py), the site-wide help
contacts (guidance/help_contacts.py), each kept per site, and the list of
sites itself (portal/sites.py) must be known in any outage. Each is a
`LastKnown`, which answers from the first copy that does:

1. this process's copy, if younger than `fresh_seconds` (0: always ask the
   shared cache, so a change shows on every server at once);
2. the shared cache (an outage there reads as "not cached": portal/cache.py);
3. the database, unless it failed within the last `DATABASE_RETRY_SECONDS`
   (bounded by the connect and statement timeouts in settings);
4. this process's copy however old (the last known value), else the
   built-in default.

A database failure seen by any of them, or by the request that is showing
an error page (`database_failed`, called by portal.views.server_error), is
remembered for all: there is one database.
"""

import logging
import threading
import time

from django.core.cache import cache
from django.db import DatabaseError

logger = logging.getLogger(__name__)

SHARED_COPY_SECONDS = 10 * 60
DATABASE_RETRY_SECONDS = 30

_database_failed_at = None
_failure_lock = threading.Lock()


def database_failed():
    """The database just failed: leave it alone for `DATABASE_RETRY_SECONDS`."""
    global _database_failed_at
    with _failure_lock:
        _database_failed_at = time.monotonic()


def _database_answered():
    global _database_failed_at
    with _failure_lock:
        _database_failed_at = None


def _database_recently_failed():
    with _failure_lock:
        failed_at = _database_failed_at
    return failed_at is not None and time.monotonic() - failed_at < DATABASE_RETRY_SECONDS


class LastKnown:
    def __init__(self, name, default, fresh_seconds):
        self.name = name
        self.default = default
        self.fresh_seconds = fresh_seconds
        self._known = {}  # key -> (value, time.monotonic() when learnt)
        self._lock = threading.Lock()

    def _cache_key(self, key):
        return f"{self.name}:{key}"

    def remember(self, key, value):
        """Keep `value` for `key`, here and in the shared cache."""
        with self._lock:
            self._known[key] = (value, time.monotonic())
        cache.set(self._cache_key(key), value, SHARED_COPY_SECONDS)

    def forget(self, *keys):
        """The values changed: drop their shared copies, and mark this process's copies stale.

        Stale copies are kept, as the last known values.
        """
        with self._lock:
            self._known = {k: (value, float("-inf")) for k, (value, _) in self._known.items()}
        cache.delete_many([self._cache_key(key) for key in keys])

    def forget_all(self):
        """Drop this process's copies and its memory of a database failure (for tests)."""
        with self._lock:
            self._known.clear()
        _database_answered()

    def _read_from_database(self, read):
        if _database_recently_failed():
            return None
        try:
            value = read()
        except DatabaseError:
            logger.warning("%s: database unavailable; using the last known copy", self.name)
            database_failed()
            return None
        _database_answered()
        return value

    def get(self, key, read):
        """The value for `key`, found without waiting on a failed service.

        `read` asks the database for it.
        """
        with self._lock:
            known = self._known.get(key)
        if known and time.monotonic() - known[1] < self.fresh_seconds:
            return known[0]
        value = cache.get(self._cache_key(key))
        if value is None:
            value = self._read_from_database(read)
            if value is not None:
                self.remember(key, value)
        if value is None:
            return known[0] if known else self.default
        with self._lock:
            self._known[key] = (value, time.monotonic())
        return value
