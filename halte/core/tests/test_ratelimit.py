"""The counters behind the sign-in and API limits: one upsert a count, per window."""

import fcntl
import os
import threading
import time

import pytest
from django.db import connection, connections
from django.db.utils import ConnectionHandler

from halte.core import ratelimit
from halte.core.models import RateCounter
from halte.core.sqlite.base import WRITER_LOCK_SUFFIX, DatabaseWrapper
from halte.core.tests.concurrency import race


def test_a_window_starts_on_a_multiple_of_its_length_and_says_what_is_left():
    window = ratelimit.Window.current(600, now=1_800_000_123.4)
    assert window.start == 1_800_000_000
    assert window.retry_after == 477  # 600 - 123.4, rounded up


def test_retry_after_is_never_less_than_a_second_and_a_whole_window_at_its_start():
    assert ratelimit.Window.current(60, now=119.6).retry_after == 1
    assert ratelimit.Window.current(60, now=120).retry_after == 60


@pytest.mark.django_db
def test_hits_count_per_key_and_start_again_in_a_new_window():
    first = ratelimit.Window.current(60, now=6000)
    assert [ratelimit.hit("a", first) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.hit("b", first) == 1
    assert ratelimit.count("a", first) == 3

    later = ratelimit.Window.current(60, now=6060)
    assert ratelimit.count("a", later) == 0
    assert ratelimit.hit("a", later) == 1
    assert RateCounter.objects.count() == 2


@pytest.mark.django_db
def test_prune_deletes_the_counters_of_ended_windows():
    ratelimit.hit("old", ratelimit.Window.current(60, now=1000))
    ratelimit.hit("new", ratelimit.Window.current(60, now=9000))
    assert ratelimit.prune(now=9000) == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db
def test_prune_keeps_the_hour_that_runs_and_deletes_one_that_ended():
    now = 36_000.5  # half a second into the hour that started at 36,000
    ratelimit.hit("the hour before", ratelimit.Window.current(3600, now=now - 3600))
    ratelimit.hit("this hour", ratelimit.Window.current(3600, now=now))
    assert ratelimit.prune(now=now) == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["this hour"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
def test_counts_from_many_connections_add_up():
    """Gunicorn's workers each have their own connection: no count may be lost."""
    window = ratelimit.Window.current(3600)
    seen = []

    def count(index):
        for _ in range(50):
            seen.append(ratelimit.hit("shared", window))

    assert race(4, count) == []
    assert ratelimit.count("shared", window) == 200
    assert sorted(seen) == list(range(1, 201))


@pytest.mark.django_db
def test_the_scheduler_housekeeping_prunes_the_counters():
    from halte.core.management.commands.scheduler import housekeeping

    ratelimit.hit("long-gone", ratelimit.Window.current(60, now=1000))
    housekeeping()
    assert not RateCounter.objects.exists()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's unlogged tables")
def test_the_counters_do_not_wait_for_a_wal_flush_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpersistence FROM pg_class WHERE relname = %s",
            [RateCounter._meta.db_table],
        )
        assert cursor.fetchone() == ("u",)


@pytest.fixture
def sqlite_file_as_default(tmp_path, monkeypatch, django_db_blocker):
    """A database file opened as Halte's settings open one (its writer lock file beside
    it), with the counters' table, as the default connection."""
    monkeypatch.setattr("halte.core.sqlite.base.start_checkpointer", lambda path: None)
    settings = {
        "ENGINE": "halte.core.sqlite",
        "NAME": str(tmp_path / "halte.sqlite3"),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 5.0},
    }
    database = DatabaseWrapper(ConnectionHandler({"default": settings}).settings["default"])
    with django_db_blocker.unblock():
        # Swapped in first: the schema editor's transaction is the alias's, and would
        # otherwise open (and leave open) a connection to the test database.
        previous, connections["default"] = connections["default"], database
        try:
            with database.schema_editor() as editor:
                editor.create_model(RateCounter)
            yield database
        finally:
            connections["default"] = previous
            database.close()


def test_on_sqlite_a_count_takes_its_turn_on_the_writer_lock(sqlite_file_as_default):
    """A count is a write: on SQLite it queues on Halte's writer lock (halte.core.sqlite)
    as every write transaction does, instead of meeting SQLite's sleeping busy handler."""
    lock = os.open(sqlite_file_as_default.settings_dict["NAME"] + WRITER_LOCK_SUFFIX, os.O_RDONLY)
    fcntl.flock(lock, fcntl.LOCK_EX)  # another writer's turn
    threading.Timer(0.3, os.close, [lock]).start()
    started = time.monotonic()

    assert ratelimit.hit("queued", ratelimit.Window.current(60)) == 1
    assert time.monotonic() - started >= 0.25
