from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from guidance import views as guidance_views
from portal import security_txt, two_factor
from portal import views as portal_views

urlpatterns = [
    path("admin/two-factor/", two_factor.verify, name="two_factor_verify"),
    path("admin/two-factor/set-up/", two_factor.set_up, name="two_factor_set_up"),
    path("admin/two-factor/set-up/qr-code.svg", two_factor.qr_code, name="two_factor_qr_code"),
    path(
        "admin/two-factor/recovery-codes/",
        two_factor.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("exit/", guidance_views.quick_exit, name="quick_exit"),
    path("feedback/", include("feedback.urls")),
    path("search/", guidance_views.search, name="search"),
    path("health/live/", portal_views.live, name="health_live"),
    path("health/ready/", portal_views.ready, name="health_ready"),
    # Crawlers may index the guidance, not the endpoints around it.
    path("robots.txt", guidance_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", guidance_views.sitemap, name="sitemap"),
    # RFC 9116: how to report a vulnerability (portal/security_txt.py), with
    # each force's own contact from its Safety settings.
    path(
        ".well-known/security.txt",
        security_txt.security_txt,
        {"site_contacts": guidance_views.security_contacts},
        name="security_txt",
    ),
    path(
        ".well-known/security-policy.txt",
        security_txt.security_policy,
        {"site_contacts": guidance_views.security_contacts},
        name="security_policy",
    ),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

# 400, 403 and 404 are Django's own views with our templates (400.html,
# 403.html, 403_csrf.html, 404.html); 500 turns outages into 503s.
handler500 = "portal.views.server_error"
