"""The WAL checkpointer: the log is copied into the database file outside the writer."""

import sqlite3
import time

from halte.core.sqlite.checkpointer import start_checkpointer


def _writer(path):
    """A connection like a request's, that never checkpoints itself."""
    database = sqlite3.connect(path, isolation_level=None)
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("PRAGMA wal_autocheckpoint=0")
    return database


def _write_pages(database, rows=2000):
    database.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, text TEXT)")
    database.execute("BEGIN")
    database.executemany("INSERT INTO t (text) VALUES (?)", [("x" * 200,)] * rows)
    database.execute("COMMIT")


def test_it_copies_the_log_into_the_database_file(tmp_path):
    path = tmp_path / "halte.sqlite3"
    database = _writer(path)
    _write_pages(database)
    before = path.stat().st_size

    assert start_checkpointer(str(path), interval=0.02)

    deadline = time.monotonic() + 5
    while path.stat().st_size == before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert path.stat().st_size > before + 100_000  # the table's pages, out of the log
    assert database.execute("SELECT count(*) FROM t").fetchone() == (2000,)


def test_it_runs_one_checkpointer_per_database_and_process(tmp_path):
    path = tmp_path / "halte.sqlite3"
    _writer(path).close()
    assert start_checkpointer(str(path), interval=0.02)
    assert not start_checkpointer(str(path), interval=0.02)
    assert not start_checkpointer(str(tmp_path / "." / "halte.sqlite3"), interval=0.02)
