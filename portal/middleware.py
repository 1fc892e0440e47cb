"""Cross-cutting middleware: the admin's security policy, 405 pages, atomic admin writes.

django-csp's middleware, with the Wagtail admin's own policy.

django-csp sends one policy (`CONTENT_SECURITY_POLICY`, the strict public
one). The admin needs a looser one (`ADMIN_CONTENT_SECURITY_POLICY`, see
settings/base.py for why), so this subclass picks it for admin URLs through
django-csp's documented extension point, `get_policy_parts`. A page preview
keeps the public policy, so editors see what visitors will get, except that
the admin may frame it. It also adds
Cross-Origin-Resource-Policy, which neither Django nor django-csp sends.
"""

from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings
from django.db import transaction
from django.http import HttpResponseNotAllowed
from wagtail.views import serve

from .views import _standalone_page


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.config is not None:
            return parts
        if getattr(request, "is_preview", False):
            # Wagtail renders a preview through the middleware with the page's
            # public URL: it gets the public policy, framed by the admin only.
            parts.replace = {**(parts.replace or {}), "frame-ancestors": ["'self'"]}
        elif request.path_info.startswith(settings.ADMIN_URL_PREFIXES):
            parts.config = default_config(settings.ADMIN_CONTENT_SECURITY_POLICY)
        return parts

    def process_response(self, request, response):
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY
        )
        return super().process_response(request, response)


class MethodNotAllowedMiddleware:
    """Pages answer GET and HEAD only; every 405 is our own page, not an empty body.

    Wagtail's `serve` renders a page for any method, so `PUT`, `DELETE` or
    `TRACE` on a guidance page answered 200 (T16). Django's
    `require_POST` and friends answer 405 with no body; a visitor (or a
    probe) gets the standalone error page instead, with the quick exit and
    the help numbers, and the `Allow` header kept. The health checks keep
    Django's bare 405: they never touch the database or the cache.
    """

    PAGE_METHODS = ("GET", "HEAD")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        streaming = getattr(response, "streaming", False)
        # The health checks stay bare: they must never touch the database.
        plain = streaming or request.path_info.startswith("/health/")
        if response.status_code == 405 and not plain and not response.content:
            branded = _standalone_405()
            branded["Allow"] = response.get("Allow", "")
            return branded
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is serve and request.method not in self.PAGE_METHODS:
            return HttpResponseNotAllowed(self.PAGE_METHODS)
        return None


def _standalone_405():
    return _standalone_page("405.html", 405)


class AtomicAdminWritesMiddleware:
    """Every write in the admin is one transaction: it lands whole or not at all.

    A review step writes several rows (a revision, the workflow's state, the
    task's state, the audit log), and Wagtail writes some of them outside any
    transaction (`WorkflowState.resume`). A failure half-way, such as a mail
    server error, once left a workflow "in progress" with no current task,
    and the contact's edit screen answered 500 for everyone. Django's
    `ATOMIC_REQUESTS` would also wrap every visitor's page; only staff writes
    need it. E-mail waits for the commit (portal/mail.py). Keep this last in
    `MIDDLEWARE`: it runs the view itself.
    """

    SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
    ADMIN_PREFIX = "/admin/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in self.SAFE_METHODS or not request.path_info.startswith(
            self.ADMIN_PREFIX
        ):
            return None
        if "default" in getattr(view_func, "_non_atomic_requests", set()):
            return None
        with transaction.atomic():
            return view_func(request, *view_args, **view_kwargs)
