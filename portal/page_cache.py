"""The whole-page cache for anonymous visitors: pages served like static files.

`PageCacheMiddleware` keeps each public page's rendered HTML, gzipped, in
Django's cache (Redis when `REDIS_URL` is set, so every app server shares
it). A cached page costs no query and no rendering, and goes out with
`Cache-Control: public, max-age, s-maxage, stale-if-error`, no cookie and no
`Vary: Cookie`, so a CDN can keep it too.

- **Already compressed:** each page is stored as brotli and gzip, and sent
  as whichever the client accepts (plain for the rare one that takes neither).
- **What is cached:** GET and HEAD of public pages by visitors without a
  session cookie, answered 200 with HTML and no cookie, including the bare
  search page `/search/`. Our pages read no query string, so a page's
  address with one (`?utm_source=…` on a link in a news story, or a made-up
  one meant to miss the cache) is served the page's one cached copy. Search
  results (`/search/?q=…`) reach the view every time, so each search is
  counted (guidance/search.py); the view sends them `no-store`.
- **A hit is one round trip** to the cache, or none: the page and the
  generation number (`purge_all`) are read together, and with Redis each
  app process also keeps copies of what it read, which Redis's own
  announcements of every change keep exact (portal/near_cache.py;
  `PAGE_CACHE_NEAR_ENTRIES`, 0 turns it off).
- **Never cached:** anyone with a session (staff): their answers are marked
  `private, no-store`; the admin, previews, feedback, `/exit/`, health
  checks, static files and documents (`PAGE_CACHE_EXCLUDED_PREFIXES`);
  anything but HTML (robots.txt, sitemap.xml).
- **Fresh at every publish:** `purge_pages` drops exact pages and `purge_all`
  every page, here and in the CDN in front (Wagtail's frontend-cache module,
  when `WAGTAILFRONTENDCACHE` names one); guidance/cache_purging.py and
  feedback/apps.py call them when pages, contacts, visit reasons or the
  safety settings change.
- **Through an outage:** a page past its age is served again, with the age
  it has, when rendering it anew fails with a 5xx (the database is down):
  stale-if-error, for up to `PAGE_CACHE_STALE_IF_ERROR` seconds.
- **One copy per force:** keys are the host name of the site the request
  was matched to (portal/sites.py, by host name alone) and the path, so a
  page kept for one force is never served on another's host name, whatever
  `Host`, `X-Forwarded-Host` or port the request names. A single-site
  install keeps one copy per page for every host it answers. Purges name
  each page's own site.
"""

import gzip
import hashlib
import logging
import time
from urllib.parse import urlsplit

import brotli
from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache
from wagtail.models import Page

from . import near_cache, sites

logger = logging.getLogger(__name__)

KEY_PREFIX = "page-cache:"
GENERATION_KEY = f"{KEY_PREFIX}generation"
ENTRY_FORMAT = 3  # raise when the stored entry changes shape, so old entries are ignored
STORED_HEADERS = ("Content-Type", "Content-Language", "X-Frame-Options")
SEARCH_PATH = "/search/"


def _key(hostname, path):
    """The key of the page at `path` on the site with this (lower case) host name."""
    digest = hashlib.sha256(f"{hostname}{path}".encode()).hexdigest()
    return f"{KEY_PREFIX}{ENTRY_FORMAT}:{digest}"


def _lookup(hostname, path):
    """(entry or None, current generation): from this process's copies, or one round trip."""
    key = _key(hostname, path)
    prefix = cache.make_key(KEY_PREFIX)
    near = near_cache.for_process(caches["default"], prefix, settings.PAGE_CACHE_NEAR_ENTRIES)
    if near is None:
        found = cache.get_many([GENERATION_KEY, key])
        return found.get(key), found.get(GENERATION_KEY) or 0
    redis_keys = {cache.make_key(name): name for name in (GENERATION_KEY, key)}
    copies = near.get_many(redis_keys)
    if copies is not None and len(copies) == len(redis_keys):
        found = {redis_keys[redis_key]: value for redis_key, value in copies.items()}
    else:
        token = near.token()
        found = cache.get_many([GENERATION_KEY, key])
        found.setdefault(GENERATION_KEY, 0)  # none yet: its first purge_all is announced too
        if key in found:
            near.put_many({cache.make_key(name): value for name, value in found.items()}, token)
    return found.get(key), found[GENERATION_KEY]


def _cacheable_path(request):
    """The path this request's page is kept under, or None if it is not kept."""
    if request.method not in ("GET", "HEAD") or not settings.PAGE_CACHE_MAX_AGE:
        return None
    if request.path.startswith(settings.PAGE_CACHE_EXCLUDED_PREFIXES):
        return None
    if request.GET and request.path == SEARCH_PATH:
        return None  # search results reach the view every time, to be counted
    # Our pages read no query string: ?utm_source=… from a news story's link,
    # or a made-up one meant to miss the cache, gets the page's cached copy.
    return request.path


def _has_session(request):
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _cache_control(response, age):
    response["Cache-Control"] = (
        f"public, max-age={settings.PAGE_CACHE_MAX_AGE}, "
        f"s-maxage={settings.PAGE_CACHE_S_MAXAGE}, "
        f"stale-if-error={settings.PAGE_CACHE_STALE_IF_ERROR}"
    )
    response["Age"] = str(int(age))


def _accepted_encodings(request):
    """The codings the client accepts: `br, gzip;q=0.8` gives {"br", "gzip"}; q=0 refuses."""
    accepted = set()
    for part in request.headers.get("Accept-Encoding", "").lower().split(","):
        coding, _, parameters = part.partition(";")
        quality = parameters.strip().removeprefix("q=")
        if coding.strip() and quality not in ("0", "0.0", "0.00", "0.000"):
            accepted.add(coding.strip())
    return accepted


def _serve(request, entry, stored_at):
    accepted = _accepted_encodings(request)
    encoding = next((coding for coding in ("br", "gzip") if coding in accepted), None)
    body = entry[encoding] if encoding else gzip.decompress(entry["gzip"])
    response = HttpResponse(b"" if request.method == "HEAD" else body, status=200)
    for name, value in entry["headers"]:
        response[name] = value
    if encoding:
        response["Content-Encoding"] = encoding
    response["Content-Length"] = str(len(body))
    patch_vary_headers(response, ["Accept-Encoding"])
    _cache_control(response, age=time.time() - stored_at)
    return response


def _store(hostname, path, response, generation):
    # Compressed once, when stored: brotli's best (about 20 ms for a guidance
    # page, a fifth smaller than gzip) pays off over every visitor served.
    entry = {
        "gzip": gzip.compress(response.content, compresslevel=9, mtime=0),
        "br": brotli.compress(response.content, quality=11),
        "headers": [(name, response[name]) for name in STORED_HEADERS if name in response],
        "stored_at": time.time(),
        "generation": generation,
    }
    # Kept past its age, to be served while rendering fails (an outage).
    cache.set(
        _key(hostname, path),
        entry,
        settings.PAGE_CACHE_MAX_AGE + settings.PAGE_CACHE_STALE_IF_ERROR,
    )
    return entry


def _can_store(response):
    return (
        response.status_code == 200
        and not response.cookies
        and not getattr(response, "streaming", False)
        and response.get("Content-Type", "").startswith("text/html")
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


class PageCacheMiddleware:
    """Serves and stores whole pages for anonymous visitors (see the module docstring).

    Placed after the security-header middlewares (they add their headers to
    cached pages too) and the site middleware (keys name the request's site),
    and before sessions, so a cached page reads no session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = _cacheable_path(request)
        if path is None or _has_session(request):
            response = self.get_response(request)
            if path is not None:
                # Staff see their own toolbar and drafts: no shared cache may keep it.
                response["Cache-Control"] = "private, no-store"
            return response

        hostname = sites.cache_hostname(request)
        entry, generation = _lookup(hostname, path)
        stored_at = entry["stored_at"] if entry else 0
        fresh = time.time() - stored_at < settings.PAGE_CACHE_MAX_AGE
        if entry and fresh and entry["generation"] == generation:
            return _serve(request, entry, stored_at)

        response = self.get_response(request)
        if entry and response.status_code >= 500:
            logger.warning("Serving a stale copy of %s%s: rendering it failed", hostname, path)
            return _serve(request, entry, stored_at)
        if not _can_store(response):
            return response
        # Served from what was stored: the first visitor gets the same bytes
        # and headers as every later one (no Vary: Cookie, compressed).
        entry = _store(hostname, path, response, generation)
        return _serve(request, entry, entry["stored_at"])


def _addresses(pages):
    """(root URL of its site, path) of each page that has an address."""
    for page in pages:
        parts = page.get_url_parts()
        if parts and parts[2]:
            yield parts[1], parts[2]


def _purge_cdn(addresses):
    """Tell the CDN or proxy in front (Wagtail's frontend-cache module), if there is one."""
    if settings.WAGTAILFRONTENDCACHE and addresses:
        purge_urls_from_cache([root + path for root, path in addresses])


def purge_pages(pages):
    """Drop these pages, here and in the CDN in front."""
    addresses = list(_addresses(pages))
    keys = [_key(urlsplit(root).hostname, path) for root, path in set(addresses)]
    if keys:
        cache.delete_many(keys)
    _purge_cdn(addresses)


def purge_all():
    """Drop every page at once: a new generation here, every live page in the CDN.

    Entries of an older generation are no longer served as fresh, but stay
    to be served stale while rendering fails.
    """
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet
        cache.set(GENERATION_KEY, 1, None)
    except Exception:  # noqa: BLE001 - cache down: nothing is served from it either
        logger.warning("Page cache: could not start a new generation (cache unavailable)")
    if settings.WAGTAILFRONTENDCACHE:
        _purge_cdn(list(_addresses(Page.objects.live().public().filter(depth__gt=1).specific())))
