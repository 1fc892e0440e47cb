"""Outages on purpose: a database a test takes away and gives back, and what must survive it.

`postgres_database` makes a fresh database on the suite's PostgreSQL server
behind a `TcpProxy` (tests/support/faults.py); `sqlite_database` a file
whose folder is moved away and back. The real servers are never stopped.
An error page must still offer quick exit and the help numbers
(`assert_error_page_keeps_exit_and_numbers`). Used by tests/test_outages.py
and tests/adversarial/test_faults.py.
"""

import os
import re
import secrets
import sqlite3
from dataclasses import dataclass, field

import dj_database_url
import psycopg2

from tests.support.faults import TcpProxy


def suite_database_url():
    return os.environ.get("DATABASE_URL", "")


@dataclass
class Database:
    """A database of the suite's kind that a test can take away and give back."""

    url: str
    down: callable
    up: callable
    count_feedback: callable
    cleanup: list = field(default_factory=list)


def postgres_database(tmp_path):
    server = dj_database_url.parse(suite_database_url())
    name = f"outage_{secrets.token_hex(4)}"
    admin = psycopg2.connect(
        host=server["HOST"], port=server["PORT"] or 5432, user=server["USER"], dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    proxy = TcpProxy(server["HOST"], int(server["PORT"] or 5432))

    def count_feedback():
        with (
            psycopg2.connect(
                host=server["HOST"], port=server["PORT"] or 5432, user=server["USER"], dbname=name
            ) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT count(*) FROM feedback_feedbackresponse")
            return cursor.fetchone()[0]

    def drop():
        proxy.close()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    url = f"postgres://{server['USER']}@127.0.0.1:{proxy.port}/{name}"
    return Database(url, proxy.refuse, proxy.forward, count_feedback, [drop])


def sqlite_database(tmp_path):
    folder = tmp_path / "database"
    away = tmp_path / "database-away"
    folder.mkdir()
    path = folder / "db.sqlite3"

    def count_feedback():
        with sqlite3.connect(path) as connection:
            return connection.execute("SELECT count(*) FROM feedback_feedbackresponse").fetchone()[
                0
            ]

    return Database(
        f"sqlite:///{path}",
        down=lambda: folder.rename(away),
        up=lambda: away.exists() and away.rename(folder),
        count_feedback=count_feedback,
    )


def page_id(html):
    return re.search(r'name="page" value="(\d+)"', html).group(1)


def assert_error_page_keeps_exit_and_numbers(body):
    html = body.decode()
    assert re.search(r'<a id="quick-exit"[^>]* href="/exit/"', html), "no Leave site link"
    assert 'href="tel:999"' in html
    assert 'href="tel:08088005000"' in html  # the NSPCC helpline, a site-wide help contact
    assert "Traceback" not in html
