"""Search ranks a hit on the family name first: the folded family name gets a column of
its own (search_family), and search_name now also holds names written with a hyphen,
apostrophe or space run together ('oneill', 'elamrani'). Both are recomputed for
every client, then the SQLite index is rebuilt (adding the column rebuilt the table,
which drops the index's triggers) or, where the triggers kept it, merged."""

from django.db import migrations, models

from halte.clients.search_index import (
    ensure_sqlite_search_index,
    optimize_sqlite_search_index,
)
from halte.core.text import family_search_terms, search_terms

BATCH = 2000


def refold_names(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        last_id = 0
        while True:
            cursor.execute(
                "SELECT id, given_names, preferred_name, name_prefix, family_name "
                "FROM clients_client WHERE id > %s ORDER BY id LIMIT %s",
                [last_id, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            cursor.executemany(
                "UPDATE clients_client SET search_name = %s, search_family = %s WHERE id = %s",
                [
                    (
                        search_terms(
                            given_names=given,
                            preferred_name=preferred,
                            name_prefix=prefix,
                            family_name=family,
                        ),
                        family_search_terms(family, prefix),
                        pk,
                    )
                    for pk, given, preferred, prefix, family in rows
                ],
            )
            last_id = rows[-1][0]
    # Rebuilt when adding the column dropped the triggers; else the triggers kept it
    # in step, one segment per client, which a merge puts back together.
    if not ensure_sqlite_search_index(connection):
        optimize_sqlite_search_index(connection)


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0006_phone_client_relation_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='client',
            name='search_family',
            field=models.CharField(default='', editable=False, max_length=300),
        ),
        migrations.RunPython(refold_names, migrations.RunPython.noop),
    ]
