"""The name search index: FTS5 (with its term list for typo matching) on SQLite,
a pg_trgm GIN index on PostgreSQL. Both index the folded Client.search_name."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE clients_client_fts USING fts5(
        search_name, content='clients_client', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2", prefix='2 3')""",
    "CREATE VIRTUAL TABLE clients_client_fts_vocab USING fts5vocab(clients_client_fts, row)",
    """CREATE TRIGGER clients_client_fts_insert AFTER INSERT ON clients_client BEGIN
        INSERT INTO clients_client_fts(rowid, search_name) VALUES (new.id, new.search_name);
    END""",
    """CREATE TRIGGER clients_client_fts_delete AFTER DELETE ON clients_client BEGIN
        INSERT INTO clients_client_fts(clients_client_fts, rowid, search_name)
        VALUES ('delete', old.id, old.search_name);
    END""",
    """CREATE TRIGGER clients_client_fts_update AFTER UPDATE OF search_name ON clients_client
    BEGIN
        INSERT INTO clients_client_fts(clients_client_fts, rowid, search_name)
        VALUES ('delete', old.id, old.search_name);
        INSERT INTO clients_client_fts(rowid, search_name) VALUES (new.id, new.search_name);
    END""",
    "INSERT INTO clients_client_fts(clients_client_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS clients_client_fts_update",
    "DROP TRIGGER IF EXISTS clients_client_fts_delete",
    "DROP TRIGGER IF EXISTS clients_client_fts_insert",
    "DROP TABLE IF EXISTS clients_client_fts_vocab",
    "DROP TABLE IF EXISTS clients_client_fts",
]
POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE INDEX clients_client_search_trgm ON clients_client "
    "USING gin (search_name gin_trgm_ops)",
]
POSTGRESQL_BACKWARD = ["DROP INDEX IF EXISTS clients_client_search_trgm"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("clients", "0002_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        )
    ]
