"""Tools for tests that race real transactions against PostgreSQL: a second connection that
holds locks while the code under test waits on them, and threads that run requests."""

import threading
import time

import psycopg
import pytest
from django.db import connection

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row and advisory locks only mean something on PostgreSQL: SQLite lets one writer "
    "in at a time, so these races cannot happen there",
)


def second_connection(*, autocommit=False):
    """A psycopg connection of its own to the test database, outside Django (its transactions
    are not the test's). Use it in a `with` block to have it closed."""
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=autocommit,
    )


def wait_until_waiting_on_a_lock(query_fragment, *, timeout=10.0):
    """Block until a backend running a statement containing `query_fragment` waits on a lock;
    returns its pid."""
    deadline = time.monotonic() + timeout
    with second_connection(autocommit=True) as observer:
        while time.monotonic() < deadline:
            row = observer.execute(
                # This database only: other suites may run on the same server.
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database() AND query LIKE %s"
                " AND pid <> pg_backend_pid()",
                [f"%{query_fragment}%"],
            ).fetchone()
            if row:
                return row[0]
            time.sleep(0.01)
    raise AssertionError(f"no statement with {query_fragment!r} waited on a lock")


class Background:
    """Run `function()` in a thread with its own Django connection; `result()` joins it."""

    def __init__(self, function):
        self._outcome = {}

        def run():
            try:
                self._outcome["value"] = function()
            except BaseException as exc:  # re-raised in result()
                self._outcome["error"] = exc
            finally:
                connection.close()

        self._thread = threading.Thread(target=run)
        self._thread.start()

    def result(self, timeout=30.0):
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the background call did not finish"
        if "error" in self._outcome:
            raise self._outcome["error"]
        return self._outcome["value"]
