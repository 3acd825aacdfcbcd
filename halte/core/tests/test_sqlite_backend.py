"""Halte's SQLite backend: write transactions queue on the lock file, not in SQLite."""

import fcntl
import itertools
import os
import threading

import pytest
from django.db import connections, transaction
from django.db.utils import ConnectionHandler, OperationalError

from halte.core.sqlite.base import WRITER_LOCK_SUFFIX, DatabaseWrapper

_aliases = itertools.count()
checkpointed = []  # the files whose checkpointer the backend started


@pytest.fixture
def open_connection(tmp_path, monkeypatch, django_db_blocker):
    """Opens connections to a database file of their own, as Halte's settings make
    them, except that SQLite's busy handler gives up at once: a writer that does not
    wait on the lock file fails. Each is registered under an alias of its own in this
    thread, so that transaction.atomic(using=alias) works on it."""
    monkeypatch.setattr("halte.core.sqlite.base.start_checkpointer", checkpointed.append)
    path = tmp_path / "halte.sqlite3"
    opened = []

    def open_connection(name=path):
        alias = f"writer-lock-{next(_aliases)}"
        settings = {
            "ENGINE": "halte.core.sqlite",
            "NAME": str(name),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=0;",
                "transaction_mode": "IMMEDIATE",
            },
        }
        filled = ConnectionHandler({"default": settings}).settings["default"]
        database = DatabaseWrapper(filled, alias)
        connections[alias] = database
        opened.append(database)
        return database

    with django_db_blocker.unblock():  # not the test database: a file of its own
        with open_connection().cursor() as cursor:
            cursor.execute("CREATE TABLE visit (id INTEGER PRIMARY KEY, by TEXT)")
        yield open_connection
        for database in opened:
            if database._thread_ident == threading.get_ident():  # others closed their own
                database.close()
                del connections[database.alias]


def _lock_is_free(database) -> bool:
    fd = os.open(database.settings_dict["NAME"] + WRITER_LOCK_SUFFIX, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def _insert(database, by: str) -> None:
    with database.cursor() as cursor:
        cursor.execute("INSERT INTO visit (by) VALUES (%s)", [by])


def _visits(database) -> list[str]:
    with database.cursor() as cursor:
        cursor.execute("SELECT by FROM visit ORDER BY id")
        return [by for (by,) in cursor.fetchall()]


def test_a_write_transaction_holds_the_lock_until_it_commits(open_connection):
    database = open_connection()
    with transaction.atomic(using=database.alias):
        _insert(database, "first")
        assert not _lock_is_free(database)
    assert _lock_is_free(database)
    assert _visits(database) == ["first"]


def test_a_rolled_back_transaction_lets_go_of_the_lock(open_connection):
    database = open_connection()
    with pytest.raises(RuntimeError), transaction.atomic(using=database.alias):
        _insert(database, "never")
        raise RuntimeError
    assert _lock_is_free(database)
    assert _visits(database) == []


def test_a_second_writer_waits_for_the_first_instead_of_failing(open_connection):
    first = open_connection()
    started, finished, errors = threading.Event(), threading.Event(), []

    def second_writer():
        second = open_connection()  # in this thread: connections are per thread
        try:
            started.set()
            with transaction.atomic(using=second.alias):
                _insert(second, "second")
        except Exception as error:  # asserted below
            errors.append(error)
        finally:
            second.close()
            finished.set()

    with transaction.atomic(using=first.alias):
        _insert(first, "first")
        writer = threading.Thread(target=second_writer)
        writer.start()
        started.wait()
        # With busy_timeout=0 a BEGIN IMMEDIATE that reached SQLite now would fail.
        assert not finished.wait(0.2)
    writer.join(5)

    assert errors == []
    assert _visits(first) == ["first", "second"]


def test_without_the_lock_file_sqlite_refuses_the_second_writer(open_connection):
    """What the test above relies on: SQLite alone does not wait here."""
    first, second = open_connection(), open_connection()
    second.ensure_connection()
    os.close(second._writer_lock_fd)
    second._writer_lock_fd = None
    with transaction.atomic(using=first.alias):
        _insert(first, "first")
        with (
            pytest.raises(OperationalError, match="locked"),
            transaction.atomic(using=second.alias),
        ):
            pass


def test_closing_the_connection_lets_go_of_the_lock(open_connection):
    database = open_connection()
    transaction.atomic(using=database.alias).__enter__()  # never left: the worker died
    assert not _lock_is_free(database)
    database.close()
    assert _lock_is_free(database)


def test_a_database_in_memory_has_no_lock_file(open_connection):
    database = open_connection(":memory:")
    with transaction.atomic(using=database.alias), database.cursor() as cursor:
        cursor.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    assert database._writer_lock_fd is None
    assert database.settings_dict["NAME"] == ":memory:"


def test_a_database_file_gets_its_checkpointer_and_one_in_memory_none(open_connection):
    checkpointed.clear()
    database = open_connection()
    database.ensure_connection()
    open_connection(":memory:").ensure_connection()
    assert checkpointed == [database.settings_dict["NAME"]]
