"""Shared fixtures: a small site tree that every public-page test can browse.

`site_tree` makes a `HomePage` the root of the default Site (replacing
Wagtail's welcome page), with one topic, two guidance pages and the contacts
they show. It works under both `db` and `transactional_db`: after a
transactional test Django flushes every table, including the locale, root
page and site that Wagtail's migrations created, so they are made again
here when missing.
"""

import copy
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_supported_language_variant
from wagtail.models import Locale, Page, Site
from wagtail.test.utils import page_tests

from guidance import help_contacts, quick_exit
from guidance.models import GuidancePage, HomePage, SignpostingContact, TopicPage
from tests.guidance.factories import (
    GuidancePageFactory,
    HomePageFactory,
    SignpostingContactFactory,
    TopicPageFactory,
    contacts_block,
    paragraph,
    section,
)

# WagtailPageTestCase logs in with AUTHENTICATION_BACKENDS[0], which is
# django-axes' lockout check; it cannot load users. Log in through Django's.
page_tests.AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


@dataclass
class SiteTree:
    site: Site
    home: HomePage
    topic: TopicPage
    guidance: GuidancePage
    other_guidance: GuidancePage
    nspcc: SignpostingContact
    stop_it_now: SignpostingContact


def tree_root():
    """Wagtail's root page (depth 1), made again if a flush removed it."""
    root = Page.get_first_root_node()
    if root is None:
        Locale.objects.get_or_create(
            language_code=get_supported_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    return root


def make_home_site(**home_kwargs):
    """A HomePage as the root of the only (default) Site."""
    root = tree_root()
    Site.objects.all().delete()
    for page in root.get_children():
        page.delete()
    home = HomePageFactory(parent=root, **home_kwargs)
    site = Site.objects.create(
        hostname="localhost",
        port=80,
        site_name="Safeguarding guidance",
        root_page=home,
        is_default_site=True,
    )
    return site, home


def build_site_tree():
    site, home = make_home_site()
    topic = TopicPageFactory(
        parent=home,
        title="Online safety",
        summary="Sexting, grooming and staying safe online.",
    )
    nspcc = SignpostingContactFactory(
        name="NSPCC helpline",
        helps_with="Advice if you are worried about a child.",
        phone="0808 800 5000",
        phone_hours="24 hours a day",
        website="https://www.nspcc.org.uk/",
    )
    stop_it_now = SignpostingContactFactory(
        name="Stop It Now",
        helps_with="Confidential advice if you are worried about how someone treats children.",
        phone="0808 1000 900",
        phone_hours="Monday to Thursday, 9am to 9pm",
        website="https://www.stopitnow.org.uk/",
    )
    guidance = GuidancePageFactory(
        parent=topic,
        title="Sexting",
        summary="What the law says about sharing sexual images, and where to get help.",
        body=[
            section("Know the law"),
            paragraph("<p>If you are under 18, sharing a sexual image is against the law.</p>"),
            section("Police action"),
            paragraph("<p>A police officer will establish the facts.</p>"),
            section("Guidance and support"),
            contacts_block([nspcc, stop_it_now]),
        ],
    )
    other_guidance = GuidancePageFactory(
        parent=topic,
        title="Grooming",
        summary="How groomers build trust online, and the signs to look for.",
        body=[
            section("Signs to look for"),
            paragraph("<p>A new friend who asks them to keep secrets.</p>"),
            contacts_block([nspcc]),
        ],
    )
    return SiteTree(site, home, topic, guidance, other_guidance, nspcc, stop_it_now)


@pytest.fixture(autouse=True)
def fresh_caches():
    """Each test starts with an empty cache and no remembered quick-exit URL or help contacts.

    The database is rolled back after each test; these live in memory and
    would otherwise carry one test's settings into the next.
    """
    cache.clear()
    quick_exit.forget_all()
    help_contacts.forget_all()
    yield
    quick_exit.forget_all()
    help_contacts.forget_all()


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """Static files collected once, for app servers started without a database."""
    from tests.support.servers import manage_ok, production_env

    env = production_env(tmp_path_factory.mktemp("static"))
    manage_ok("collectstatic", "--noinput", env=env)
    return env["DJANGO_STATIC_ROOT"]


@pytest.fixture(scope="module")
def shared_site_tree(request, django_db_setup, django_db_blocker):
    """The site tree built once for a whole module, as Django's `setUpTestData` does.

    A module opts in with `SHARE_SITE_TREE = True` when no test in it that
    uses `site_tree` is transactional (browser, live server); elsewhere this
    is None. The tree is built inside a transaction that stays open while
    the module's `site_tree` tests run and is rolled back after them; each
    test runs in a savepoint inside it, so a test's changes never reach the
    next. Only tests that ask for `site_tree` set it up, so the module's
    tests without a database (run after the transactional ones, which empty
    the database) never rebuild it.
    """
    if not getattr(request.module, "SHARE_SITE_TREE", False):
        yield None
        return
    with django_db_blocker.unblock():
        module_transaction = transaction.atomic()
        module_transaction.__enter__()
        tree = build_site_tree()
    yield tree
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module_transaction.__exit__(None, None, None)


@pytest.fixture
def site_tree(shared_site_tree, db):
    """Home → "Online safety" topic → "Sexting" and "Grooming" guidance pages.

    Both guidance pages show the NSPCC helpline; "Sexting" also shows
    Stop It Now. Built for the test, or once for the module when it sets
    `SHARE_SITE_TREE`; either way each test gets its own Python objects.
    """
    if shared_site_tree is not None:
        return copy.deepcopy(shared_site_tree)
    return build_site_tree()


def pytest_collection_modifyitems(config, items):
    """The `scale_out` tests need PostgreSQL: on any other database they are deselected."""
    import os

    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    deselected = [item for item in items if item.get_closest_marker("scale_out")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("scale_out")]
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line(
                f"{len(deselected)} scale_out tests deselected: they run only on PostgreSQL "
                "(DATABASE_URL=postgres://...)"
            )
