"""Writers racing each other on PostgreSQL, each thread with its own connection."""

import pytest
from django.db import connection

from halte.audit.context import Actor
from halte.audit.queries import verify_chain
from halte.clients.models import Client
from halte.clients.services import client_create
from halte.core.tests.concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
]


def test_it_gives_concurrent_new_clients_distinct_numbers_and_one_unbroken_chain(personas):
    actor = Actor(personas["front_office"])

    def create_three(index):
        for n in range(3):
            client_create(actor=actor, given_names=f"Gelijktijdig{index}{n}", family_name="Test")

    assert race(4, create_three) == []
    numbers = list(Client.objects.values_list("client_number", flat=True))
    assert len(numbers) == len(set(numbers)) == 12
    assert verify_chain().problem is None
