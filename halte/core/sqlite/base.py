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

A writer waits for the lock file no longer than SQLite's busy timeout (the
`timeout` in OPTIONS) and then fails as SQLite would ("database is locked"), which pages
and the API answer with 503 and Retry-After (halte.core.busy).

The database holds client data: its file, the -wal, -shm and lock files beside it
and the folder made for them are readable by their owner only (0600, 0700).
"""

import contextlib
import fcntl
import os
import signal
import threading
import time
from pathlib import Path

from django.db import OperationalError
from django.db.backends.sqlite3 import base

from halte.core.sqlite.checkpointer import start_checkpointer

WRITER_LOCK_SUFFIX = "-writer"
OWNER_ONLY_FILE = 0o600
OWNER_ONLY_FOLDER = 0o700
# The files SQLite keeps beside the database; it gives them the database file's mode.
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal", WRITER_LOCK_SUFFIX)
LOCKED_MESSAGE = "database is locked"


def make_private(path: str) -> None:
    """Create the database file (and its folder) for its owner only, before SQLite
    opens it; an existing one that others may read is narrowed to its owner."""
    # The file itself, where SQLite will open it: O_EXCL does not follow a link.
    database = Path(path).resolve()
    if not database.parent.exists():
        database.parent.mkdir(mode=OWNER_ONLY_FOLDER, parents=True, exist_ok=True)
    # Only a file not there yet is opened (O_EXCL). Closing a descriptor of an
    # existing one would drop every POSIX lock this process holds on it (fcntl(2)),
    # its open connections' SQLite locks among them: another process would then take
    # the database for unused and delete the WAL under them.
    with contextlib.suppress(FileExistsError):
        os.close(
            os.open(database, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, OWNER_ONLY_FILE)
        )
    for file in (database, *(Path(f"{database}{suffix}") for suffix in COMPANION_SUFFIXES)):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            found = file.stat()
            if found.st_mode & 0o077 and found.st_uid == os.getuid():
                file.chmod(OWNER_ONLY_FILE)


class _TimedOut(Exception):
    pass


_waiting_in_main_thread = False


def _end_the_wait(signum, frame):
    if _waiting_in_main_thread:  # a late signal, after the wait ended, changes nothing
        raise _TimedOut


def _can_use_the_timer() -> bool:
    """Whether the main thread can end its wait with SIGALRM: the handler is ours (set
    once: installing one costs about 25 µs), and no other timer is running."""
    handler = signal.getsignal(signal.SIGALRM)
    if handler in (signal.SIG_DFL, None):
        signal.signal(signal.SIGALRM, _end_the_wait)
    elif handler is not _end_the_wait:
        return False  # someone else's alarm: leave it alone
    return not signal.getitimer(signal.ITIMER_REAL)[0]


def _wait_for_lock(fd: int, timeout: float) -> bool:
    """Take the exclusive lock on `fd` within `timeout` seconds; False when it stays taken.

    The main thread (a gunicorn sync worker's requests) blocks in flock(2), so the
    kernel hands the lock on the moment its holder lets go, with a timer signal to
    end the wait; other threads cannot be woken by a signal, so they poll."""
    global _waiting_in_main_thread
    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread and timeout > 0 and _can_use_the_timer():
        try:
            _waiting_in_main_thread = True
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            finally:
                _waiting_in_main_thread = False
            return True
        except _TimedOut:  # maybe just after flock took it: let go either way
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    deadline, pause = time.monotonic() + timeout, 0.0001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
        time.sleep(pause)
        pause = min(pause * 2, 0.005)


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_lock_fd = None
    _holds_writer_lock = False

    def get_new_connection(self, conn_params):
        in_memory = self.is_in_memory_db()
        if not in_memory:
            make_private(str(self.settings_dict["NAME"]))
        connection = super().get_new_connection(conn_params)
        if not in_memory:
            path = str(self.settings_dict["NAME"])
            self._writer_lock_fd = os.open(
                path + WRITER_LOCK_SUFFIX,
                os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC,
                OWNER_ONLY_FILE,
            )
            start_checkpointer(path)
        return connection

    def _take_writer_lock(self) -> None:
        try:
            fcntl.flock(self._writer_lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another writer holds it: wait as SQLite would
            # OPTIONS["timeout"] is also sqlite3.connect's busy timeout (5 s unless set).
            timeout = self.settings_dict["OPTIONS"].get("timeout", 5.0)
            if not _wait_for_lock(self._writer_lock_fd, timeout):
                raise OperationalError(LOCKED_MESSAGE) from None
        self._holds_writer_lock = True

    def _start_transaction_under_autocommit(self):
        if self._writer_lock_fd is not None:
            self._take_writer_lock()
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
