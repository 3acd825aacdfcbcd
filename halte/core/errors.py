"""Domain errors that pages and the API turn into their own responses."""

from django.db import OperationalError

# A busy database (halte.core.busy): the caller may try again after this many seconds.
RETRY_AFTER_SECONDS = 5
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
_POSTGRES_BUSY = {"55P03", "40001", "40P01"}  # lock not available, serialization, deadlock


class Conflict(Exception):
    """The record changed since the caller read it (stale version), or the action
    no longer fits its state."""


def is_database_busy(error: BaseException) -> bool:
    """The database refused a write for now (a lock held too long): nothing was written."""
    if not isinstance(error, OperationalError):
        return False
    if getattr(error.__cause__, "sqlstate", None) in _POSTGRES_BUSY:
        return True
    return any(text in str(error) for text in _SQLITE_BUSY)
