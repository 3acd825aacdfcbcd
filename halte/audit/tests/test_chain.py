import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from halte.audit.context import Actor
from halte.audit.models import GENESIS_HASH, Action, AuditEntry, Outcome
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
    assert (first.seq, second.seq, third.seq) == (1, 2, 3)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash


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
    assert "3 entries verified" in capsys.readouterr().out


def test_it_refuses_changes_through_the_app(three_entries):
    entry = three_entries[0]
    entry.part = "something else"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(part="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


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
    _tamper("UPDATE audit_auditentry SET part = %s WHERE seq = 2", ["nothing"])
    assert verify_chain().problem == "entry 2 was changed after it was written"
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("verify_audit")


def test_it_detects_a_removed_entry(three_entries):
    _tamper("DELETE FROM audit_auditentry WHERE seq = %s", [2])
    assert verify_chain().problem == "entry 2 is missing (next is 3)"


def test_it_detects_a_removed_last_entry(three_entries):
    _tamper("DELETE FROM audit_auditentry WHERE seq = %s", [3])
    assert verify_chain().problem == "the log ends at entry 2, but 3 were written"


def test_it_detects_a_rewritten_entry_with_a_fresh_hash(three_entries):
    # Recomputing the hash of a changed entry does not help: the next entry still
    # points at the old hash.
    entry = AuditEntry.objects.get(seq=2)
    entry.part = "nothing"
    _tamper(
        "UPDATE audit_auditentry SET part = %s, hash = %s WHERE seq = 2",
        ["nothing", entry.compute_hash()],
    )
    assert verify_chain().problem == "entry 3 does not follow entry 2"


def test_it_leaves_no_entry_when_the_change_is_rolled_back(actor):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor, action=Action.UPDATE, part="card", client_id=1)
        raise RuntimeError("the change failed")
    assert AuditEntry.objects.count() == 0
    assert verify_chain().problem is None
