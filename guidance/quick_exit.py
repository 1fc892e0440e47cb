"""Where quick exit sends a visitor, known even while the database or cache is down.

`/exit/` must answer at once in any outage, so it reads the neutral URL
(`SafetySettings.neutral_exit_url`) through a `LastKnown`
(portal/last_known.py): this process's copy if under `FRESH_SECONDS` old,
else the shared cache, else the database unless it failed in the last 30 s,
else the last known URL, else the built-in `DEFAULT_NEUTRAL_EXIT_URL`.

Copies are kept per host name. Saving the settings (Settings → Safety
settings) writes the new URL to both copies at once (`settings_saved`, a
receiver in guidance/signals.py); other processes see it within `FRESH_SECONDS`.
"""

from portal.last_known import LastKnown

from .models import DEFAULT_NEUTRAL_EXIT_URL, SafetySettings

FRESH_SECONDS = 60

_neutral_url = LastKnown("quick-exit:neutral-url", DEFAULT_NEUTRAL_EXIT_URL, FRESH_SECONDS)


def settings_saved(site, url):
    """A site's settings changed: use the new URL now, and re-learn other host names."""
    _neutral_url.forget_all()
    _neutral_url.remember(site.hostname.lower(), url)
    if site.port not in (80, 443):
        _neutral_url.remember(f"{site.hostname.lower()}:{site.port}", url)


def forget_all():
    """Drop this process's copies and its memory of a database failure (for tests)."""
    _neutral_url.forget_all()


def neutral_exit_url(request):
    """The https URL `/exit/` redirects to, found without waiting on a failed service."""
    return _neutral_url.get(
        request.get_host().lower(),
        lambda: SafetySettings.for_request(request).neutral_exit_url,
    )
