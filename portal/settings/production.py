"""Production: everything comes from the environment; missing values fail fast."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool


def required(name, what):
    """The variable's value; a server missing it stops at once with one clear line."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set {name} for production: {what}.")
    return value


SECRET_KEY = required("DJANGO_SECRET_KEY", "a long random secret key")
required("DATABASE_URL", "the PostgreSQL database, postgres://USER:PASSWORD@HOST:5432/NAME")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not env_bool(  # noqa: F405
    "DJANGO_ALLOW_SQLITE", False
):
    raise ImproperlyConfigured(
        "DATABASE_URL is SQLite, which cannot serve several workers safely: use PostgreSQL, "
        "or set DJANGO_ALLOW_SQLITE=true for a trial run."
    )
ALLOWED_HOSTS = required(
    "DJANGO_ALLOWED_HOSTS", "the comma-separated host names the site answers to"
).split(",")
ALLOWED_HOSTS = [host.strip() for host in ALLOWED_HOSTS if host.strip()]
WAGTAILADMIN_BASE_URL = required(
    "WAGTAILADMIN_BASE_URL", "the site's public address, such as https://guidance.example.org"
)

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
