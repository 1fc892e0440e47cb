"""Project-wide views: health checks, the 500/503 handler and the login lockout page.

`/health/live/` says the process answers (no database, no cache), so a slow
database never gets healthy workers restarted. `/health/ready/` says this
instance can serve: the database answers, the cache works and no migration
is waiting. Both are `no-store` and name no versions or hosts.

`server_error` is `handler500`: an error from the database or the cache
becomes a 503 with `Retry-After`, anything else a 500. Both pages are
standalone (templates/errors/base.html), so they render during the outage
with the quick exit and the help numbers.
"""

import sys

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from redis.exceptions import RedisError

from .cache import CacheUnavailable
from .last_known import database_failed

RETRY_AFTER_SECONDS = 30
OUTAGE_ERRORS = (DatabaseError, RedisError, CacheUnavailable)


def _standalone_page(template_name, status, retry_after=None, context=None):
    response = HttpResponse(loader.render_to_string(template_name, context), status=status)
    response["Cache-Control"] = "no-store"
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def bad_request_page():
    """The standalone 400 page (a host no force answers to: portal/sites.py)."""
    return _standalone_page("400.html", 400)


def service_unavailable_page():
    """The standalone 503 page, with Retry-After."""
    return _standalone_page("503.html", 503, retry_after=RETRY_AFTER_SECONDS)


def server_error(request):
    """handler500: 503 while a service behind us is down, 500 for anything else."""
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError):
        database_failed()  # the page's help numbers come from the last known copy at once
    if isinstance(error, OUTAGE_ERRORS):
        return service_unavailable_page()
    return _standalone_page("500.html", 500)


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout answer: 429, Retry-After, and nothing about the account."""
    cooloff_seconds = int(settings.AXES_COOLOFF_TIME * 60 * 60)
    return _standalone_page(
        "errors/login_locked_out.html",
        429,
        retry_after=cooloff_seconds,
        context={"cooloff_minutes": cooloff_seconds // 60},
    )


READY_CACHE_KEY = "health:ready"
_migrations_applied = False  # once true for this process, it stays true


@never_cache
@require_safe
def live(request):
    return HttpResponse("ok\n", content_type="text/plain")


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _cache_ok():
    try:
        cache.set(READY_CACHE_KEY, "ok", timeout=10)
        return cache.get(READY_CACHE_KEY) == "ok"
    except Exception:  # noqa: BLE001 - any cache backend error means "not ready"
        return False


def _migrations_ok():
    global _migrations_applied
    if not _migrations_applied:
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError:
            return False
        _migrations_applied = not plan
    return _migrations_applied


@never_cache
@require_safe
def ready(request):
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    checks["migrations"] = checks["database"] and _migrations_ok()
    body = {name: "ok" if passed else "failing" for name, passed in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
