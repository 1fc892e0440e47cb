"""The portal's URLs plus two that fail, to see the 500 and 503 pages as a visitor would."""

from django.db import OperationalError
from django.urls import path

from portal.urls import handler500
from portal.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler500", "urlpatterns"]


def broken(request):
    raise RuntimeError("A bug")


def database_gone(request):
    raise OperationalError("connection refused")


urlpatterns = [
    path("broken/", broken),
    path("database-gone/", database_gone),
    *portal_urlpatterns,
]
