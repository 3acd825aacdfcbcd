"""A failing audit write, for the tests that prove a service stores nothing without its
audit entry (its transaction undoes every earlier step)."""

from contextlib import contextmanager

from django.db import OperationalError, connection

from halte.audit.models import AuditEntry


@contextmanager
def audit_write_fails(*, at_entry: int = 1):
    """The `at_entry`-th audit entry written in the block fails in the database (a full
    disk, a lost connection), as the database would: the statement raises and is not
    run. Raises OperationalError out of the service under test."""
    table = AuditEntry._meta.db_table
    written = 0

    def fail(execute, sql, params, many, context):
        nonlocal written
        if sql.lstrip().upper().startswith("INSERT") and table in sql:
            written += 1
            if written == at_entry:
                raise OperationalError("disk I/O error")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail):
        yield
