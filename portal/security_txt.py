"""/.well-known/security.txt (RFC 9116) and the disclosure policy it points to.

- **Contact** is the force's own, when its Safety settings name one (the
  URLconf passes `site_contacts`, a function of the request, as this layer
  knows nothing of the settings model), else `SECURITY_TXT_CONTACT` (a
  `mailto:` or `https:` address; several, comma-separated, are listed in
  order). The default is `mailto:security@` the public host of
  `WAGTAILADMIN_BASE_URL`: set it to a mailbox someone reads.
- **Expires** is computed: 180 days after the day the file is served, so it
  is never in the past and never more than the year ahead RFC 9116 allows.
  The file is built from the live settings on every request, so there is no
  copy to go stale; what must stay true is the contact, reviewed at each
  deploy (docs/security.md).
- **Canonical** and **Policy** are addresses on this site: with one force,
  `WAGTAILADMIN_BASE_URL`; with several, the address of the request's
  force (its Wagtail Site's host name and port, as page canonicals are), so
  each host name's file names itself and never another force's. The policy
  is `/.well-known/security-policy.txt`, served here, unless
  `SECURITY_TXT_POLICY` names another (for every force).

Both are plain text, may be kept by a CDN for an hour, and are never put in
the page cache (it keeps HTML only).
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from wagtail.models import Site

from .sites import known_sites

EXPIRES_AFTER_DAYS = 180
POLICY = """Reporting a security problem with this website

This website gives guidance to children, parents and victims about sexting,
grooming and exploitation. If you have found a weakness in it, please tell us
so we can fix it before anyone is harmed.

How to report: {contacts}
Tell us the address, what you did and what happened. Please do not include
anyone's personal information.

What we ask:
- do not read, change or delete other people's data, including feedback;
- do not test in ways that would stop the site working for people who need
  it (no denial of service, no floods of feedback or spam);
- do not publish the problem until we have fixed it or 90 days have passed.

What we do: we answer within 5 working days, keep you told of progress, and
will not take action against research done in good faith within these rules.

If you are in danger, call 999. This address is not for reporting crimes:
call 101, or report online abuse to CEOP.
"""
PLAIN_TEXT = "text/plain; charset=utf-8"


def _site_url(request, path):
    """`path` on this force's address: its Site's with several forces, else the admin's."""
    site = Site.find_for_request(request)
    sites = known_sites()
    if site is not None and sites and len(sites) > 1:
        return site.root_url + path
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def contacts(request=None, site_contacts=None):
    """The force's own contacts (`site_contacts(request)`), else the install's."""
    if request is not None and site_contacts is not None:
        own = site_contacts(request)
        if own:
            return list(own)
    configured = [
        contact.strip() for contact in settings.SECURITY_TXT_CONTACT.split(",") if contact.strip()
    ]
    if configured:
        return configured
    return [f"mailto:security@{urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname}"]


def expires(today=None):
    today = today or datetime.datetime.now(datetime.UTC).date()
    day = today + datetime.timedelta(days=EXPIRES_AFTER_DAYS)
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


@require_safe
@cache_control(public=True, max_age=3600)
def security_txt(request, site_contacts=None):
    policy = settings.SECURITY_TXT_POLICY or _site_url(request, "/.well-known/security-policy.txt")
    lines = [f"Contact: {contact}" for contact in contacts(request, site_contacts)]
    lines += [
        f"Expires: {expires().strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: en",
        f"Canonical: {_site_url(request, '/.well-known/security.txt')}",
        f"Policy: {policy}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type=PLAIN_TEXT)


@require_safe
@cache_control(public=True, max_age=3600)
def security_policy(request, site_contacts=None):
    text = POLICY.format(contacts=" or ".join(contacts(request, site_contacts)))
    return HttpResponse(text, content_type=PLAIN_TEXT)
