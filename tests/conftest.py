"""Shared fixtures: a small site tree that every public-page test can browse.

`site_tree` is the tree of tests/support/site.py (`build_site_tree`): a
`HomePage` as the root of the default Site, with one topic, two guidance
pages and the contacts they show, built per test or once per module.
"""

import copy

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from wagtail.test.utils import page_tests

from guidance import help_contacts, quick_exit
from portal import sites
from tests.support import adversarial_tally, migrated_contents
from tests.support.site import build_site_tree

# WagtailPageTestCase logs in with AUTHENTICATION_BACKENDS[0], which is
# django-axes' lockout check; it cannot load users. Log in through Django's.
page_tests.AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def fresh_caches():
    """Each test starts with an empty cache, and no remembered quick exit, help contacts or sites.

    The database is rolled back after each test; these live in memory and
    would otherwise carry one test's settings into the next.
    """
    remembered = (quick_exit, help_contacts, sites)
    cache.clear()
    for module in remembered:
        module.forget_all()
    yield
    for module in remembered:
        module.forget_all()


@pytest.fixture(scope="session")
def migrated_database_contents(request, django_db_setup, django_db_blocker):
    """What Django serialized after migrating, by alias (tests/support/migrated_contents.py)."""
    with django_db_blocker.unblock():
        return migrated_contents.capture(request.config)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    migrated_contents.restore_if_flushed(item)
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        migrated_contents.note_flush(item)


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """Static files collected once, for app servers started without a database."""
    from tests.support.servers import manage_ok, production_env

    env = production_env(tmp_path_factory.mktemp("static"))
    manage_ok("collectstatic", "--noinput", env=env)
    return env["DJANGO_STATIC_ROOT"]


@pytest.fixture(scope="session")
def demo_databases(tmp_path_factory):
    """The demo site's database migrated once per session (per xdist worker), for app servers.

    `demo_databases.fill(url)` makes the database at `url` (a SQLite file, or
    a database on the suite's PostgreSQL server) a copy of it.
    """
    from tests.support.servers import DemoDatabases

    databases = DemoDatabases(tmp_path_factory.mktemp("demo-database"))
    yield databases
    databases.drop()


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


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, the test database is a file in this run's (this xdist worker's) temporary folder.

    Not Django's default shared in-memory database: a live server's request
    threads would share the test's one connection with each other and with
    the test ("cannot start a transaction within a transaction"). A file of
    its own per worker and per run: runs side by side never meet. Nothing
    is synced to disk (the file is thrown away).
    """
    for database in settings.DATABASES.values():
        if database["ENGINE"] != "django.db.backends.sqlite3":
            continue
        test = database.setdefault("TEST", {})
        if not test.get("NAME"):
            test["NAME"] = str(tmp_path_factory.getbasetemp() / "test-db.sqlite3")
        database.setdefault("OPTIONS", {})["init_command"] = "PRAGMA synchronous=OFF"


# xdist: tests go to the workers one by one, in the order pytest-django gives
# them (tests in a transaction first, then those that commit and flush the
# database, then those without one), so on each worker no test meets a
# database another emptied. The modules below go to one worker whole: they
# start servers once for all their tests, flush a Redis database, or check
# at the end what their other tests collected.
KEEP_TOGETHER = {
    "tests/test_outages.py",
    "tests/test_production_serve.py",
    "tests/test_scale_out.py",
    "tests/test_near_cache.py",
    "tests/test_page_cache.py",
    "tests/adversarial/test_faults.py",
    "tests/adversarial/test_load.py",
    "tests/browser/test_accessibility.py",
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class OneByOneButModulesKeptTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            path = nodeid.split("::", 1)[0]
            return path if path in KEEP_TOGETHER else nodeid

    return OneByOneButModulesKeptTogether(config, log)


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


# Under xdist the tests run in worker processes, and what they count (the
# adversarial tally, the browser figures) would stay there: each worker hands
# its part over when it finishes (`config.workeroutput`), and the main
# process prints the whole.
WORKER_OUTPUTS = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    WORKER_OUTPUTS.append(getattr(node, "workeroutput", {}))


def pytest_terminal_summary(terminalreporter, config):
    if not WORKER_OUTPUTS:
        return  # no workers: the adversarial and browser conftests print their own
    figures = {}
    for output in WORKER_OUTPUTS:
        for section, lines in output.get("figures", {}).items():
            figures.setdefault(section, []).extend(lines)
    for section, lines in figures.items():
        terminalreporter.section(section)
        for line in lines:
            terminalreporter.write_line(line)
    parts = [output["adversarial"] for output in WORKER_OUTPUTS if "adversarial" in output]
    if parts:
        for part in parts:
            adversarial_tally.add_worker_part(part)
        terminalreporter.write_line(adversarial_tally.tally_line())
