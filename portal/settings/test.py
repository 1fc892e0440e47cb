"""Settings for the test suite (`make test`): fast hashing, local cache."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret-2b9e4f6a1c3d5e7f9a0b2c4d6e8f0a1b3c5d7e9f1a2b4c6d"  # noqa: S105 - not secret: local runs only
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WAGTAILADMIN_BASE_URL = "http://testserver"
# The list of sites is read from the (test) cache at every request: the cache
# is emptied between tests, whose sites are rolled back without a signal.
SITES_FRESH_SECONDS = 0
# Tests render pages without collectstatic; let whitenoise find files as they appear.
WHITENOISE_AUTOREFRESH = True
# Admin tests sign in with force_login; tests/test_admin_two_factor.py turns it on.
STAFF_TWO_FACTOR_REQUIRED = False
