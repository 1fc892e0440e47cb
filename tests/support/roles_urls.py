"""The portal's URLs plus Settings → Roles at /admin/roles/, wrapped as Wagtail wraps admin URLs.

tests/test_roles_screen.py uses it only while guidance/wagtail_hooks.py does
not yet register `guidance.roles.admin_urls` (the `register_admin_urls`
hook); once it does, the tests use the site's own URLs and this file can go.
"""

from django.urls import include, path
from wagtail.admin.auth import require_admin_access
from wagtail.utils.urlpatterns import decorate_urlpatterns

from guidance.roles import admin_urls
from portal.urls import handler500
from portal.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler500", "urlpatterns"]

urlpatterns = [
    path("admin/", include(decorate_urlpatterns(admin_urls(), require_admin_access))),
    *portal_urlpatterns,
]
