"""django-csp's middleware, with the Wagtail admin's own policy.

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
