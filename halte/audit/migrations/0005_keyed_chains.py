"""Several keyed chains: each entry records its chain, its position there and the id
of the key its HMAC was made with. The entries already written become chain 1,
positions 1..n, with an empty key id: legacy plain SHA-256 entries, which the first
keyed entry of chain 1 seals (README "Audit log").

On PostgreSQL `seq` now comes from a sequence (writers on different chains take
numbers without a common lock), and a trigger keeps each chain head from moving
back or being removed, even by the application's own role."""

from django.db import migrations, models

BACKFILL_POSTGRESQL = """
ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only;
UPDATE audit_auditentry SET position = seq, chain = 1;
ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only;
"""
BACKFILL_SQLITE = "UPDATE audit_auditentry SET position = seq, chain = 1"

FORWARD_POSTGRESQL = """
CREATE SEQUENCE audit_entry_seq AS bigint OWNED BY audit_auditentry.seq;
SELECT setval('audit_entry_seq', COALESCE((SELECT max(seq) FROM audit_auditentry), 0) + 1, false);
CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit_auditchainhead: a chain head is never removed';
    END IF;
    IF NEW.id <> OLD.id OR NEW.position < OLD.position THEN
        RAISE EXCEPTION 'audit_auditchainhead: chain % may only move forward', OLD.id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_forward_only
    BEFORE UPDATE OR DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
"""
BACKWARD_POSTGRESQL = """
DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_auditchainhead;
DROP FUNCTION IF EXISTS audit_head_forward_only();
DROP SEQUENCE IF EXISTS audit_entry_seq;
"""


def _backfill(apps, schema_editor):
    sql = BACKFILL_POSTGRESQL if schema_editor.connection.vendor == "postgresql" else BACKFILL_SQLITE
    schema_editor.execute(sql, params=None)


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_entry_clients_and_filter_indexes")]

    operations = [
        migrations.RenameField(model_name="auditchainhead", old_name="seq", new_name="position"),
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="position",
            field=models.BigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        migrations.RunPython(_on_postgresql(FORWARD_POSTGRESQL), _on_postgresql(BACKWARD_POSTGRESQL)),
    ]
