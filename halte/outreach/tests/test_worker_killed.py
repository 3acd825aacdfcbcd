"""A worker killed in the middle of a batch (SIGKILL, no goodbye): the next worker
sends the rest, and no message reaches anyone twice.

Real processes: `manage.py db_worker` against a database of their own (on SQLite a
copy of this test's database made with VACUUM INTO; on PostgreSQL this test's
database itself, its rows committed), delivering to a real SMTP server that takes
its time, so the kill lands in the middle."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from halte.clients.tests.factories import ClientFactory
from halte.outreach import tasks
from halte.outreach.models import Message, MessageChannel, MessageStatus, Trigger

ROOT = Path(__file__).resolve().parents[3]
COUNT = 40


@pytest.fixture
def slow_smtp(smtp_server):
    smtp_server.delay = 0.1  # seconds per message: the batch takes a while
    return smtp_server


def _database_url(tmp_path) -> str:
    if connection.vendor == "sqlite":
        copy = tmp_path / "worker.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(copy)])
        return f"sqlite:///{copy}"
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker(database_url: str, smtp_port: int, *args) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "DEBUG": "false",
    }
    return subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-startup-delay",
            "--interval",
            "0.1",
            *args,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _statuses(database_url: str) -> Counter:
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            rows = db.execute("SELECT status FROM outreach_message").fetchall()
        return Counter(status for (status,) in rows)
    return Counter(Message.objects.values_list("status", flat=True))


@pytest.mark.db_queue  # real db_worker processes: the database queue itself
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_resumes_without_a_double_send(slow_smtp, tmp_path):
    client = ClientFactory(email="riek@example.nl")
    now = timezone.now()
    messages = Message.objects.bulk_create(
        Message(
            client=client,
            recipient_name=client.full_name,
            channel=MessageChannel.EMAIL,
            address=f"riek+{n}@example.nl",
            language="nl",
            trigger=Trigger.ANNOUNCEMENT,
            subject=f"Bericht {n}",
            body="Wegwerkzaamheden aan de Stationsweg.",
            idempotency_key=f"killed:{n}",
            send_after=now,
        )
        for n in range(COUNT)
    )
    for message in Message.objects.filter(pk__in=[m.pk for m in messages]):
        tasks.enqueue_send(message)
    database_url = _database_url(tmp_path)
    port = slow_smtp.controller.port

    first = _worker(database_url, port)
    deadline = time.monotonic() + 120
    while len(slow_smtp.messages) < COUNT // 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    arrived_before = len(slow_smtp.messages)
    assert 0 < arrived_before < COUNT, "the kill must land in the middle of the batch"

    second = _worker(database_url, port, "--batch")
    assert second.wait(timeout=120) == 0

    ids = Counter(message["Message-ID"] for message in slow_smtp.messages)
    assert max(ids.values()) == 1, "a message arrived twice"
    statuses = _statuses(database_url)
    # At most the one message the first worker held when it died is left `sending`
    # (later `uncertain`); every other one was sent, once.
    assert statuses[MessageStatus.SENDING] <= 1
    assert statuses[MessageStatus.SENT] + statuses[MessageStatus.SENDING] == COUNT
    assert len(ids) in (statuses[MessageStatus.SENT], statuses[MessageStatus.SENT] + 1)
