"""The writer's choice of chain (AUDIT_CHAINS > 1), on any database: the chain the
connection used last, the first chain when it has none or it no longer exists, every
chain's head created at the first append, and a connection that keeps to its chain.
(Which chain a writer takes while another holds its lock: test_concurrency.py, on
PostgreSQL.)"""

import pytest
from django.db import connection

from halte.audit.context import Actor
from halte.audit.models import GENESIS_HASH, Action, AuditChainHead, AuditEntry
from halte.audit.queries import verify_chain
from halte.audit.services import audit_record, audit_record_listing, audit_record_many

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(personas):
    return Actor(personas["nurse_noord"], source_ip="192.0.2.10")


def _append(actor, client_id):
    audit_record(actor, action=Action.READ, part="card", client_id=client_id)
    return AuditEntry.objects.get(client_id=client_id)


def test_the_first_append_creates_every_chains_head(actor, settings):
    settings.AUDIT_CHAINS = 3
    connection.halte_audit_chain = 2
    _append(actor, 1)
    heads = AuditChainHead.objects.order_by("pk").values_list("pk", "position", "hash")
    entry = AuditEntry.objects.get()
    assert list(heads) == [(1, 0, GENESIS_HASH), (2, 1, entry.hash), (3, 0, GENESIS_HASH)]
    assert verify_chain().problem is None  # the heads of chains without entries too


def test_a_connection_keeps_to_the_chain_it_used_last(actor, settings):
    settings.AUDIT_CHAINS = 3
    connection.halte_audit_chain = 3  # the last chain is a chain too
    first, second = _append(actor, 1), _append(actor, 2)
    assert (first.chain, first.position, second.chain, second.position) == (3, 1, 3, 2)
    assert second.prev_hash == first.hash
    assert connection.halte_audit_chain == 3
    assert verify_chain().chains == {3: (2, second.hash)}


def test_a_new_connection_takes_the_first_chain(actor, settings):
    settings.AUDIT_CHAINS = 3
    del connection.halte_audit_chain  # as on a connection that never appended
    assert _append(actor, 1).chain == 1
    assert connection.halte_audit_chain == 1


def test_a_chain_beyond_audit_chains_is_left_for_the_first(actor, settings):
    """AUDIT_CHAINS lowered while a connection was open: its chain is no longer taken."""
    settings.AUDIT_CHAINS = 4
    connection.halte_audit_chain = 4
    assert _append(actor, 1).chain == 4
    settings.AUDIT_CHAINS = 2
    entry = _append(actor, 2)
    assert (entry.chain, entry.position) == (1, 1)
    assert connection.halte_audit_chain == 1


def test_several_entries_of_one_append_follow_each_other_in_the_chain(actor, settings):
    settings.AUDIT_CHAINS = 2
    connection.halte_audit_chain = 2
    _append(actor, 1)
    audit_record_many(actor, action=Action.UPDATE, part="card", client_ids=[5, 6, 7])
    audit_record_listing(actor, action=Action.READ, part="card", client_ids=[8, 9])
    rows = AuditEntry.objects.order_by("seq").values_list("seq", "chain", "position", "client_id")
    seqs = [seq for seq, *_rest in rows]
    assert seqs == list(range(seqs[0], seqs[0] + 5))
    assert [row[1:] for row in rows] == [(2, 1, 1), (2, 2, 5), (2, 3, 6), (2, 4, 7), (2, 5, None)]
    assert verify_chain().problem is None


def test_an_append_to_an_existing_chain_is_three_statements(
    actor, settings, django_assert_num_queries
):
    """Lock the head (numbering the entry), insert, move the head: the heads are not
    looked for again, whichever chain the connection keeps to."""
    settings.AUDIT_CHAINS = 2
    connection.halte_audit_chain = 2
    _append(actor, 1)
    with django_assert_num_queries(3):
        audit_record(actor, action=Action.READ, part="card", client_id=2)
    # (PostgreSQL takes the second entry's number from the sequence: one more.)
    with django_assert_num_queries(3 if connection.vendor == "sqlite" else 4):
        audit_record_many(actor, action=Action.UPDATE, part="card", client_ids=[3, 4])
    assert verify_chain().chains[2][0] == 4


def test_two_entries_of_one_append_take_two_numbers(actor):
    audit_record_many(actor, action=Action.UPDATE, part="card", client_ids=[3, 4])
    rows = AuditEntry.objects.order_by("seq").values_list("seq", "position", "client_id")
    (seq, *_first), _second = rows
    assert list(rows) == [(seq, 1, 3), (seq + 1, 2, 4)]
    assert verify_chain().problem is None


def test_chains_without_entries_verify_and_are_anchored_at_their_start(actor, settings, tmp_path):
    from halte.audit import anchors

    settings.AUDIT_CHAINS = 3
    _append(actor, 1)
    anchors.append_anchor(tmp_path / "anchors.jsonl")
    lines = anchors.read_anchors(tmp_path / "anchors.jsonl", anchors.public_keys())
    report = verify_chain(anchors=lines)
    # Chains 2 and 3 are anchored at position 0: nothing there to compare.
    assert (report.problem, report.anchors_checked) == (None, 1)
    assert report.chains == {1: (1, AuditEntry.objects.get().hash)}
