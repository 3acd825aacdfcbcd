"""The name search index: FTS5 (with its term list for typo matching) on SQLite,
a pg_trgm GIN index on PostgreSQL. Both index the folded Client.search_name."""

from django.db import migrations

from halte.clients.search_index import drop_sqlite_search_index, ensure_sqlite_search_index

POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE INDEX clients_client_search_trgm ON clients_client "
    "USING gin (search_name gin_trgm_ops)",
]
POSTGRESQL_BACKWARD = ["DROP INDEX IF EXISTS clients_client_search_trgm"]


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        for statement in POSTGRESQL_FORWARD:
            schema_editor.execute(statement, params=None)
    ensure_sqlite_search_index(connection)


def backward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        for statement in POSTGRESQL_BACKWARD:
            schema_editor.execute(statement, params=None)
    drop_sqlite_search_index(connection)


class Migration(migrations.Migration):
    dependencies = [("clients", "0002_initial")]

    operations = [migrations.RunPython(forward, backward)]
