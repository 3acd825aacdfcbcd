"""The SQLite name-search index (FTS5) and the triggers that keep it in step.

Django's SQLite schema editor rebuilds a table to alter it (new table, copy, drop,
rename), and dropping the old table drops its triggers. So the triggers are not
only made by a migration: after every `migrate` they are ensured again, and the
index rebuilt when they had gone missing.
"""

TABLE = "clients_client_fts"
TRIGGERS = {
    "clients_client_fts_insert": """
        CREATE TRIGGER clients_client_fts_insert AFTER INSERT ON clients_client BEGIN
            INSERT INTO clients_client_fts(rowid, search_name) VALUES (new.id, new.search_name);
        END""",
    "clients_client_fts_delete": """
        CREATE TRIGGER clients_client_fts_delete AFTER DELETE ON clients_client BEGIN
            INSERT INTO clients_client_fts(clients_client_fts, rowid, search_name)
            VALUES ('delete', old.id, old.search_name);
        END""",
    "clients_client_fts_update": """
        CREATE TRIGGER clients_client_fts_update AFTER UPDATE OF search_name ON clients_client
        BEGIN
            INSERT INTO clients_client_fts(clients_client_fts, rowid, search_name)
            VALUES ('delete', old.id, old.search_name);
            INSERT INTO clients_client_fts(rowid, search_name) VALUES (new.id, new.search_name);
        END""",
}
CREATE_TABLES = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(
        search_name, content='clients_client', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2", prefix='2 3')""",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE}_vocab USING fts5vocab({TABLE}, row)",
]


def ensure_sqlite_search_index(connection) -> bool:
    """Create what is missing; rebuild the index if any trigger was. Returns whether
    anything had to be repaired."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE])
        had_table = cursor.fetchone() is not None
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'clients_client'"
        )
        present = {row[0] for row in cursor.fetchall()}
        missing = [name for name in TRIGGERS if name not in present]
        if had_table and not missing:
            return False
        for statement in CREATE_TABLES:
            cursor.execute(statement)
        for name in missing:
            cursor.execute(TRIGGERS[name])
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")  # noqa: S608 - a constant
    return True


def optimize_sqlite_search_index(connection) -> None:
    """Merge the index into one segment after a bulk change: every update through the
    triggers adds a segment, and 100,000 of them slowed a name search by a third."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")  # noqa: S608 - a constant


def drop_sqlite_search_index(connection) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}_vocab")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
