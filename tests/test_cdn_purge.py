"""The CDN or proxy in front is told to drop exactly what the page cache drops.

A real HTTP server on loopback stands in for Varnish: it records each PURGE
that the frontend-cache HTTP backend (portal/cdn.py) sends. A proxy that is
down, or accepts and never answers, never stops or stalls a publish.
"""

import pytest

from guidance.models import SafetySettings
from portal import cdn as cdn_backend
from tests.support import cdn as loopback_cdn
from tests.support.faults import SilentListener
from tests.support.servers import free_port


@pytest.fixture(autouse=True)
def no_remembered_failure():
    cdn_backend.forget_failures()
    yield
    cdn_backend.forget_failures()


cdn = loopback_cdn.recording_cdn


def test_a_publish_purges_the_page_its_topic_and_home(cdn, site_tree):
    site_tree.guidance.save_revision().publish()

    assert {"localhost/", "localhost/online-safety/", "localhost/online-safety/sexting/"} <= set(
        cdn
    )


def test_a_published_contact_purges_every_page_that_shows_it(cdn, site_tree):
    for page in (site_tree.guidance, site_tree.other_guidance):
        page.save_revision().publish()  # records the contacts in the reference index
    cdn.clear()

    site_tree.stop_it_now.save_revision().publish()

    assert set(cdn) == {"localhost/online-safety/sexting/"}  # only Sexting shows Stop It Now


def test_saving_the_safety_settings_purges_every_live_page(cdn, site_tree):
    settings = SafetySettings.for_site(site_tree.site)
    settings.emergency_text = "Call 999 now."
    settings.save()

    assert {
        "localhost/",
        "localhost/online-safety/",
        "localhost/online-safety/sexting/",
        "localhost/online-safety/grooming/",
    } <= set(cdn)


def test_a_cdn_that_is_down_never_stops_a_publish(settings, site_tree, caplog):
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "portal.cdn.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{free_port()}",  # nothing listens
        }
    }
    page = site_tree.guidance
    page.title = "Sexting and the law"

    page.save_revision().publish()

    page.refresh_from_db()
    assert page.title == "Sexting and the law"
    assert page.live
    assert "Couldn't purge" in caplog.text


def test_a_proxy_that_never_answers_holds_a_publish_for_one_timeout_only(
    settings, site_tree, caplog
):
    settings.FRONTEND_CACHE_TIMEOUT = 0.5
    with SilentListener() as silent:
        settings.WAGTAILFRONTENDCACHE = {
            "varnish": {
                "BACKEND": "portal.cdn.HTTPBackend",
                "LOCATION": f"http://127.0.0.1:{silent.port}",
            }
        }
        safety = SafetySettings.for_site(site_tree.site)
        safety.emergency_text = "Call 999 now."
        safety.save()  # purges every page: the first times out, the rest are skipped

    assert SafetySettings.for_site(site_tree.site).emergency_text == "Call 999 now."
    assert caplog.text.count("Couldn't purge") == 1
    assert "Skipped purging" in caplog.text
