"""The attacks that passed `verify_audit` while the chain was a plain SHA-256 under one
head, each made here with database access alone: every one must now be named."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from halte.audit import anchors
from halte.audit.context import Actor
from halte.audit.models import Action, AuditEntry, chain_mac, keyed_hash
from halte.audit.queries import verify_chain
from halte.audit.services import audit_record
from halte.audit.tests.tampering import (
    chain_entries,
    head,
    legacy_sha256,
    move_head,
    plain_sha256,
    rewrite_chain,
    tamper,
)

CHANGED = "chain 1, position {p} (entry {seq}) was changed after it was written"


@pytest.fixture
def actor(personas):
    return Actor(personas["nurse_noord"], source_ip="192.0.2.10")


@pytest.fixture
def five(actor):
    for client_id in range(1, 6):
        audit_record(actor, action=Action.READ, part="card", client_id=client_id)
    return chain_entries(1)


@pytest.fixture
def anchor_file(tmp_path, settings):
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    return settings.AUDIT_ANCHOR_FILE


def _changed(entry) -> str:
    return CHANGED.format(p=entry.position, seq=entry.seq) + " (its hash does not match)"


def test_an_entry_rewritten_with_the_plain_chain_recomputed_is_named(five):
    rewrite_chain(1, 2, {"part": "nothing"}, plain_sha256)
    assert verify_chain().problem == _changed(five[1])
    with pytest.raises(CommandError, match="NOT intact after 1 entries"):
        call_command("verify_audit")


def test_an_entry_rewritten_as_one_from_before_the_key_is_named(five):
    # Passing the rest off as unkeyed legacy entries: they may only precede the key.
    rewrite_chain(1, 2, {"part": "nothing"}, legacy_sha256, every={"key_id": ""})
    assert verify_chain().problem == (
        f"chain 1, position 2 (entry {five[1].seq}) has no key, yet it is not among the"
        " entries from before the key"
    )


def test_the_whole_chain_rewritten_as_entries_from_before_the_key_is_named(five):
    # Where position and seq agree (SQLite; PostgreSQL's sequence when this test runs
    # first), the attack would otherwise pass entry by entry: no keyed entry seals them.
    rewrite_chain(1, 1, {"part": "nothing"}, legacy_sha256, every={"key_id": ""})
    problem = verify_chain().problem
    if all(entry.position == entry.seq for entry in five):
        assert problem == (
            "chain 1 holds 5 entries from before the chain was keyed and no keyed entry"
            " after them to seal them (the next audited action does)"
        )
    else:
        assert "has no key, yet it is not among the entries from before the key" in problem


def test_an_entry_rewritten_under_another_key_is_named(five):
    rewrite_chain(1, 3, {"part": "x"}, lambda e: e.compute_hash(keys={"1": "guess" * 8}))
    assert verify_chain().problem == _changed(five[2])


def test_a_middle_entry_deleted_with_the_link_mended_is_named(five):
    # Entry 3 gone, entry 4 made to follow entry 2, hashes recomputed as before.
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [five[2].seq])
    tamper("UPDATE audit_auditentry SET position = position - 1 WHERE chain = 1 AND position > 3")
    rewrite_chain(1, 3, {}, plain_sha256)
    move_head(1, 4, head()[1])
    assert verify_chain().problem == _changed(AuditEntry.objects.get(seq=five[3].seq))


def test_a_middle_entry_deleted_is_named(five):
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [five[2].seq])
    assert verify_chain().problem == (
        f"chain 1, position 3 is missing (the next is entry {five[3].seq} at position 4)"
    )


def test_the_newest_entries_cut_off_and_the_head_moved_back_are_named_by_the_anchor(
    five, anchor_file, capsys
):
    call_command("anchor_audit")
    assert "Anchor line 1 written" in capsys.readouterr().out
    tamper("DELETE FROM audit_auditentry WHERE position > 3")
    move_head(1, 3, five[2].hash)
    # The chain that is left is whole: only the anchor knows it was longer.
    assert verify_chain().problem is None
    assert verify_chain(anchors=_anchors(anchor_file)).problem.startswith(
        "chain 1 was cut back: it ends at position 3, but anchor line 1 ("
    )
    with pytest.raises(CommandError, match="chain 1 was cut back"):
        call_command("verify_audit")


def test_a_chain_rewritten_with_the_key_is_named_by_the_anchor(five, anchor_file, settings):
    # Someone holding the chain key could mend the HMACs, but not the anchor line.
    anchors.append_anchor(anchor_file)
    rewrite_chain(1, 4, {"part": "nothing"}, lambda e: e.compute_hash())
    assert verify_chain().problem is None
    changed = AuditEntry.objects.get(seq=five[4].seq)
    assert verify_chain(anchors=_anchors(anchor_file)).problem == (
        f"chain 1, position 5 (entry {changed.seq}) is not the entry anchor line 1 holds there"
    )


def test_an_entry_moved_to_another_chain_is_named(actor, settings):
    settings.AUDIT_CHAINS = 2
    for n in range(6):
        connection.halte_audit_chain = 1 + n % 2  # the writer's chain of choice
        audit_record(actor, action=Action.READ, part="card", client_id=n)
    assert [e.position for e in chain_entries(2)] == [1, 2, 3]
    assert verify_chain().problem is None
    # The last entry of chain 2 relabelled as the next of chain 1, linked, heads moved.
    moved = chain_entries(2)[-1]
    position, hash_ = head(1)
    tamper(
        "UPDATE audit_auditentry SET chain = 1, position = %s, prev_hash = %s WHERE seq = %s",
        [position + 1, hash_, moved.seq],
    )
    move_head(1, position + 1, moved.hash)
    move_head(2, 2, chain_entries(2)[-1].hash)
    assert verify_chain().problem == CHANGED.format(p=4, seq=moved.seq) + (
        " (its hash does not match)"
    )


def test_a_head_moved_without_its_entries_is_named(five):
    move_head(1, 7, "f" * 64)
    assert verify_chain().problem == "chain 1 ends at position 5, but its head says 7"
    move_head(1, 5, "f" * 64)
    assert verify_chain().problem == (
        "chain 1 ends at position 5, but its head says 5 with another hash"
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_a_head_cannot_move_back_or_go_on_postgresql(five):
    from django.db import DatabaseError, transaction

    for sql in (
        "UPDATE audit_auditchainhead SET position = 3 WHERE id = 1",
        "DELETE FROM audit_auditchainhead",
    ):
        with (
            pytest.raises(DatabaseError, match="audit_auditchainhead"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert head()[0] == 5


def test_entries_under_an_old_key_verify_after_rotation(five, actor, settings):
    old_key = settings.AUDIT_CHAIN_KEYS["1"]
    settings.AUDIT_CHAIN_KEY_ID = "2026b"
    settings.AUDIT_CHAIN_KEYS = {"1": old_key, "2026b": "a new key of forty characters, random!"}
    audit_record(actor, action=Action.READ, part="card", client_id=9)
    entries = chain_entries(1)
    assert [e.key_id for e in entries] == ["1"] * 5 + ["2026b"]
    assert verify_chain().problem is None
    # An entry names its key: without the old key its entries cannot be checked.
    settings.AUDIT_CHAIN_KEYS = {"2026b": settings.AUDIT_CHAIN_KEYS["2026b"]}
    assert verify_chain().problem == (
        f"chain 1, position 1 (entry {entries[0].seq}) names chain key '1', which is not configured"
    )


def _legacy_entries(actor, count):
    """Entries as written before the chain was keyed, as migration 0005 left them."""
    prev_hash = "0" * 64
    for position in range(1, count + 1):
        entry = AuditEntry(
            seq=position,
            position=position,
            chain=1,
            key_id="",
            at=actor_time(),
            user_id=41,
            username="kcc",
            role="front_office",
            action="read",
            part="card",
            outcome="success",
            purpose="contact",
            client_id=position,
            prev_hash=prev_hash,
        )
        entry.hash = prev_hash = legacy_sha256(entry)
        entry.save()
    from halte.audit.models import AuditChainHead

    AuditChainHead.objects.create(pk=1, position=count, hash=prev_hash)


def actor_time():
    from django.utils import timezone

    return timezone.now()


def test_entries_from_before_the_key_verify_once_a_keyed_entry_seals_them(actor):
    _legacy_entries(actor, 3)
    assert "no keyed entry after them" in verify_chain().problem
    audit_record(actor, action=Action.READ, part="card", client_id=9)
    report = verify_chain()
    assert report.problem is None
    assert (report.checked, report.legacy, report.chains[1][0]) == (4, 3, 4)


def test_an_entry_from_before_the_key_rewritten_is_named_by_the_keyed_one_after(actor):
    _legacy_entries(actor, 3)
    audit_record(actor, action=Action.READ, part="card", client_id=9)
    keyed = chain_entries(1)[-1]
    new_hash = rewrite_chain(1, 2, {"part": "nothing"}, legacy_sha256, last=3)
    assert verify_chain().problem == (
        f"chain 1, position 4 (entry {keyed.seq}) does not follow position 3 of its chain"
    )
    # Nor can the keyed entry's link be mended: its HMAC covers it.
    tamper("UPDATE audit_auditentry SET prev_hash = %s WHERE seq = %s", [new_hash, keyed.seq])
    assert verify_chain().problem == _changed(keyed)


def _anchors(path):
    return anchors.read_anchors(path, anchors.public_keys())


def test_the_keyed_hash_covers_chain_position_and_key(five):
    entry = five[0]
    values = {name: getattr(entry, name) for name in ("chain", "position", "key_id")}
    assert values == {"chain": 1, "position": 1, "key_id": "1"}
    from halte.audit.models import HASHED_FIELDS

    fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
    for name, other in (("chain", 2), ("position", 9), ("key_id", "2")):
        assert keyed_hash(chain_mac("1"), {**fields, name: other}) != entry.hash


# What verify_chain reports, and the rows with no database constraint to keep them
# right: positions (no unique index: the chain is the proof) and the clients a
# several-client entry names (no foreign key).


def test_an_intact_chain_reports_every_entry_and_its_end(five):
    report = verify_chain()
    assert (report.problem, report.checked, report.legacy) == (None, 5, 0)
    assert report.chains == {1: (5, five[-1].hash)}
    assert report.anchors_checked == 0


def test_a_position_taken_twice_is_named(five):
    tamper("UPDATE audit_auditentry SET position = 2 WHERE seq = %s", [five[2].seq])
    assert verify_chain().problem == (
        f"chain 1, position 2 (entry {five[2].seq}): the chain already has position 2"
    )


def test_a_chain_without_its_head_is_named(five):
    tamper("DELETE FROM audit_auditchainhead WHERE id = 1")
    assert verify_chain().problem == "chain 1 has entries but no head"


def _listing(actor, client_ids):
    from halte.audit.services import audit_record_listing

    audit_record_listing(actor, action=Action.READ, part="search:name", client_ids=client_ids)
    return chain_entries(1)[-1]


def test_a_listing_verifies_with_the_clients_it_names(actor):
    listing = _listing(actor, [7, 3, 5])
    audit_record(actor, action=Action.READ, part="card", client_id=1)
    assert verify_chain(chunk_size=1).problem is None
    # One client fewer: the entry's hash covers the ids.
    tamper(
        "DELETE FROM audit_auditentryclient WHERE entry_id = %s AND client_id = 5", [listing.seq]
    )
    assert verify_chain().problem == _changed(listing)


@pytest.mark.parametrize("where", ["middle", "end"])
def test_clients_named_for_a_removed_entry_are_named(actor, where):
    audit_record(actor, action=Action.READ, part="card", client_id=1)
    listing = _listing(actor, [3, 4])
    if where == "middle":
        audit_record(actor, action=Action.READ, part="card", client_id=2)
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [listing.seq])
    assert verify_chain().problem == (
        f"clients are named for entry {listing.seq}, which is not in the log"
    )


def test_every_anchored_head_is_compared_once(five, anchor_file, actor, settings):
    settings.AUDIT_CHAINS = 2  # chain 2 is anchored at position 0: nothing to compare
    anchors.append_anchor(anchor_file)
    anchors.append_anchor(anchor_file)  # the same heads again
    audit_record(actor, action=Action.READ, part="card", client_id=6)
    anchors.append_anchor(anchor_file)
    report = verify_chain(anchors=_anchors(anchor_file))
    assert (report.problem, report.anchors_checked) == (None, 2)


def test_an_anchor_names_its_first_line_holding_a_changed_entry(five, anchor_file):
    anchors.append_anchor(anchor_file)
    anchors.append_anchor(anchor_file)
    rewrite_chain(1, 5, {"part": "nothing"}, lambda e: e.compute_hash())
    assert verify_chain(anchors=_anchors(anchor_file)).problem == (
        f"chain 1, position 5 (entry {five[4].seq}) is not the entry anchor line 1 holds there"
    )


def test_each_stored_hash_is_the_entrys_own_with_its_clients(actor):
    """Entries from before the key (one naming clients, as migration 0004 wrote them),
    then keyed ones: compute_hash gives each stored hash back, and all verify."""
    from halte.audit.models import LEGACY_HASHED_FIELDS, AuditEntryClient, entry_hash
    from halte.audit.services import audit_record_listing

    _legacy_entries(actor, 2)
    listing = AuditEntry(
        seq=3,
        position=3,
        chain=1,
        key_id="",
        at=actor_time(),
        username="kcc",
        role="front_office",
        action="read",
        part="search:name",
        outcome="success",
        purpose="contact",
        client_id=None,
        prev_hash=chain_entries(1)[-1].hash,
    )
    listing.hash = entry_hash(
        {name: getattr(listing, name) for name in LEGACY_HASHED_FIELDS}, [4, 5]
    )
    listing.save()
    for client_id in (5, 4):
        AuditEntryClient(entry=listing, client_id=client_id).save()
    move_head(1, 3, listing.hash)
    audit_record_listing(actor, action=Action.READ, part="search:name", client_ids=[8, 7])
    audit_record(actor, action=Action.READ, part="card", client_id=9)
    assert verify_chain().problem is None
    for entry in chain_entries(1):
        named = sorted(entry.clients.values_list("client_id", flat=True))
        assert entry.compute_hash(named) == entry.hash, entry.position
    assert [bool(e.key_id) for e in chain_entries(1)] == [False, False, False, True, True]
