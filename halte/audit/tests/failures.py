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


# A trigger that refuses every new entry, in the database's own terms.
_REFUSE = {
    "sqlite": [
        "CREATE TRIGGER halte_test_audit_refused BEFORE INSERT ON {table}"
        " BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION halte_test_audit_refused() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$",
        "CREATE TRIGGER halte_test_audit_refused BEFORE INSERT ON {table}"
        " FOR EACH ROW EXECUTE FUNCTION halte_test_audit_refused()",
    ],
}
_ALLOW = {
    "sqlite": ["DROP TRIGGER IF EXISTS halte_test_audit_refused"],
    "postgresql": ["DROP FUNCTION IF EXISTS halte_test_audit_refused() CASCADE"],
}


@contextmanager
def audit_table_refuses_entries():
    """The database itself refuses every audit entry written in the block (a trigger
    raises), so that a write made in autocommit is seen committed or not. For tests
    with `django_db(transaction=True)`: the trigger is dropped when the block ends."""
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        for sql in _REFUSE[connection.vendor]:
            cursor.execute(sql.format(table=table))
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in _ALLOW[connection.vendor]:
                cursor.execute(sql)
