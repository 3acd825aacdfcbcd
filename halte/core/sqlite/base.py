"""Django's SQLite backend, with its writers queued on a lock of the operating system.

SQLite lets one writer in at a time. A connection that finds the database locked
calls its busy handler, which sleeps 1, 2, 5, 10, ... ms and tries again: with
every request appending to the audit log, a worker that lost the race slept at
least a millisecond for a transaction that takes a tenth of that (4% of a gunicorn
worker's time under load). So a write transaction here first takes an exclusive
flock(2) on a file beside the database, which the kernel hands on the moment the
holder lets go, and only then begins: BEGIN IMMEDIATE then finds SQLite's own lock
free. The flock adds no waiting of its own: with IMMEDIATE transactions (the
settings ask for them) SQLite already lets only one such transaction in at a time.

Single statements outside a transaction, and programs other than Halte, still
meet SQLite's busy handler; they stay correct, SQLite's lock decides. A database
in memory has a single connection and no lock file.
"""

import fcntl
import os

from django.db.backends.sqlite3 import base

from halte.core.sqlite.checkpointer import start_checkpointer

WRITER_LOCK_SUFFIX = "-writer"


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_lock_fd = None
    _holds_writer_lock = False

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            path = str(self.settings_dict["NAME"])
            self._writer_lock_fd = os.open(
                path + WRITER_LOCK_SUFFIX, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644
            )
            start_checkpointer(path)
        return connection

    def _start_transaction_under_autocommit(self):
        if self._writer_lock_fd is not None:
            fcntl.flock(self._writer_lock_fd, fcntl.LOCK_EX)
            self._holds_writer_lock = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer_lock()
            raise

    def _commit(self):
        try:
            super()._commit()
        finally:
            self._release_writer_lock()

    def _rollback(self):
        try:
            super()._rollback()
        finally:
            self._release_writer_lock()

    def _close(self):
        try:
            super()._close()
        finally:
            self._holds_writer_lock = False
            if self._writer_lock_fd is not None:
                os.close(self._writer_lock_fd)  # also lets go of the lock
                self._writer_lock_fd = None

    def _release_writer_lock(self):
        if self._holds_writer_lock:
            self._holds_writer_lock = False
            fcntl.flock(self._writer_lock_fd, fcntl.LOCK_UN)
