"""The address a request came from, for rate limits and login lockouts only.

Used by the feedback rate limit (`feedback.views`) and by django-axes
(`AXES_CLIENT_IP_CALLABLE`). The address is never stored by the feedback app;
axes records staff login attempts with it.

Behind N proxies that each append to `X-Forwarded-For` (a load balancer, a
CDN), the client is the address the outermost trusted proxy saw: the N-th
entry from the right. Entries further left were written by the client and
can be anything. `TRUSTED_PROXY_COUNT` (from `DJANGO_TRUSTED_PROXY_COUNT`)
must match the deployment: set above 0 while the app port is reachable
directly, it lets a client choose its own address.
"""

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
