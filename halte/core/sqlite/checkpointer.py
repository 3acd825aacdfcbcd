"""SQLite's write-ahead log, checkpointed beside the requests instead of inside them.

In WAL mode SQLite copies the log back into the database file (a checkpoint) when
the log passes `wal_autocheckpoint` pages, inside whichever commit crossed the line:
that request then waits for the copy and its fsyncs, which made the slowest 1% of
caller lookups several times slower than the median. So each process that opens a
database file runs one thread that checkpoints it every `CHECKPOINT_INTERVAL`
seconds, PASSIVE (it never waits for or blocks a reader or writer), on a connection
of its own; sqlite3 lets go of the GIL while it works. Requests checkpoint only
when the log grows past `SAFETY_NET_PAGES` anyway (the thread fell behind, or died).
"""

import logging
import os
import sqlite3
import threading
import time

CHECKPOINT_INTERVAL = 1.0
SAFETY_NET_PAGES = 10_000  # 40 MB of log at SQLite's 4 KB pages

logger = logging.getLogger(__name__)
_running: set[tuple[int, str]] = set()  # (process, database file): a forked child starts its own
_running_lock = threading.Lock()


def start_checkpointer(path: str, *, interval: float = CHECKPOINT_INTERVAL) -> bool:
    """Checkpoint the database file at `path` in a background thread of this process,
    unless one already does; True when this call started it."""
    key = (os.getpid(), os.path.realpath(path))
    with _running_lock:
        if key in _running:
            return False
        _running.add(key)
    thread = threading.Thread(
        target=_checkpoint_forever,
        args=(key[1], interval),
        name="sqlite-checkpointer",
        daemon=True,  # a checkpoint cut off by the process's exit is safe
    )
    thread.start()
    return True


def _checkpoint_forever(path: str, interval: float) -> None:
    database = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        while True:
            time.sleep(interval)
            try:
                database.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error as error:  # the next round tries again
                logger.warning("SQLite checkpoint failed: %s", error)
    finally:  # pragma: no cover - the thread lives as long as its process
        database.close()
