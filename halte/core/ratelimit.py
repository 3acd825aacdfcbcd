"""Counting events per key in fixed windows, in the database: one statement a count.

Gunicorn runs several workers and a deployment may run several machines, so a count
kept in a process would let an attacker spread guesses over the workers. Halte has
no cache server (SQLite without Redis must keep working), and Django's DatabaseCache
increments with a read and a write that two workers can interleave, losing counts.
So the counts live in one small table (core.RateCounter) and each is one upsert
that returns the new count: atomic on SQLite and PostgreSQL alike.

On PostgreSQL the table is UNLOGGED (migration core 0006): a count does not wait for
a WAL flush (8 ms a call here with a logged table), and a crash or a failover to a
standby starts the counts again, which is harmless for limits of minutes and hours.

Windows are fixed (10:00-10:01, 10:01-10:02, ...): a key may reach twice its limit
across a window's edge, which these limits allow for; in return the row is one
per key, and Retry-After is simply the time left in the window.
"""

import math
import time
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache

from django.db import connection, transaction

from halte.core.models import RateCounter
from halte.core.sql import hot_cursor

_TABLE = RateCounter._meta.db_table


@cache
def _hit_sql() -> str:
    quote = connection.ops.quote_name
    table, key, window, count = (quote(name) for name in (_TABLE, "key", "window", "count"))
    # The SET expressions read the row as it was, so the count starts again at 1
    # when the stored window is an older one.
    return (
        f"INSERT INTO {table} ({key}, {window}, {count}) VALUES (%s, %s, 1)"  # noqa: S608
        f" ON CONFLICT ({key}) DO UPDATE SET"
        f" {count} = CASE WHEN {table}.{window} = excluded.{window}"
        f" THEN {table}.{count} + 1 ELSE 1 END,"
        f" {window} = excluded.{window}"
        f" RETURNING {count}"
    )


@cache
def _count_sql() -> str:
    quote = connection.ops.quote_name
    return (
        f"SELECT {quote('count')} FROM {quote(_TABLE)}"  # noqa: S608
        f" WHERE {quote('key')} = %s AND {quote('window')} = %s"
    )


@dataclass(frozen=True)
class Window:
    """The current window of `seconds`, at `now` (seconds since the epoch)."""

    start: int  # seconds since the epoch, a multiple of the window's length
    retry_after: int  # whole seconds until the next window begins

    @classmethod
    def current(cls, seconds: int, now: float | None = None) -> "Window":
        now = time.time() if now is None else now
        start = int(now // seconds) * seconds
        return cls(start, max(1, math.ceil(start + seconds - now)))


def _write_queue():
    # On SQLite a write inside a transaction queues on Halte's writer lock
    # (halte.core.sqlite) instead of meeting SQLite's sleeping busy handler;
    # on PostgreSQL a single statement is its own transaction already.
    return transaction.atomic(savepoint=False) if connection.vendor == "sqlite" else nullcontext()


def hit(key: str, window: Window) -> int:
    """Count one event for `key` in `window`; return the count so far, this one included."""
    with _write_queue(), hot_cursor() as cursor:
        cursor.execute(_hit_sql(), [key, window.start])
        return cursor.fetchone()[0]


def count(key: str, window: Window) -> int:
    """The events counted for `key` in `window`, without counting one."""
    with hot_cursor() as cursor:
        cursor.execute(_count_sql(), [key, window.start])
        row = cursor.fetchone()
    return row[0] if row else 0


def prune(now: float | None = None, longest_window: int = 3600) -> int:
    """Delete the counters whose window ended: kept rows are harmless, this only keeps
    the table at the size of the keys in use (an attacker's many addresses)."""
    now = time.time() if now is None else now
    return RateCounter.objects.filter(window__lt=now - longest_window).delete()[0]
