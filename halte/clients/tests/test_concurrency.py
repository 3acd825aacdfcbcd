"""Writers racing each other on PostgreSQL, each thread with its own connection."""

import threading

import pytest
from django.db import connection, connections

from halte.audit.context import Actor
from halte.audit.queries import verify_chain
from halte.clients.models import Client
from halte.clients.services import client_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
]


def _race(workers: int, work):
    barrier, errors = threading.Barrier(workers), []

    def run(index):
        try:
            barrier.wait()
            work(index)
        except Exception as error:  # collected, and asserted empty below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_it_gives_concurrent_new_clients_distinct_numbers_and_one_unbroken_chain(personas):
    actor = Actor(personas["front_office"])

    def create_three(index):
        for n in range(3):
            client_create(actor=actor, given_names=f"Gelijktijdig{index}{n}", family_name="Test")

    assert _race(4, create_three) == []
    numbers = list(Client.objects.values_list("client_number", flat=True))
    assert len(numbers) == len(set(numbers)) == 12
    assert verify_chain().problem is None


def test_it_keeps_both_first_events_of_a_call_that_arrive_together(db):
    from django.utils import timezone

    from halte.contact.models import CallEvent, Interaction
    from halte.contact.services import call_event_register

    results = []

    def send(index):
        event = ["ringing", "answered"][index]
        results.append(
            call_event_register(call_id="race-1", event=event, caller="", at=timezone.now())
        )

    for _ in range(5):
        CallEvent.objects.filter(call_id="race-1").delete()
        Interaction.objects.filter(call_id="race-1").delete()
        results.clear()
        assert _race(2, send) == []
        assert sorted(
            CallEvent.objects.filter(call_id="race-1").values_list("event", flat=True)
        ) == [
            "answered",
            "ringing",
        ]
        assert Interaction.objects.filter(call_id="race-1").count() == 1
        assert not any(r.replayed for r in results)
