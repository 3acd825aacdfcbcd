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
