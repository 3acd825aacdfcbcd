"""A worker killed in the middle of a batch (SIGKILL, no goodbye): the next worker
sends the rest, the outbox sweep recovers what the dead worker held, and no message
reaches anyone twice.

Real processes: `manage.py db_worker` against a database of their own (on SQLite a
copy of this test's database made with VACUUM INTO; on PostgreSQL this test's
database itself, its rows committed), delivering to a real SMTP server that takes
its time, so the kill lands in the middle.

Where the kill lands decides what the dead worker leaves behind, for the one task it
was running:
- before the queue claimed the next task: nothing; the next worker takes it;
- after the queue claimed the send task (its row `RUNNING`, never taken by a worker
  again) but before the message was claimed: the message stays `queued` with no task
  that will run. The outbox sweep enqueues it again once it is STALLED_AFTER overdue
  (sending.due_without_task); the message's own claim keeps that from sending twice;
- after the message was claimed (`sending`): it may or may not have left; the sweep
  marks it `uncertain` for staff, and it is never sent again by itself.
The middle window is narrow (a millisecond between two statements), so a random kill
hits it rarely: test_a_worker_killed_at_a_known_point hits it (and the third) every
time.

Any other task the dead worker held stays `RUNNING`, and no worker takes a running
task: the scheduler's housekeeping puts it back on the queue once it has run longer
than any task does (halte.core.tasks.requeue_abandoned), and the next worker runs it:
test_a_promise_chase_a_killed_worker_held_is_run_later."""

import datetime
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
from halte.contact.events import PromiseOverdue
from halte.contact.tests.pages import make_promise
from halte.core import events
from halte.outreach import chasing, sending, tasks
from halte.outreach.models import (
    Message,
    MessageChannel,
    MessageStatus,
    NotificationKind,
    Trigger,
)

ROOT = Path(__file__).resolve().parents[3]
COUNT = 40
# When the scheduler's outbox sweep has certainly seen what a dead worker left: past
# STALLED_AFTER, and past the first retry's wait of a message a slow server refused.
LATER = sending.STALLED_AFTER + sending.BACKOFF[0] + datetime.timedelta(minutes=1)
TASK_STATUSES = "SELECT status FROM django_tasks_database_dbtaskresult"


@pytest.fixture
def slow_smtp(smtp_server):
    smtp_server.delay = 0.1  # seconds per message: the batch takes a while
    return smtp_server


def _queued_messages(count: int) -> list[Message]:
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
        for n in range(count)
    )
    messages = list(Message.objects.filter(pk__in=[m.pk for m in messages]).order_by("pk"))
    for message in messages:
        tasks.enqueue_send(message)
    return messages


def _database_url(tmp_path) -> str:
    if connection.vendor == "sqlite":
        copy = tmp_path / "worker.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(copy)])
        return f"sqlite:///{copy}"
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _environment(database_url: str, smtp_port: int) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "DEBUG": "false",
    }


WORKER_OPTIONS = ["--no-startup-delay", "--interval", "0.1"]


def _worker(database_url: str, smtp_port: int, *args) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", "db_worker", *WORKER_OPTIONS, *args],
        cwd=ROOT,
        env=_environment(database_url, smtp_port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _helper(database_url: str, smtp_port: int, *args) -> subprocess.CompletedProcess:
    """halte/outreach/tests/worker_process.py in a process of its own."""
    return subprocess.run(  # noqa: S603 - our own module with fixed arguments
        [sys.executable, "-m", "halte.outreach.tests.worker_process", *map(str, args)],
        cwd=ROOT,
        env=_environment(database_url, smtp_port),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _rows(database_url: str, sql: str, params=()) -> list[tuple]:
    """The rows the worker processes left (their database, not this test's view)."""
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            return db.execute(sql.replace("%s", "?"), params).fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _statuses(database_url: str) -> Counter:
    rows = _rows(database_url, "SELECT status FROM outreach_message")
    return Counter(status for (status,) in rows)


def _status(database_url: str, message: Message) -> str:
    sql = "SELECT status FROM outreach_message WHERE id = %s"
    [(status,)] = _rows(database_url, sql, [message.pk])
    return status


def _sweep_later(database_url: str, smtp_port: int) -> None:
    """The scheduler's outbox sweep, LATER from now."""
    done = _helper(database_url, smtp_port, "sweep-later", int(LATER.total_seconds() // 60))
    assert done.returncode == 0, done.stderr[-2000:]


def _assert_each_arrived_once(smtp_server) -> Counter:
    ids = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert max(ids.values()) == 1, "a message arrived twice"
    return ids


@pytest.mark.db_queue  # real db_worker processes: the database queue itself
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_resumes_without_a_double_send(slow_smtp, tmp_path):
    _queued_messages(COUNT)
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
    _assert_each_arrived_once(slow_smtp)
    statuses = _statuses(database_url)
    # The dead worker held one task: at most that one message is left, `sending` or
    # (killed between the queue's claim and the message's) `queued`; the rest was sent.
    assert statuses[MessageStatus.SENDING] + statuses[MessageStatus.QUEUED] <= 1
    assert statuses[MessageStatus.SENT] >= COUNT - 1

    # The scheduler's sweep, later: a `sending` message becomes `uncertain`, a `queued`
    # one is enqueued again and the next worker sends it.
    _sweep_later(database_url, port)
    third = _worker(database_url, port, "--batch")
    assert third.wait(timeout=120) == 0
    ids = _assert_each_arrived_once(slow_smtp)
    statuses = _statuses(database_url)
    assert statuses[MessageStatus.UNCERTAIN] <= 1
    assert statuses[MessageStatus.SENT] + statuses[MessageStatus.UNCERTAIN] == COUNT, statuses
    # The uncertain one may or may not have arrived before the kill.
    assert len(ids) in (statuses[MessageStatus.SENT], statuses[MessageStatus.SENT] + 1)


@pytest.mark.db_queue
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("kill", "arrived", "left", "after_sweep"),
    [
        # The queue claimed the send task, the message is still queued: no worker
        # runs that task again; the sweep enqueues the message anew and it is sent.
        ("kill-after-claim", 2, MessageStatus.QUEUED, MessageStatus.SENT),
        # Handed over, not yet marked sent: it may have left (here it did), so the
        # sweep makes it uncertain and nobody sends it again.
        ("kill-after-delivery", 3, MessageStatus.SENDING, MessageStatus.UNCERTAIN),
    ],
)
def test_a_worker_killed_at_a_known_point(kill, arrived, left, after_sweep, smtp_server, tmp_path):
    messages = _queued_messages(5)
    held = messages[2]
    database_url = _database_url(tmp_path)
    port = smtp_server.controller.port

    killed = _helper(database_url, port, kill, held.pk, *WORKER_OPTIONS)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert len(smtp_server.messages) == arrived
    assert _status(database_url, held) == left
    # Its task is the queue's one `running` task, and no worker takes a running task.
    task_statuses = Counter(status for (status,) in _rows(database_url, TASK_STATUSES))
    assert task_statuses == {"SUCCESSFUL": 2, "RUNNING": 1, "READY": 2}

    second = _worker(database_url, port, "--batch")
    assert second.wait(timeout=120) == 0
    assert len(smtp_server.messages) == arrived + 2
    assert _status(database_url, held) == left  # no task will take it

    _sweep_later(database_url, port)
    third = _worker(database_url, port, "--batch")
    assert third.wait(timeout=120) == 0
    assert _statuses(database_url) == Counter([MessageStatus.SENT] * 4 + [after_sweep])
    ids = _assert_each_arrived_once(smtp_server)
    assert len(ids) == 5


# A task other than a send: a promise's chase


@pytest.mark.db_queue
@pytest.mark.django_db(transaction=True)
def test_a_promise_chase_a_killed_worker_held_is_run_later(
    personas, client_noord, smtp_server, settings, tmp_path
):
    nurse = personas["nurse_noord"]
    nurse.email = "nurse_noord@zorg.example"
    nurse.save()
    promise = make_promise(
        client_noord, nurse, due_in=-datetime.timedelta(hours=2), owner_user=nurse
    )
    overdue = PromiseOverdue(
        client_id=client_noord.pk,
        commitment_id=promise.pk,
        due_at=promise.due_at,
        owner_user_id=nurse.pk,
        owner_team_id=None,
    )
    chasing.chase_promise.enqueue("PromiseOverdue", events.to_payload(overdue))
    database_url = _database_url(tmp_path)
    port = smtp_server.controller.port
    chase_tasks = "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path = %s"
    chase_path = [chasing.chase_promise.module_path]

    killed = _helper(
        database_url, port, "kill-at-start", chasing.chase_promise.name, *WORKER_OPTIONS
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert _rows(database_url, chase_tasks, chase_path) == [("RUNNING",)]

    # Left running, it is not taken again: nobody hears of the broken promise.
    second = _worker(database_url, port, "--batch")
    assert second.wait(timeout=120) == 0
    assert _notices(database_url) == []

    # The scheduler's housekeeping leaves it while it might still be running (the
    # exact mark: test_background_tasks.py) ...
    _housekeeping_later(database_url, port, settings.TASK_ABANDONED_AFTER_MINUTES // 2)
    assert _rows(database_url, chase_tasks, chase_path) == [("RUNNING",)]
    # ... and queues it again once it has run longer than any task does.
    _housekeeping_later(database_url, port, settings.TASK_ABANDONED_AFTER_MINUTES + 1)
    assert _rows(database_url, chase_tasks, chase_path) == [("READY",)]

    third = _worker(database_url, port, "--batch")
    assert third.wait(timeout=120) == 0
    assert _rows(database_url, chase_tasks, chase_path) == [("SUCCESSFUL",)]
    assert ("nurse_noord", NotificationKind.PROMISE_OVERDUE) in _notices(database_url)
    assert "nurse_noord@zorg.example" in [str(m["To"]) for m in smtp_server.messages]


def _housekeeping_later(database_url: str, smtp_port: int, minutes: int) -> None:
    done = _helper(database_url, smtp_port, "housekeeping-later", minutes)
    assert done.returncode == 0, done.stderr[-2000:]


def _notices(database_url: str) -> list[tuple[str, str]]:
    sql = (
        "SELECT u.username, n.kind FROM outreach_staffnotification n"
        " JOIN core_user u ON u.id = n.user_id ORDER BY u.username"
    )
    return [tuple(row) for row in _rows(database_url, sql)]
