"""The CDN or caching proxy in front, told to drop pages (settings: `FRONTEND_CACHE_*`).

`HTTPBackend` is Wagtail's frontend-cache backend for Varnish, Squid or
nginx (`PURGE <path>` with the host name of the page's site as `Host`, no
port), with two differences that keep a publish quick when the proxy is in
trouble: each purge waits at most `FRONTEND_CACHE_TIMEOUT` seconds, and
after one that fails to connect or answer, this process skips purges for
`SKIP_AFTER_FAILURE_SECONDS` (each skip is logged). Wagtail's own waits
for ever on a proxy that accepts connections and never answers, one page
after another.
"""

import logging
import threading
import time
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

from django.conf import settings
from wagtail.contrib.frontend_cache.backends import http

logger = logging.getLogger(__name__)

SKIP_AFTER_FAILURE_SECONDS = 30

_failed_at = None
_lock = threading.Lock()


def _recently_failed():
    with _lock:
        return _failed_at is not None and time.monotonic() - _failed_at < SKIP_AFTER_FAILURE_SECONDS


def _record(failed):
    global _failed_at
    with _lock:
        _failed_at = time.monotonic() if failed else None


class HTTPBackend(http.HTTPBackend):
    def purge(self, url):
        if _recently_failed():
            logger.error(
                "Skipped purging '%s': the proxy failed in the last %ss",
                url,
                SKIP_AFTER_FAILURE_SECONDS,
            )
            return
        parts = urlsplit(url)
        # The site's host name alone: the proxy keeps pages by host name and
        # path, whatever port the visitor named (deploy/varnish.vcl).
        host = parts.hostname
        request = http.PurgeRequest(
            url=urlunsplit(
                [self.cache_scheme, self.cache_netloc, parts.path, parts.query, parts.fragment]
            ),
            headers={"Host": host, "User-Agent": "Wagtail-frontendcache"},
        )
        try:
            # The scheme and host are the configured FRONTEND_CACHE_HTTP_URL.
            with urlopen(request, timeout=settings.FRONTEND_CACHE_TIMEOUT):  # noqa: S310
                pass
        except HTTPError as error:  # the proxy answered: it is up
            logger.error("Couldn't purge '%s' from the proxy: HTTP %d", url, error.code)
            _record(failed=False)
        except (URLError, OSError) as error:  # refused, timed out, reset
            logger.error("Couldn't purge '%s' from the proxy: %s", url, error)
            _record(failed=True)
        else:
            _record(failed=False)


def forget_failures():
    """For tests: purge again at once."""
    _record(failed=False)
