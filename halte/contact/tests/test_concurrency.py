"""Telephone events racing each other on PostgreSQL."""

import pytest
from django.db import connection
from django.utils import timezone

from halte.contact.models import CallEvent, Interaction
from halte.contact.services import call_event_register
from halte.core.tests.concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
]


def test_it_keeps_both_first_events_of_a_call_that_arrive_together():
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
        assert race(2, send) == []
        assert sorted(
            CallEvent.objects.filter(call_id="race-1").values_list("event", flat=True)
        ) == [
            "answered",
            "ringing",
        ]
        assert Interaction.objects.filter(call_id="race-1").count() == 1
        assert not any(r.replayed for r in results)
