"""The SQLite search index survives migrations that rebuild the clients table."""

import pytest
from django.db import connection

from halte.clients.search import find_clients
from halte.clients.search_index import TRIGGERS, ensure_sqlite_search_index
from halte.clients.tests.factories import ClientFactory

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 is SQLite's")


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def test_it_has_every_trigger_after_all_migrations(db):
    assert set(TRIGGERS) <= _triggers()


def test_it_repairs_and_reindexes_after_a_table_rebuild(personas, teams):
    ClientFactory(team=teams["noord"], given_names="Truus", family_name="Zwanenburg")
    with connection.cursor() as cursor:
        for name in TRIGGERS:  # what Django's table rebuild does to them
            cursor.execute(f"DROP TRIGGER {name}")
    ClientFactory(team=teams["noord"], given_names="Gerrit", family_name="Zwanenburg")

    assert ensure_sqlite_search_index(connection) is True
    assert set(TRIGGERS) <= _triggers()
    found = find_clients(personas["planner"], "zwanenburg").clients
    assert {c.given_names for c in found} == {"Truus", "Gerrit"}
    assert ensure_sqlite_search_index(connection) is False
