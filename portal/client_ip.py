"""The address a request came from, for rate limits and login lockouts only.

Used by the feedback rate limit (`feedback.views`) and by django-axes
(`AXES_CLIENT_IP_CALLABLE`). The address is never stored by the feedback app;
axes records staff login attempts with it.

Behind N proxies that each append to `X-Forwarded-For` (a load balancer, a
CDN), the client is the address the outermost trusted proxy saw: the N-th
entry from the right. Entries further left were written by the client and
can be anything. `TRUSTED_PROXY_COUNT` (from `DJANGO_TRUSTED_PROXY_COUNT`)
must match the deployment: set above 0 while the app port is reachable
directly, it lets a client choose its own address. `TrustedProxyCheckMiddleware`
logs a warning, once per process, when a request arrives with fewer
`X-Forwarded-For` entries than the count says, the sign of such a port.
"""

import logging
import threading

from django.conf import settings


def client_ip(request):
    """The client's address as the last trusted proxy saw it, else the socket peer."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


logger = logging.getLogger(__name__)
_warned = threading.Event()


def _forwarded_hops(request):
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return len([part for part in header.split(",") if part.strip()])


class TrustedProxyCheckMiddleware:
    """Warns, once per process, that the app port may be reachable without the proxies.

    With `TRUSTED_PROXY_COUNT` above 0, every request should come through
    that many proxies, each adding to `X-Forwarded-For`. A request with
    fewer entries came from somewhere else: a client that reached the app
    port directly (who could as well have sent a forged header, and so
    chosen its own address for the rate limit and the login lockout), or a
    proxy that does not add the header. The warning names neither the
    address nor the page. Health checks are left out: load balancers and
    Varnish probe the app port directly, by design.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        hops = settings.TRUSTED_PROXY_COUNT
        if (
            hops
            and not _warned.is_set()
            and not request.path_info.startswith("/health/")
            and _forwarded_hops(request) < hops
        ):
            _warned.set()
            logger.warning(
                "DJANGO_TRUSTED_PROXY_COUNT is %s but a request arrived with %s "
                "X-Forwarded-For entries: the app port may be reachable without the proxy. "
                "Anyone who reaches it directly can choose their own address and get past "
                "the feedback rate limit and the login lockout (docs/deployment.md).",
                hops,
                _forwarded_hops(request),
            )
        return self.get_response(request)


def forget_warning():
    """For tests: warn again at the next request without the header."""
    _warned.clear()
