"""The default cache emptied between tests, without disturbing other modules' Redis keys."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def empty_the_cache(key_prefix):
    """Empty the default cache; on Redis, delete only the keys under `key_prefix`.

    FLUSHDB would make Redis tell every tracking client on the server, in
    any database, to drop its copies: tests/test_near_cache.py's among
    them, which may run beside the caller (xdist).
    """
    store = caches["default"]
    if not isinstance(store, RedisCache):
        store.clear()
        return
    client = store._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{key_prefix}:*"))
    if keys:
        client.delete(*keys)
