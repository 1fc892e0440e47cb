"""Settings shared by every environment.

Safe by default: DEBUG is off, there is no secret key here, and anonymous
visitors get no cookie. `dev.py` and `test.py` relax what they must;
`production.py` reads the rest from the environment.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_list(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    "guidance",
    "feedback",
    # The shared layer: staff recovery codes (portal/models.py).
    "portal",
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.contrib.frontend_cache",
    # Promoted results and the "Search terms" counts (docs/search_and_seo.md).
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.sitemaps",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",  # the sitemap.xml template
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Warns once when a request bypassed the trusted proxies (docs/deployment.md).
    "portal.client_ip.TrustedProxyCheckMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.sites.SiteMiddleware",  # which force (Wagtail Site), by host name alone
    # Pages answer GET and HEAD only, and every 405 is our own page.
    "portal.middleware.MethodNotAllowedMiddleware",
    # Whole pages for anonymous visitors, before anything reads the session.
    "portal.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.two_factor.AdminTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # As django-axes asks, after the others: it turns a lockout into our lockout page.
    "axes.middleware.AxesMiddleware",
    # Says what a reviewer's approval or sending back did (guidance/review.py).
    "guidance.review.ReviewMessagesMiddleware",
    # Last: it runs admin write views itself, inside one transaction.
    "portal.middleware.AtomicAdminWritesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.context_processors.site_name",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Bounded waits, so that a database that is down or hanging costs a visitor a
# few seconds and a 503 (with the quick exit and the numbers), never a stuck
# worker. The connect timeout covers a server that accepts and never answers;
# the statement timeout a query stuck behind a lock. Management commands run
# by manage.py (migrations, exports, purges) set no statement timeout, but
# keep the lock timeout.
DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "2"))
DATABASE_STATEMENT_TIMEOUT_MS = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "3000"))
# A lock wait is bounded even where statements are not (manage.py, 1 s): a
# migration queued behind a visitor's query for a table lock makes every
# later query on that table queue behind it, so it gives up first (and is
# run again), well inside a visitor's own statement timeout.
DATABASE_LOCK_TIMEOUT_MS = int(
    os.environ.get("DATABASE_LOCK_TIMEOUT_MS") or DATABASE_STATEMENT_TIMEOUT_MS or 1000
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=DATABASE_CONNECT_TIMEOUT,
        options=(
            f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
            f" -c lock_timeout={DATABASE_LOCK_TIMEOUT_MS}"
            " -c idle_in_transaction_session_timeout=60000"
        ),
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Every admin POST is one transaction (portal.middleware.AtomicAdminWritesMiddleware).
    # SQLite's default (DEFERRED) takes the write lock at the first write, and
    # when another writer holds it that upgrade fails at once ("database is
    # locked", a 503) without waiting: IMMEDIATE takes it at BEGIN, where the
    # busy timeout applies, so two overlapping saves (autosave beside another
    # admin request) queue instead. The wait is bounded like PostgreSQL's
    # lock timeout (seconds here, as sqlite3's busy timeout).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=DATABASE_LOCK_TIMEOUT_MS / 1000,
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Whole-page cache for anonymous visitors (portal/page_cache.py), in seconds:
# how long our cache and browsers keep a page, how long a CDN may, and how
# long a copy may still be served when rendering it anew fails. Publishing
# clears the affected pages at once. PAGE_CACHE_MAX_AGE=0 turns it off.
PAGE_CACHE_MAX_AGE = int(os.environ.get("PAGE_CACHE_MAX_AGE", "300"))
PAGE_CACHE_S_MAXAGE = int(os.environ.get("PAGE_CACHE_S_MAXAGE", "300"))
PAGE_CACHE_STALE_IF_ERROR = int(os.environ.get("PAGE_CACHE_STALE_IF_ERROR", "86400"))
# Pages each app process keeps a copy of when the cache is Redis (portal/near_cache.py).
PAGE_CACHE_NEAR_ENTRIES = int(os.environ.get("PAGE_CACHE_NEAR_ENTRIES", "500"))
PAGE_CACHE_EXCLUDED_PREFIXES = (
    "/admin/",
    "/feedback/",
    "/exit/",
    "/health/",
    "/static/",
    "/media/",
    "/documents/",
)
# Seconds each process keeps the list of sites (portal/sites.py) before asking the cache.
SITES_FRESH_SECONDS = 60

# The CDN or caching proxy in front (wagtail.contrib.frontend_cache): told to
# drop exactly the pages the page cache drops (guidance/cache_purging.py).
# FRONTEND_CACHE_HTTP_URL: a Varnish, Squid or nginx that accepts PURGE;
# FRONTEND_CACHE_CLOUDFLARE_ZONE_ID with _BEARER_TOKEN: Cloudflare.
WAGTAILFRONTENDCACHE = {}
if os.environ.get("FRONTEND_CACHE_HTTP_URL"):
    WAGTAILFRONTENDCACHE["http"] = {
        "BACKEND": "portal.cdn.HTTPBackend",  # Wagtail's, with a timeout
        "LOCATION": os.environ["FRONTEND_CACHE_HTTP_URL"],
    }
# Seconds one PURGE may take before the publish goes on without it.
FRONTEND_CACHE_TIMEOUT = float(os.environ.get("FRONTEND_CACHE_TIMEOUT", "2"))
if os.environ.get("FRONTEND_CACHE_CLOUDFLARE_ZONE_ID"):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "ZONEID": os.environ["FRONTEND_CACHE_CLOUDFLARE_ZONE_ID"],
        "BEARER_TOKEN": os.environ.get("FRONTEND_CACHE_CLOUDFLARE_BEARER_TOKEN", ""),
    }

# Redis: short socket timeouts, and a backend that treats an outage as "not
# cached" instead of an error (portal/cache.py).
REDIS_SOCKET_TIMEOUT = float(os.environ.get("REDIS_SOCKET_TIMEOUT", "0.5"))
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# django-axes first: it refuses a locked-out username and client before
# Django checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# collectstatic writes here; the tests point it at a temporary folder.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security headers. Referrer-Policy "same-origin" keeps our page addresses
# (which name sensitive subjects) from leaking to other sites, without
# breaking Django's Referer-based CSRF check in the admin.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Staff sessions last a working day, not Django's two weeks.
SESSION_COOKIE_AGE = 10 * 60 * 60
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp). Public pages load nothing from
# another origin and run no inline script. The admin's own, looser policy is
# ADMIN_CONTENT_SECURITY_POLICY, chosen by portal/middleware.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Wagtail 8's admin still writes inline <script> elements (date pickers,
# inline panels) and style attributes, so those two need 'unsafe-inline'.
# Everything else stays shut: no other origin, no eval, no inline event
# handlers (script-src-attr), no plugins. Previews are framed by the admin
# itself, hence frame-src and frame-ancestors 'self'.
ADMIN_CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'"],
    "script-src-attr": ["'none'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "worker-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'self'"],
    "form-action": ["'self'"],
}
ADMIN_URL_PREFIXES = ("/admin/",)
# Cross-Origin-Resource-Policy, which Django does not set.
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"

# Permissions-Policy (django-permissions-policy): no powerful feature, anywhere.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "browsing-topics",
        "camera",
        "geolocation",
        "interest-cohort",
        "microphone",
        "payment",
        "usb",
    )
}

# Staff login lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords
# for one username from one client, that pair is refused for the cool-off
# time. Other staff, and the same person elsewhere, are not locked out. The
# answer is the same whether or not the username exists.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "portal.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.views.login_locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"

# Two-factor sign-in for staff (portal/two_factor.py, on django-otp): after
# the password, a code from an authenticator app. Staff without a device are
# sent to set one up before they can use the admin.
STAFF_TWO_FACTOR_REQUIRED = True

# Wagtail
WAGTAIL_SITE_NAME = os.environ.get("WAGTAIL_SITE_NAME", "Safeguarding guidance")
OTP_TOTP_ISSUER = WAGTAIL_SITE_NAME  # the name authenticator apps show
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")

# E-mail goes to staff only: review notifications and password resets. A
# mail failure is logged and never breaks a review step (portal/mail.py).
# Without an EMAIL_HOST nothing is sent (said once in the log) and the admin
# offers no "Forgotten password?": it would say a link was sent when none
# was. Staff then ask an admin to set a password.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = "portal.mail.SMTPEmailBackend" if EMAIL_HOST else "portal.mail.DisabledEmailBackend"
EMAIL_PORT = int(os.environ.get("EMAIL_PORT") or "587")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "webmaster@localhost"
WAGTAIL_PASSWORD_RESET_ENABLED = bool(EMAIL_HOST)
# Approval publishes the revision the reviewer compared, not the latest one.
WAGTAIL_FINISH_WORKFLOW_ACTION = "guidance.approval.publish_reviewed_revision"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Moving a page or changing its slug leaves a permanent redirect from the old
# address (Wagtail's default, stated here because links in leaflets and
# school letters must keep working). docs/search_and_seo.md.
WAGTAILREDIRECTS_AUTO_CREATE = True
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "rtf", "txt", "xlsx"]
# The admin must not call out to another origin: no update check, no Gravatar.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# Shared page passwords are stored in plain text; staff log in instead.
WAGTAIL_PRIVATE_PAGE_OPTIONS = {"SHARED_PASSWORD": False}
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# /.well-known/security.txt (portal/security_txt.py, docs/security.md): where
# to report a vulnerability. Comma-separated mailto: or https: addresses;
# unset, mailto:security@ the host of WAGTAILADMIN_BASE_URL. The policy
# defaults to /.well-known/security-policy.txt on this site.
SECURITY_TXT_CONTACT = os.environ.get("SECURITY_TXT_CONTACT", "")
SECURITY_TXT_POLICY = os.environ.get("SECURITY_TXT_POLICY", "")

# Page feedback (see docs/feedback_privacy.md)
FEEDBACK_RATE_LIMIT_PER_MINUTE = int(os.environ.get("FEEDBACK_RATE_LIMIT_PER_MINUTE", "10"))
# How many proxies (load balancer, CDN) sit in front of the app and append to
# X-Forwarded-For; 0 means visitors connect directly. Read by
# portal/client_ip.py for the feedback rate limit and the login lockout.
# FEEDBACK_TRUSTED_PROXY_COUNT is the older name, still honoured.
TRUSTED_PROXY_COUNT = int(
    os.environ.get("DJANGO_TRUSTED_PROXY_COUNT")
    or os.environ.get("FEEDBACK_TRUSTED_PROXY_COUNT")
    or "0"
)
FEEDBACK_RETENTION_DAYS = int(os.environ.get("FEEDBACK_RETENTION_DAYS", "730"))

# A signposting contact not verified for this many days (about six months)
# is listed under Reports → Guidance due for review.
CONTACT_VERIFY_EVERY_DAYS = int(os.environ.get("CONTACT_VERIFY_EVERY_DAYS", "183"))
# The admin's XLSX download is capped so it finishes inside the app server's
# worker timeout (openpyxl writes about 16,000 rows/s); CSV has no cap.
FEEDBACK_ADMIN_XLSX_MAX_ROWS = int(os.environ.get("FEEDBACK_ADMIN_XLSX_MAX_ROWS", "250000"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
