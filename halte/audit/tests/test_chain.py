import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction

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
    append_only = r"^The audit log is append-only\.$"
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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's column type")
def test_the_sequence_is_a_bigint_on_postgresql(db):
    # Not INTEGER, as on SQLite: PostgreSQL's integer ends at 2^31 entries.
    assert AuditEntry._meta.get_field("seq").db_type(connection) == "bigint"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT data_type FROM information_schema.columns"
            " WHERE table_name = 'audit_auditentry' AND column_name = 'seq'"
        )
        assert cursor.fetchone() == ("bigint",)


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


def test_a_new_row_with_an_existing_entrys_number_does_not_overwrite_it(three_entries):
    """Saved through the app, a new instance whose seq is taken is an insert that
    fails, not Django's update of the row with that key (SQLite has no trigger)."""
    first = three_entries[0]
    forged = AuditEntry(**{f.attname: getattr(first, f.attname) for f in AuditEntry._meta.fields})
    forged.part = "something else"
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    assert AuditEntry.objects.get(seq=first.seq).part == "card"
    assert verify_chain().problem is None


def test_the_keyed_hash_is_an_hmac_over_canonical_json_a_verifier_can_rebuild():
    """The format an outside verifier (or a later release) recomputes: HMAC-SHA256 under
    the chain key over compact JSON with sorted keys, `at` to the microsecond, and the
    clients named, sorted, as `client_ids`."""
    import datetime
    import hashlib
    import hmac
    import secrets

    key = secrets.token_hex(32)  # a key this process has not used yet
    values = {
        "at": datetime.datetime(2026, 11, 30, 9, 5, 7, 12, tzinfo=datetime.UTC),
        "part": "promises",
        "seq": 12,
        "user_id": None,
    }
    canonical = (
        b'{"at":"2026-11-30T09:05:07.000012+00:00","client_ids":[3,5,8],"part":"promises",'
        b'"seq":12,"user_id":null}'
    )
    mac = chain_mac("k", {"k": key})
    assert keyed_hash(mac, values, [8, 3, 5]) == (
        hmac.new(key.encode(), canonical, hashlib.sha256).hexdigest()
    )
    assert keyed_hash(chain_mac("k", {"k": key}), values, [8, 3, 5]) == (
        hmac.new(key.encode(), canonical, hashlib.sha256).hexdigest()
    )
    assert entry_hash(values, [5, 8, 3]) == hashlib.sha256(canonical).hexdigest()
    without_clients = canonical.replace(b'"client_ids":[3,5,8],', b"")
    assert entry_hash(values) == hashlib.sha256(without_clients).hexdigest()


def test_an_unknown_chain_key_is_named():
    from halte.audit.models import UnknownKey

    with pytest.raises(UnknownKey) as refused:
        chain_mac("2027", {"1": "k" * 32})
    assert refused.value.args == ("2027",)


def test_it_verifies_with_the_keys_given_rather_than_the_settings(three_entries, settings):
    keys = dict(settings.AUDIT_CHAIN_KEYS)
    settings.AUDIT_CHAIN_KEYS = {"1": "another key " * 4}
    assert verify_chain().problem.endswith("(its hash does not match)")
    assert verify_chain(keys=keys).problem is None
    assert verify_chain(keys={"1": "another key " * 4}).problem.endswith(
        "(its hash does not match)"
    )


@pytest.mark.parametrize(
    ("action", "outcome"), [("peek", Outcome.SUCCESS), (Action.READ, "maybe"), ("peek", "maybe")]
)
def test_it_refuses_an_action_or_outcome_the_log_cannot_name(actor, action, outcome):
    with pytest.raises(ValueError, match=r"^Unknown audit action .+ or outcome .+\.$"):
        audit_record(actor, action=action, part="card", client_id=1, outcome=outcome)
    assert not AuditEntry.objects.exists()


def test_it_records_a_refusal_and_a_process_without_a_user(actor):
    audit_record(actor, action=Action.READ, part="card", client_id=1, outcome=Outcome.DENIED)
    audit_record(Actor.system("telephony"), action=Action.CREATE, part="card", client_id=1)
    refused, by_process = AuditEntry.objects.order_by("seq")
    assert (refused.outcome, refused.user_id) == (Outcome.DENIED, actor.user.pk)
    assert (by_process.user_id, by_process.username) == (None, "telephony")
    assert verify_chain().problem is None


@pytest.mark.parametrize("several", [False, True])
def test_a_failed_append_fails_the_callers_change_even_when_the_caller_goes_on(
    actor, settings, several
):
    """No change without its entry: an append that fails (here a chain key id that is
    not configured) marks the caller's transaction for rollback, also when the caller
    catches the error and carries on."""
    from django.contrib.auth.models import Group

    from halte.audit.models import UnknownKey
    from halte.audit.services import audit_record_listing

    settings.AUDIT_CHAIN_KEY_ID = "missing"
    with transaction.atomic():
        Group.objects.create(name="the change")
        try:
            if several:
                audit_record_listing(actor, action=Action.READ, part="card", client_ids=[1, 2])
            else:
                audit_record(actor, action=Action.UPDATE, part="card", client_id=1)
        except UnknownKey:
            pass
        assert connection.needs_rollback
    assert not Group.objects.filter(name="the change").exists()
    assert not AuditEntry.objects.exists()


def test_verify_audit_names_each_chains_end_or_an_empty_log(actor, settings, capsys):
    settings.AUDIT_ANCHOR_FILE = ""
    call_command("verify_audit")
    assert "chains empty," in capsys.readouterr().out
    settings.AUDIT_CHAINS = 2
    for n in range(3):
        connection.halte_audit_chain = 1 + n % 2
        audit_record(actor, action=Action.READ, part="card", client_id=n)
    call_command("verify_audit")
    assert "entries verified (0 from before the chain was keyed), chains 1: 2, 2: 1," in (
        capsys.readouterr().out
    )


def test_clients_of_entries_named_in_turn_are_each_entrys_own(actor):
    """Two listings whose clients interleave (3, 9 and 5): each entry's hash covers its
    own clients, read entry by entry."""
    from halte.audit.services import audit_record_listing

    audit_record_listing(actor, action=Action.READ, part="card", client_ids=[9, 3])
    audit_record_listing(actor, action=Action.READ, part="card", client_ids=[5])
    report = verify_chain()
    assert (report.problem, report.checked) == (None, 2)
