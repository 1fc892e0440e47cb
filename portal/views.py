"""Health checks for the load balancer and the orchestrator.

`/health/live/` says the process answers (no database, no cache), so a slow
database never gets healthy workers restarted. `/health/ready/` says this
instance can serve: the database answers, the cache works and no migration
is waiting. Both are `no-store` and name no versions or hosts.
"""

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

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
