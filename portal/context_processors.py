from django.conf import settings


def site_name(request):
    """The public site name, read without a database query.

    So that pages shown when the database is down (feedback's 503) still render.
    """
    return {"site_name": settings.WAGTAIL_SITE_NAME}
