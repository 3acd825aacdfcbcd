"""Appenders racing each other on PostgreSQL, each thread with its own connection."""

import pytest
from django.db import connection

from halte.audit.context import Actor
from halte.audit.models import Action, AuditEntry
from halte.audit.queries import verify_chain
from halte.audit.services import audit_record
from halte.core.tests.concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
]


def test_concurrent_appends_make_one_chain_in_time_order(personas):
    actor = Actor(personas["front_office"], source_ip="192.0.2.10")

    def append(index):
        for n in range(25):
            audit_record(actor, action=Action.READ, part="card", client_id=index * 100 + n)

    assert race(4, append) == []
    assert verify_chain().problem is None
    times = list(AuditEntry.objects.order_by("seq").values_list("at", flat=True))
    assert len(times) == 100
    assert times == sorted(times)
