"""Where quick exit sends a visitor, known even while the database or cache is down.

`/exit/` must answer at once in any outage, so it reads the neutral URL
(`SafetySettings.neutral_exit_url`) through a `LastKnown`
(portal/last_known.py): this process's copy if under `FRESH_SECONDS` old,
else the shared cache, else the database unless it failed in the last 30 s,
else the last known URL, else the built-in `DEFAULT_NEUTRAL_EXIT_URL`.

Copies are kept per site: each force's `/exit/` goes to its own
destination, the site matched to the request by host name
(portal/sites.py). A request no force answers (a host no site has, or the
sites not known in an outage) goes to the built-in address, never to
another force's. Saving the settings (Settings → Safety settings) writes
the new URL to both copies at once (`settings_saved`, a receiver in
guidance/signals.py); other processes see it within `FRESH_SECONDS`.
"""

from portal import sites
from portal.last_known import LastKnown

from .models import DEFAULT_NEUTRAL_EXIT_URL, SafetySettings

FRESH_SECONDS = 60
DEFAULT_SITE_KEY = "default-site"

_neutral_url = LastKnown("quick-exit:neutral-url", DEFAULT_NEUTRAL_EXIT_URL, FRESH_SECONDS)


def _site_key(site_id):
    return f"site-{site_id}"


def settings_saved(site, url):
    """A site's settings changed: use the new URL now, and re-learn the other sites'."""
    _neutral_url.forget_all()
    _neutral_url.remember(_site_key(site.pk), url)
    if site.is_default_site:
        _neutral_url.remember(DEFAULT_SITE_KEY, url)


def forget_all():
    """Drop this process's copies and its memory of a database failure (for tests)."""
    _neutral_url.forget_all()


def neutral_exit_url(request):
    """The https URL `/exit/` redirects to, found without waiting on a failed service."""
    site = sites.current()
    if site is sites.NO_SITE:
        return DEFAULT_NEUTRAL_EXIT_URL
    # None: not matched by portal.sites (no middleware): Wagtail's own match.
    key = DEFAULT_SITE_KEY if site is None else _site_key(site.id)
    return _neutral_url.get(key, lambda: SafetySettings.for_request(request).neutral_exit_url)
