"""Production: everything comes from the environment; missing values fail fast."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY for production.")

# DJANGO_HTTPS=false is for local end-to-end runs over plain HTTP only.
HTTPS = env_bool("DJANGO_HTTPS", True)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if HTTPS:
    # The __Host- prefix: the browser keeps the staff session cookie only
    # from https, for this host alone, for every path.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    # TLS ends at the load balancer, which says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Load balancers probe the health checks over plain HTTP, inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/"]
