"""One entry per look at a list of clients, naming each client in AuditEntryClient;
partial indexes for the log page's action and outcome filters.

On PostgreSQL the new table refuses UPDATE and DELETE as the entries' table does
(0002's trigger on audit_auditentry stays as it is)."""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = """
CREATE OR REPLACE FUNCTION audit_entryclient_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditentryclient is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entryclient_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentryclient
    FOR EACH ROW EXECUTE FUNCTION audit_entryclient_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS audit_entryclient_append_only ON audit_auditentryclient;
DROP FUNCTION IF EXISTS audit_entryclient_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_entry_keyed_by_position"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEntryClient",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "entry",
                        "client_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="clients",
                        to="audit.auditentry",
                        verbose_name="audit entry",
                    ),
                ),
                ("client_id", models.BigIntegerField(verbose_name="client id")),
            ],
            options={
                "verbose_name": "client named in an audit entry",
                "verbose_name_plural": "clients named in audit entries",
                "indexes": [
                    models.Index(fields=["client_id", "-entry"], name="audit_entryclient_client")
                ],
            },
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                condition=models.Q(("outcome", "denied")),
                fields=["-seq"],
                name="audit_denied_seq",
            ),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                condition=models.Q(
                    models.Q(("action", "read"), _negated=True),
                    models.Q(("action", "search"), _negated=True),
                ),
                fields=["action", "-seq"],
                name="audit_rare_action_seq",
            ),
        ),
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD)),
    ]
