"""Where quick exit sends a visitor, known even while the database or cache is down.

`/exit/` must answer at once in any outage, so it reads the neutral URL
(`SafetySettings.neutral_exit_url`) from the nearest copy that answers:

1. this process's copy, if it is less than `FRESH_SECONDS` old;
2. the shared cache (an outage there reads as "not cached": portal/cache.py);
3. the database, unless it failed within the last `DATABASE_RETRY_SECONDS`
   (bounded by the connect and statement timeouts in settings);
4. this process's copy however old (the last known URL), else the built-in
   `DEFAULT_NEUTRAL_EXIT_URL`.

Copies are kept per host name. Saving the settings (Settings → Safety
settings) writes the new URL to both copies at once (`settings_saved`, wired
in guidance/apps.py); other processes see it within `FRESH_SECONDS`.
"""

import logging
import threading
import time

from django.core.cache import cache
from django.db import DatabaseError

logger = logging.getLogger(__name__)

DEFAULT_NEUTRAL_EXIT_URL = "https://www.bbc.co.uk/weather"
FRESH_SECONDS = 60
SHARED_COPY_SECONDS = 10 * 60
DATABASE_RETRY_SECONDS = 30
CACHE_KEY_PREFIX = "quick-exit:neutral-url:"

_known = {}  # host -> (url, time.monotonic() when learnt)
_database_failed_at = None
_lock = threading.Lock()


def _cache_key(host):
    return f"{CACHE_KEY_PREFIX}{host}"


def _host(request):
    return request.get_host().lower()


def remember(host, url):
    """Keep `url` as the neutral URL for `host`, here and in the shared cache."""
    with _lock:
        _known[host] = (url, time.monotonic())
    cache.set(_cache_key(host), url, SHARED_COPY_SECONDS)


def settings_saved(site, url):
    """A site's settings changed: use the new URL now, and re-learn other host names."""
    with _lock:
        _known.clear()
    remember(site.hostname.lower(), url)
    if site.port not in (80, 443):
        remember(f"{site.hostname.lower()}:{site.port}", url)


def forget_all():
    """Drop this process's copies and its memory of a database failure (for tests)."""
    global _database_failed_at
    with _lock:
        _known.clear()
        _database_failed_at = None


def _read_from_database(request):
    global _database_failed_at
    with _lock:
        failed_at = _database_failed_at
    if failed_at and time.monotonic() - failed_at < DATABASE_RETRY_SECONDS:
        return None
    from .models import SafetySettings

    try:
        url = SafetySettings.for_request(request).neutral_exit_url
    except DatabaseError:
        logger.warning("Quick exit: database unavailable; using the last known neutral URL")
        with _lock:
            _database_failed_at = time.monotonic()
        return None
    with _lock:
        _database_failed_at = None
    return url


def neutral_exit_url(request):
    """The https URL `/exit/` redirects to, found without waiting on a failed service."""
    host = _host(request)
    with _lock:
        known = _known.get(host)
    if known and time.monotonic() - known[1] < FRESH_SECONDS:
        return known[0]
    url = cache.get(_cache_key(host)) or _read_from_database(request)
    if url:
        remember(host, url)
        return url
    return known[0] if known else DEFAULT_NEUTRAL_EXIT_URL
