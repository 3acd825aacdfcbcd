"""The PostgreSQL privileges of the application's own database role.

Migrations run as the owner of the tables; the application (gunicorn, the worker,
the scheduler) connects as a role that owns nothing. On the audit tables that role
may only add and read rows (and move the chain heads forward, which a trigger
enforces): it cannot UPDATE, DELETE or TRUNCATE an entry, and, not being the owner,
cannot ALTER TABLE ... DISABLE TRIGGER or drop the tables. Elsewhere it reads and
writes as the application needs.

Run after every `migrate` (new tables need their grants): `manage.py audit_grants
--role halte_app --execute`, as the owner.
"""

from django.db import connection

from halte.audit.models import AuditChainHead, AuditEntry, AuditEntryClient

ENTRY_TABLES = (AuditEntry._meta.db_table, AuditEntryClient._meta.db_table)
HEAD_TABLE = AuditChainHead._meta.db_table
ENTRY_SEQUENCE = "audit_entry_seq"


def grant_statements(role: str) -> list[str]:
    """The statements, in order, for `role` (a PostgreSQL role that already exists)."""
    quote = connection.ops.quote_name
    role = quote(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = quote(cursor.fetchone()[0])
    audit = ", ".join(quote(table) for table in ENTRY_TABLES)
    head = quote(HEAD_TABLE)
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        # The application's own tables: what its requests and tasks do.
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        # The audit log: add and read, nothing else.
        f"REVOKE ALL ON {audit}, {head} FROM {role}",
        f"GRANT SELECT, INSERT ON {audit} TO {role}",
        # The heads: created on first use, moved forward on each append (the
        # audit_head_forward_only trigger refuses moving one back or removing it).
        f"GRANT SELECT, INSERT, UPDATE ON {head} TO {role}",
        f"REVOKE ALL ON SEQUENCE {quote(ENTRY_SEQUENCE)} FROM {role}",
        f"GRANT USAGE ON SEQUENCE {quote(ENTRY_SEQUENCE)} TO {role}",
    ]
