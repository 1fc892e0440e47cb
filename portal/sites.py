"""Which force a request is for: the Wagtail Site whose hostname is the request's.

Each force is a Wagtail `Site`. Wagtail's own matching (`Site.find_for_request`)
prefers the default site when the port differs, and behind a load balancer
the app server's port is never the public one, so `SiteMiddleware` matches
by hostname alone (`request.get_host()`, port dropped, any case):

- **One site:** it answers for every allowed host, as a single-force
  install always has.
- **Several:** the site with the request's hostname (if two share it on
  different ports: the one on the request's port, else the default, else the
  first made). A hostname no site has gets the standalone 400 page, with the
  quick exit, and never another force's pages.
- **Paths every host may use** (`OPTIONAL_PREFIXES`: quick exit, the
  admin) are answered on a host no force has too, with no site; the health
  checks (`SKIPPED_PREFIXES`) are never matched at all, so they read
  neither the database nor the cache.

The match is stored where `Site.find_for_request` returns it
(`request._wagtail_site`, built without a query) and, for code that has no
request (the help numbers on the error pages), in `current()`. Responses
name it in `X-Portal-Site` (its host name), so the proxy in front can drop
every copy of a page that site answered (deploy/varnish.vcl).

The list of sites is a `LastKnown` (portal/last_known.py): this process's
copy for `SITES_FRESH_SECONDS`, else the shared cache, else the database,
else the last list this process knew. So a page served from the page cache
(which answers before anything else reads the database) costs no query, and
hosts are still told apart while the database is down. Saving or deleting a
Site drops the copies (portal/signals.py). A process that has never known
the list while the database is down answers the 503 page at once (no second
wait on the database), except that a feedback post still gets its own "could
not be saved" answer and `/exit/` goes to the built-in neutral address.
"""

import contextvars
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.exception import response_for_exception
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http.request import split_domain_port
from wagtail.models import Site

from .last_known import LastKnown
from .views import bad_request_page, service_unavailable_page

logger = logging.getLogger(__name__)

KEY = "all"
SITE_HEADER = "X-Portal-Site"
# Answered on any allowed host, even one no site has: quick exit must always
# leave, and staff may sign in on an admin host name of its own.
OPTIONAL_PREFIXES = ("/exit/", "/admin/")
# A feedback post while the site list was never known (the database down
# since this process began) goes to its view, which says it was not saved.
FEEDBACK_PREFIX = "/feedback/"
# Never matched: the health checks read neither the database nor the cache.
SKIPPED_PREFIXES = ("/health/",)
# A request that no force answers: a host no site has, or sites not known
# in an outage. Help numbers and quick exit then use their built-in values.
NO_SITE = "no-site"


@dataclass(frozen=True)
class KnownSite:
    """One Site as kept in the list: plain data, cached and pickled as is."""

    id: int
    hostname: str  # lower case
    port: int
    is_default_site: bool
    columns: tuple  # every column, in the model's order, to build a Site without a query

    @classmethod
    def of(cls, site):
        columns = tuple(getattr(site, name) for name in _column_names())
        return cls(site.pk, site.hostname.lower(), site.port, site.is_default_site, columns)

    def as_site(self):
        """A fresh `Site` instance for one request (its root page is read when first used)."""
        return Site.from_db(DEFAULT_DB_ALIAS, _column_names(), self.columns)


def _column_names():
    return [field.attname for field in Site._meta.concrete_fields]


_sites = LastKnown("sites", None, fresh_seconds=settings.SITES_FRESH_SECONDS)
_current = contextvars.ContextVar("portal_site", default=None)


def _read_from_database(into=None):
    """Every site, as `KnownSite`s; the `Site`s read, with their root pages, go `into` a dict."""
    found = list(Site.objects.select_related("root_page").order_by("pk"))
    if into is not None:
        into.update((site.pk, site) for site in found)
    return tuple(KnownSite.of(site) for site in found)


def known_sites(into=None):
    """Every site, without waiting on a failed service; None if never known (database down).

    When they are read from the database, the `Site`s read go `into` a dict (by id).
    """
    return _sites.get(KEY, lambda: _read_from_database(into))


def site_changed(sender, **kwargs):
    """A Site was saved or deleted: read the list afresh, now and after the commit."""
    _sites.forget(KEY)
    transaction.on_commit(lambda: _sites.forget(KEY))


def forget_all():
    """Drop this process's list and its memory of a database failure (for tests)."""
    _sites.forget_all()


def current():
    """The `KnownSite` of the request being answered, `NO_SITE`, or None outside one."""
    return _current.get()


def request_hostname(request):
    """The request's host name, lower case, without its port (raises `DisallowedHost`)."""
    return split_domain_port(request.get_host())[0]


def cache_hostname(request):
    """The host name a page of this request is kept under: its site's, else its own."""
    site = getattr(request, "portal_site", None)
    return site.hostname if site is not None else request_hostname(request)


def match(sites, hostname, port):
    """The site answering `hostname` (see the module docstring), or None."""
    if len(sites) == 1:
        return sites[0]
    named = [site for site in sites if site.hostname == hostname]
    for preferred in (
        lambda site: str(site.port) == port,
        lambda site: site.is_default_site,
        lambda site: True,
    ):
        for site in named:
            if preferred(site):
                return site
    return None


class SiteMiddleware:
    """Finds the request's site by hostname alone (see the module docstring).

    Placed after the security headers and whitenoise, before the page cache
    and anything else that reads the site.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(SKIPPED_PREFIXES):
            return self.get_response(request)
        token = _current.set(NO_SITE)
        try:
            return self._answer(request)
        finally:
            _current.reset(token)

    def _answer(self, request):
        try:
            hostname = request_hostname(request)
        except DisallowedHost as error:
            # Django's own 400 (and its log line), with the built-in help numbers.
            return response_for_exception(request, error)
        just_read = {}
        sites = known_sites(into=just_read)
        site = match(sites, hostname, request.get_port()) if sites else None
        request.portal_site = site
        if site is not None:
            # The Site just read (with its root page) if the list came from
            # the database now: no second query for the root page.
            request._wagtail_site = just_read.get(site.id) or site.as_site()
            _current.set(site)
        elif request.path_info.startswith(OPTIONAL_PREFIXES) or sites == ():
            pass  # answered with no site: quick exit leaves for the built-in address
        elif sites is None and not request.path_info.startswith(FEEDBACK_PREFIX):
            # Never known, and the database is down (logged by LastKnown): the
            # 503 page now, not a second wait on the database for Wagtail's match.
            return service_unavailable_page()
        elif sites is None:
            pass  # the feedback view says the answer could not be saved
        else:
            logger.warning("No site has the host name %r: answering 400", hostname)
            return bad_request_page()
        response = self.get_response(request)
        if site is not None:
            # Which site answered, for the proxy in front (deploy/varnish.vcl).
            response.headers.setdefault(SITE_HEADER, site.hostname)
        return response
