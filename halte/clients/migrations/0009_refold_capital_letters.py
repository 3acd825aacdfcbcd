"""fold() now lower-cases before it folds ø, æ, ł and ß, so that their capitals are
folded too: 'Østergaard' was indexed as 'stergaard', and a search for 'ostergaard'
missed it. The search columns of the clients whose terms change are recomputed (the
SQLite index's triggers keep the index in step)."""

from django.db import migrations

from halte.core.text import family_search_terms, search_terms

BATCH = 2000


def refold_names(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        last_id = 0
        while True:
            cursor.execute(
                "SELECT id, given_names, preferred_name, name_prefix, family_name,"
                " search_name, search_family FROM clients_client WHERE id > %s"
                " ORDER BY id LIMIT %s",
                [last_id, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            changed = []
            for pk, given, preferred, prefix, family, name, family_terms in rows:
                terms = search_terms(
                    given_names=given,
                    preferred_name=preferred,
                    name_prefix=prefix,
                    family_name=family,
                )
                family_now = family_search_terms(family, prefix)
                if (terms, family_now) != (name, family_terms):
                    changed.append((terms, family_now, pk))
            if changed:
                cursor.executemany(
                    "UPDATE clients_client SET search_name = %s, search_family = %s WHERE id = %s",
                    changed,
                )
            last_id = rows[-1][0]


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0008_message_preferences"),
    ]

    operations = [
        migrations.RunPython(refold_names, migrations.RunPython.noop),
    ]
