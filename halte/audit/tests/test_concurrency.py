"""Appenders racing each other on PostgreSQL, each thread with its own connection."""

import threading

import pytest
from django.db import connection, transaction

from halte.audit.context import Actor
from halte.audit.models import Action, AuditEntry
from halte.audit.queries import verify_chain
from halte.audit.services import audit_record
from halte.core.tests.concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
]


@pytest.fixture
def actor(personas):
    return Actor(personas["front_office"], source_ip="192.0.2.10")


def test_concurrent_appends_make_whole_chains_each_in_time_order(actor):
    def append(index):
        for n in range(25):
            audit_record(actor, action=Action.READ, part="card", client_id=index * 100 + n)

    assert race(4, append) == []
    report = verify_chain()
    assert report.problem is None
    assert report.checked == 100
    assert sum(position for position, _hash in report.chains.values()) == 100
    # Within a chain, seq order is position order and time order. (Across chains two
    # entries of the same moment may have their times and seqs in opposite orders.)
    for chain in report.chains:
        rows = AuditEntry.objects.filter(chain=chain).order_by("seq")
        positions, times = zip(*rows.values_list("position", "at"), strict=True)
        assert list(positions) == list(range(1, len(positions) + 1))
        assert list(times) == sorted(times)


def _hold_a_chain(actor, holding: threading.Event, release: threading.Event, held: list):
    """In a thread: append, and keep the transaction (and its chain's lock) open."""
    try:
        with transaction.atomic():
            audit_record(actor, action=Action.READ, part="card", client_id=1)
            held.append(AuditEntry.objects.order_by("-seq").first().chain)
            holding.set()
            release.wait(10)
    finally:
        connection.close()


def _holder(actor) -> tuple[threading.Thread, threading.Event, int]:
    """Start a thread that holds a chain (`_hold_a_chain`); once it holds it: the
    thread, the event that releases it, and the chain it holds."""
    holding, release, held = threading.Event(), threading.Event(), []
    thread = threading.Thread(target=_hold_a_chain, args=(actor, holding, release, held))
    thread.start()
    if not holding.wait(10):
        release.set()
        thread.join()
        raise AssertionError("the holder took no chain")
    return thread, release, held[0]


def _appender(actor, *, client_id: int) -> tuple[threading.Thread, threading.Event]:
    """A thread (not started) that appends one entry on its own connection, and the
    event it sets once the entry is written."""
    done = threading.Event()

    def append():
        try:
            audit_record(actor, action=Action.READ, part="card", client_id=client_id)
            done.set()
        finally:
            connection.close()

    return threading.Thread(target=append), done


def test_a_writer_takes_a_free_chain_while_another_holds_one(actor, settings):
    settings.AUDIT_CHAINS = 8
    # The first append creates the heads (a writer meanwhile would wait on its insert).
    audit_record(actor, action=Action.READ, part="card", client_id=0)
    thread, release, busy = _holder(actor)
    try:
        connection.halte_audit_chain = busy  # even when it prefers the busy one
        audit_record(actor, action=Action.READ, part="card", client_id=2)  # does not wait
        mine = AuditEntry.objects.get(client_id=2)
        assert mine.chain != busy
        assert mine.position == (2 if mine.chain == 1 else 1)
    finally:
        release.set()
        thread.join()
    assert verify_chain().problem is None


def test_a_writer_waits_for_a_chain_when_every_one_is_busy(actor, settings):
    settings.AUDIT_CHAINS = 1
    audit_record(actor, action=Action.READ, part="card", client_id=0)
    thread, release, _busy = _holder(actor)
    second, done = _appender(actor, client_id=2)
    try:
        second.start()
        assert not done.wait(0.5)  # queued behind the only chain's lock
    finally:
        release.set()
        thread.join()
    second.join(10)
    assert done.is_set()
    entries = list(AuditEntry.objects.order_by("seq").values_list("chain", "position"))
    assert entries == [(1, 1), (1, 2), (1, 3)]
    assert verify_chain().problem is None


def test_a_writer_waits_for_one_busy_chain_not_for_all(actor, settings, monkeypatch):
    """Every head busy: the writer queues on one chain (chosen at random), so it goes
    on as soon as that one is free, whatever the others' writers still hold."""
    settings.AUDIT_CHAINS = 2
    audit_record(actor, action=Action.READ, part="card", client_id=0)  # the heads
    holders = [_holder(actor) for _ in range(2)]
    # The first holder takes chain 1, the second chain 2.
    assert [busy for _thread, _release, busy in holders] == [1, 2]
    monkeypatch.setattr("halte.audit.services.random.randint", lambda low, high: 2)
    third, done = _appender(actor, client_id=3)
    try:
        third.start()
        assert not done.wait(0.5)  # both chains busy
        holders[1][1].set()  # chain 2's writer commits; chain 1's still holds
        assert done.wait(5), "the writer waited for chain 1 too"
    finally:
        for thread, release, _busy in holders:
            release.set()
            thread.join()
        third.join(10)
    assert AuditEntry.objects.get(client_id=3).chain == 2
    assert verify_chain().problem is None
