"""The SQLite files hold client data: owner only. A writer waits for another's lock no
longer than the busy timeout. Opening a connection never drops the SQLite locks the
process holds, or another process would delete the WAL under it."""

import itertools
import os
import signal
import stat
import subprocess
import sys
import threading
import time

import pytest
from django.db import connections, transaction
from django.db.utils import ConnectionHandler, OperationalError

from halte.core.sqlite.base import WRITER_LOCK_SUFFIX, DatabaseWrapper

_aliases = itertools.count()


@pytest.fixture
def open_database(monkeypatch, django_db_blocker):
    """Opens connections as Halte's settings make them (WAL, IMMEDIATE, a timeout),
    each under an alias of its own, closed at the end by the thread that opened it."""
    monkeypatch.setattr("halte.core.sqlite.base.start_checkpointer", lambda path: None)
    opened = []

    def open_database(path, *, timeout=5.0):
        alias = f"sqlite-files-{next(_aliases)}"
        settings = {
            "ENGINE": "halte.core.sqlite",
            "NAME": str(path),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": timeout,
            },
        }
        filled = ConnectionHandler({"default": settings}).settings["default"]
        database = DatabaseWrapper(filled, alias)
        connections[alias] = database
        opened.append(database)
        return database

    with django_db_blocker.unblock():
        yield open_database
        for database in opened:
            if database._thread_ident == threading.get_ident():
                database.close()
                del connections[database.alias]


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _write(database, table="visit"):
    with transaction.atomic(using=database.alias), database.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY)")
        cursor.execute(f"INSERT INTO {table} DEFAULT VALUES")


def test_the_database_its_files_and_a_new_folder_are_for_their_owner_only(tmp_path, open_database):
    path = tmp_path / "var" / "halte.sqlite3"
    previous = os.umask(0o022)  # a umask that would let everyone read new files
    try:
        database = open_database(path)
        _write(database)
        files = [path, *(f"{path}{suffix}" for suffix in ("-wal", "-shm", WRITER_LOCK_SUFFIX))]
        modes = {os.path.basename(file): _mode(file) for file in files}
    finally:
        os.umask(previous)

    assert _mode(path.parent) == 0o700
    assert modes == dict.fromkeys(modes, 0o600), modes


def test_an_existing_database_others_could_read_is_narrowed_to_its_owner(tmp_path, open_database):
    path = tmp_path / "halte.sqlite3"
    path.touch(mode=0o644)
    path.chmod(0o644)
    folder_mode = _mode(tmp_path)

    _write(open_database(path))

    assert _mode(path) == 0o600
    assert _mode(tmp_path) == folder_mode  # a folder Halte did not make is left alone


def _hold_lock(path, open_database, held: threading.Event, release: threading.Event):
    holder = open_database(path)
    with transaction.atomic(using=holder.alias), holder.cursor() as cursor:
        cursor.execute("INSERT INTO visit DEFAULT VALUES")
        held.set()
        release.wait(10)
    holder.close()


@pytest.mark.parametrize("waiter_thread", ["main", "other"])
def test_a_writer_gives_up_after_the_timeout_when_another_holds_the_lock(
    tmp_path, open_database, waiter_thread
):
    """The main thread (gunicorn's sync worker) waits in flock with a timer, other
    threads poll: both give up after the timeout with SQLite's own error."""
    path = tmp_path / "halte.sqlite3"
    _write(open_database(path))
    held, release, outcome = threading.Event(), threading.Event(), {}

    def try_to_write():
        waiter = open_database(path, timeout=0.3)
        started = time.monotonic()
        try:
            _write(waiter)
        except OperationalError as error:
            outcome["error"] = str(error)
        outcome["waited"] = time.monotonic() - started
        outcome["lock_held_after"] = waiter._holds_writer_lock
        waiter.close()

    if waiter_thread == "main":
        holder = threading.Thread(target=_hold_lock, args=(path, open_database, held, release))
        holder.start()
        held.wait(5)
        try_to_write()
    else:
        holder = open_database(path)
        with transaction.atomic(using=holder.alias), holder.cursor() as cursor:
            cursor.execute("INSERT INTO visit DEFAULT VALUES")
            waiter = threading.Thread(target=try_to_write)
            waiter.start()
            waiter.join(5)
    release.set()
    if waiter_thread == "main":
        holder.join(5)

    assert outcome["error"] == "database is locked"
    assert 0.25 < outcome["waited"] < 2
    assert outcome["lock_held_after"] is False


def test_a_writer_that_waits_gets_the_lock_when_it_is_let_go_in_time(tmp_path, open_database):
    path = tmp_path / "halte.sqlite3"
    _write(open_database(path))
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(path, open_database, held, release))
    holder.start()
    held.wait(5)
    threading.Timer(0.2, release.set).start()

    waiter = open_database(path, timeout=3)
    _write(waiter)  # in the main thread: flock with a timer that must not fire later
    holder.join(5)

    with waiter.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM visit")
        assert cursor.fetchone() == (3,)
    time.sleep(0.1)  # a timer left running would interrupt this
    signal.raise_signal(signal.SIGALRM)  # and a stray alarm now changes nothing


def test_a_new_connection_keeps_the_locks_of_the_open_ones(tmp_path, open_database):
    # Closing any descriptor of a file drops every POSIX lock the process holds on it
    # (fcntl(2)), SQLite's shared lock among them: a program that then closes its last
    # connection takes the database for unused and deletes the WAL under the open
    # one ("disk I/O error", "database disk image is malformed").
    path = tmp_path / "halte.sqlite3"
    first = open_database(path)
    _write(first)
    wal = tmp_path / "halte.sqlite3-wal"
    assert wal.exists()
    second = open_database(path)
    second.ensure_connection()  # a thread of the same process opens one
    other_program = (
        "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]);"
        " db.execute('SELECT count(*) FROM visit').fetchall(); db.close()"
    )
    subprocess.run([sys.executable, "-c", other_program, str(path)], check=True)  # noqa: S603
    assert wal.exists(), "the other program deleted the WAL of an open connection"
    _write(first)
    with first.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        assert cursor.fetchone() == ("ok",)
        cursor.execute("SELECT count(*) FROM visit")
        assert cursor.fetchone() == (2,)


def test_a_database_path_that_links_to_a_new_file_makes_it_owner_only(tmp_path, open_database):
    target = tmp_path / "data" / "halte.sqlite3"
    target.parent.mkdir()
    link = tmp_path / "halte.sqlite3"
    link.symlink_to(target)
    _write(open_database(link))
    assert _mode(target) == 0o600
