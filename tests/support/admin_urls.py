"""The admin URLs the portal's own apps register, for tests that visit every report."""

from django.urls import URLPattern, URLResolver
from wagtail import hooks


def report_urls():
    """Every admin URL (without arguments) that the feedback and guidance apps register.

    Sorted (url, view callback) pairs.
    """
    urls = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern) and "<" not in route:
                urls.add((f"/admin/{prefix}{route}", pattern.callback))

    for register in hooks.get_hooks("register_admin_urls"):
        if register.__module__.split(".")[0] in {"feedback", "guidance"}:
            walk(register(), "")
    return sorted(urls, key=lambda item: item[0])
