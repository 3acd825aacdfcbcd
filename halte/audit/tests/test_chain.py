import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from halte.audit.context import Actor
from halte.audit.models import (
    GENESIS_HASH,
    HASHED_FIELDS,
    Action,
    AuditEntry,
    Outcome,
    chain_mac,
    entry_hash,
    keyed_hash,
)
from halte.audit.queries import verify_chain
from halte.audit.services import audit_record


@pytest.fixture
def actor(personas):
    return Actor(personas["nurse_noord"], source_ip="192.0.2.10")


@pytest.fixture
def three_entries(actor):
    audit_record(actor, action=Action.READ, part="card", client_id=7)
    audit_record(actor, action=Action.UPDATE, part="phones", client_id=7)
    audit_record(actor, action=Action.SEARCH, part="search:name", outcome=Outcome.SUCCESS)
    return list(AuditEntry.objects.order_by("seq"))


def _raw_sql(sql, params=()):
    """Tampering as someone with database access would: outside the app's models."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_it_links_each_entry_to_the_previous_one(three_entries):
    first, second, third = three_entries
    # One writer at a time keeps to one chain, position after position.
    assert [(e.chain, e.position) for e in three_entries] == [(1, 1), (1, 2), (1, 3)]
    assert first.seq < second.seq < third.seq
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash


def test_it_keys_each_hash_with_the_chain_key(three_entries, settings):
    entry = three_entries[1]
    assert entry.key_id == settings.AUDIT_CHAIN_KEY_ID == "1"
    values = {name: getattr(entry, name) for name in HASHED_FIELDS}
    assert entry.hash == keyed_hash(chain_mac("1"), values)
    # Not a hash anyone can compute: neither the plain one nor one under another key.
    assert entry.hash != entry_hash(values)
    assert entry.hash != keyed_hash(chain_mac("1", {"1": "another key " * 4}), values)


def test_it_records_who_where_and_why(three_entries, personas):
    entry = three_entries[0]
    assert entry.user_id == personas["nurse_noord"].pk
    assert entry.username == "nurse_noord"
    assert entry.role == "care_professional"
    assert entry.source_ip == "192.0.2.10"
    assert entry.purpose == "care"
    assert entry.outcome == "success"


def test_it_verifies_an_intact_chain(three_entries, capsys):
    assert verify_chain().problem is None
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "3 entries verified (0 from before the chain was keyed), chains 1: 3" in out
    assert "Anchors not checked" in out


def test_it_refuses_changes_through_the_app(three_entries):
    entry = three_entries[0]
    entry.part = "something else"
    append_only = "The audit log is append-only."
    with pytest.raises(PermissionError, match=append_only):
        entry.save()
    with pytest.raises(PermissionError, match=append_only):
        entry.delete()
    with pytest.raises(PermissionError, match=append_only):
        AuditEntry.objects.filter(pk=entry.pk).update(part="x")
    with pytest.raises(PermissionError, match=append_only):
        AuditEntry.objects.all().delete()


def test_a_row_is_added_through_the_app_once(three_entries):
    from halte.audit.models import AuditEntryClient

    named = AuditEntryClient(entry=three_entries[0], client_id=42)
    named.save()
    assert AuditEntryClient.objects.filter(entry=three_entries[0], client_id=42).exists()
    with pytest.raises(PermissionError) as refused:
        named.save()
    assert str(refused.value) == "The audit log is append-only."


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's rowid")
def test_the_sequence_is_sqlites_rowid(db):
    # Declared INTEGER, the primary key is the table's rowid: no second counter.
    assert AuditEntry._meta.get_field("seq").db_type(connection) == "integer"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA table_info(audit_auditentry)")
        assert ("seq", "integer") in [(row[1], row[2].lower()) for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_it_refuses_changes_in_the_database_on_postgresql(three_entries):
    for sql in ("UPDATE audit_auditentry SET part = 'x'", "DELETE FROM audit_auditentry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw_sql(sql)
    assert AuditEntry.objects.count() == 3


def _tamper(sql, params):
    """Change the table behind the trigger's back, as a database superuser could."""
    if connection.vendor == "postgresql":
        _raw_sql("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        _raw_sql(sql, params)
        _raw_sql("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
    else:
        _raw_sql(sql, params)


def test_it_detects_a_changed_entry(three_entries):
    seq = three_entries[1].seq
    _tamper("UPDATE audit_auditentry SET part = %s WHERE seq = %s", ["nothing", seq])
    assert verify_chain().problem == (
        f"chain 1, position 2 (entry {seq}) was changed after it was written"
        " (its hash does not match)"
    )
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("verify_audit")


def test_it_detects_a_removed_entry(three_entries):
    _tamper("DELETE FROM audit_auditentry WHERE seq = %s", [three_entries[1].seq])
    assert verify_chain().problem == (
        f"chain 1, position 2 is missing (the next is entry {three_entries[2].seq} at position 3)"
    )


def test_it_detects_a_removed_last_entry(three_entries):
    _tamper("DELETE FROM audit_auditentry WHERE seq = %s", [three_entries[2].seq])
    assert verify_chain().problem == "chain 1 ends at position 2, but its head says 3"


def test_it_detects_a_rewritten_entry_with_a_fresh_hash(three_entries):
    # Recomputing the hash of a changed entry, even with the key, does not help: the
    # next entry still points at the old hash.
    entry = AuditEntry.objects.get(seq=three_entries[1].seq)
    entry.part = "nothing"
    _tamper(
        "UPDATE audit_auditentry SET part = %s, hash = %s WHERE seq = %s",
        ["nothing", entry.compute_hash(), entry.seq],
    )
    assert verify_chain().problem == (
        f"chain 1, position 3 (entry {three_entries[2].seq}) does not follow position 2"
        " of its chain"
    )


def test_it_leaves_no_entry_when_the_change_is_rolled_back(actor):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor, action=Action.UPDATE, part="card", client_id=1)
        raise RuntimeError("the change failed")
    assert AuditEntry.objects.count() == 0
    assert verify_chain().problem is None


def test_verify_audit_says_what_it_checked(three_entries, settings, capsys):
    settings.AUDIT_ANCHOR_FILE = ""
    call_command("verify_audit")
    assert capsys.readouterr().out == (
        "Anchors not checked (no anchor file configured).\n"
        "Audit log intact: 3 entries verified (0 from before the chain was keyed), chains 1: 3,"
        " 0 anchored heads found in their chains.\n"
    )


def test_verify_audit_names_where_the_log_breaks(three_entries, settings):
    from halte.audit.tests.tampering import tamper

    settings.AUDIT_ANCHOR_FILE = ""
    tamper("UPDATE audit_auditentry SET part = 'x' WHERE seq = %s", [three_entries[1].seq])
    with pytest.raises(CommandError) as refused:
        call_command("verify_audit", "--no-anchors")
    assert str(refused.value) == (
        f"Audit log NOT intact after 1 entries: chain 1, position 2 (entry"
        f" {three_entries[1].seq}) was changed after it was written (its hash does not match)."
    )
    with pytest.raises(CommandError) as refused:
        call_command("verify_audit", "--no-anchors", "--anchors-only")
    assert str(refused.value) == "No anchor file: give --anchor-file or set AUDIT_ANCHOR_FILE."
