"""System checks of our own, run by `manage.py check` (the deploy ones with `--deploy`)."""

from django.conf import settings
from django.core import checks

LOCAL_MEMORY_CACHE = "django.core.cache.backends.locmem.LocMemCache"


@checks.register(checks.Tags.caches, deploy=True)
def cache_shared_by_every_process(app_configs, **kwargs):
    """portal.W001: production without REDIS_URL gives each app process a cache of its own.

    A publish then clears the page cache of the one process that handled it:
    the others serve the old page for up to PAGE_CACHE_MAX_AGE, and each
    counts the feedback rate limit on its own.
    """
    if settings.CACHES["default"]["BACKEND"] != LOCAL_MEMORY_CACHE:
        return []
    return [
        checks.Warning(
            "The cache is local memory: each app process keeps its own page cache and "
            "feedback rate limit, so a publish is not seen by the other processes for up "
            f"to PAGE_CACHE_MAX_AGE ({settings.PAGE_CACHE_MAX_AGE} s).",
            hint="Set REDIS_URL, the same on every app server (docs/deployment.md). Only "
            "a deployment of a single app process may add portal.W001 to "
            "SILENCED_SYSTEM_CHECKS instead.",
            id="portal.W001",
        )
    ]
