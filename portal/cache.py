"""A Redis cache that an unreachable or hanging Redis cannot turn into a 500.

Django's `RedisCache` raises on every call while Redis is down, and Wagtail
reads the cache to find the site, so one outage would break every page.
`ResilientRedisCache` turns the outage into what a cache may always do:

- reads (`get`, `get_many`, `has_key`) answer "not cached";
- writes (`set`, `set_many`, `delete`, `delete_many`, `touch`, `clear`) do nothing;
- `add` and `incr` raise `CacheUnavailable`: their callers (the feedback rate
  limit and duplicate check) must know the answer is unknown, and decide.

After a failure the process stops calling Redis for `RETRY_AFTER_SECONDS`,
so a hanging Redis costs one socket timeout per process and pause, not one
per cache call. Set the socket timeouts in `OPTIONS` (see settings/base.py).
Every outage is logged once per pause.

It also keeps one redis-py client per connection pool, where Django makes a
new one for every call: a client is thread-safe, and making it took about a
sixth of the time of a page served from the page cache (bench/serving.py
--profile).
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class CacheUnavailable(Exception):
    """Redis could not answer an atomic operation (`add`, `incr`)."""


class _Breaker:
    """Process-wide "Redis is down until …" for one cache location."""

    def __init__(self):
        self._down_until = 0.0
        self._lock = threading.Lock()

    def is_open(self):
        return time.monotonic() < self._down_until

    def trip(self, location, error):
        with self._lock:
            already_open = self.is_open()
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
        if not already_open:
            logger.warning(
                "Cache at %s unavailable (%s); serving uncached for %ss",
                location,
                type(error).__name__,
                RETRY_AFTER_SECONDS,
            )


_breakers = {}
_breakers_lock = threading.Lock()


def _breaker_for(location):
    with _breakers_lock:
        return _breakers.setdefault(location, _Breaker())


class _ClientKeepingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ClientKeepingRedisCacheClient
        self._location = self._servers[0].rsplit("@", 1)[-1]  # no password in the log
        self._breaker = _breaker_for(self._location)

    def _call(self, method, *args, fallback, **kwargs):
        if self._breaker.is_open():
            return fallback()
        try:
            return method(*args, **kwargs)
        except RedisError as error:
            self._breaker.trip(self._location, error)
            return fallback()

    @staticmethod
    def _unavailable():
        raise CacheUnavailable("The cache is unavailable")

    def get(self, key, default=None, version=None):
        return self._call(super().get, key, default, version, fallback=lambda: default)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, keys, version, fallback=dict)

    def has_key(self, key, version=None):
        return self._call(super().has_key, key, version, fallback=lambda: False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call(super().set, key, value, timeout, version, fallback=lambda: None)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, data, timeout, version, fallback=lambda: list(data))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, key, timeout, version, fallback=lambda: False)

    def delete(self, key, version=None):
        return self._call(super().delete, key, version, fallback=lambda: False)

    def delete_many(self, keys, version=None):
        self._call(super().delete_many, keys, version, fallback=lambda: None)

    def clear(self):
        return self._call(super().clear, fallback=lambda: False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, key, value, timeout, version, fallback=self._unavailable)

    def incr(self, key, delta=1, version=None):
        return self._call(super().incr, key, delta, version, fallback=self._unavailable)
