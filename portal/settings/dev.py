"""Local development (`make run`): debug on, a throwaway key, plain HTTP."""

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = "dev-only-not-secret-7d3f0c1e9a8b4c2d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"  # noqa: S105 - not secret: local runs only
# southdale.localhost: the demo's second force (`load_demo_content`, below).
ALLOWED_HOSTS = ["localhost", "southdale.localhost", "127.0.0.1", "[::1]"]
# `load_demo_content` also adds the demo's second force, Southdale Police.
DEMO_SECOND_FORCE = True
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# The local demo admin signs in with a password only; production asks for a code too.
STAFF_TWO_FACTOR_REQUIRED = False
# Without a mail server, review notifications are printed where `make run` runs.
if not EMAIL_HOST:  # noqa: F405
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
