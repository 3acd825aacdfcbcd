"""A task a killed worker left `RUNNING` on the database queue is queued again by the
scheduler's housekeeping once it has run longer than any task does, once, whoever
sweeps (halte.core.tasks.requeue_abandoned). A worker process really killed:
halte/outreach/tests/test_worker_killed.py."""

import datetime
import logging

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from halte.core.management.commands.scheduler import housekeeping
from halte.core.tasks import abandoned_tasks, requeue, requeue_abandoned

RAN: list[str] = []


@task()
def remember(word: str) -> str:
    RAN.append(word)
    return word


@pytest.fixture(autouse=True)
def database_queue(settings):
    RAN.clear()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASK_ABANDONED_AFTER_MINUTES = 60


def left_running(word: str, *, minutes_ago: float, worker: str = "worker-1") -> DBTaskResult:
    """A task a worker claimed `minutes_ago` and never finished."""
    result = remember.enqueue(word)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        worker_ids=[worker],
    )
    return DBTaskResult.objects.get(pk=result.id)


def status(row: DBTaskResult) -> str:
    row.refresh_from_db()
    return row.status


def test_a_task_running_longer_than_the_limit_is_queued_again_and_runs(db, run_tasks):
    abandoned = left_running("terugbellen", minutes_ago=61)
    assert run_tasks() == 0  # no worker takes a running task

    assert requeue_abandoned() == 1
    assert status(abandoned) == TaskResultStatus.READY
    assert abandoned.started_at is None
    assert abandoned.worker_ids == ["worker-1"]  # who tried it stays known
    assert run_tasks() == 1
    assert RAN == ["terugbellen"]
    assert status(abandoned) == TaskResultStatus.SUCCESSFUL


def test_a_task_within_the_limit_is_left_running(db):
    running = left_running("bezig", minutes_ago=59)
    assert requeue_abandoned() == 0
    assert status(running) == TaskResultStatus.RUNNING


def test_the_limit_is_a_setting(db, settings):
    settings.TASK_ABANDONED_AFTER_MINUTES = 10
    abandoned = left_running("kort", minutes_ago=11)
    assert requeue_abandoned() == 1
    assert status(abandoned) == TaskResultStatus.READY


def test_finished_and_waiting_tasks_are_left_alone(db):
    done = left_running("klaar", minutes_ago=120)
    failed = left_running("mislukt", minutes_ago=120)
    DBTaskResult.objects.filter(pk=done.pk).update(status=TaskResultStatus.SUCCESSFUL)
    DBTaskResult.objects.filter(pk=failed.pk).update(status=TaskResultStatus.FAILED)
    waiting = DBTaskResult.objects.get(pk=remember.enqueue("wacht").id)
    assert requeue_abandoned() == 0
    assert [status(done), status(failed), status(waiting)] == [
        TaskResultStatus.SUCCESSFUL,
        TaskResultStatus.FAILED,
        TaskResultStatus.READY,
    ]


def test_a_second_sweep_queues_nothing_more(db, run_tasks):
    left_running("eenmaal", minutes_ago=90)
    assert requeue_abandoned() == 1
    assert requeue_abandoned() == 0  # a second scheduler, a minute later
    assert run_tasks() == 1
    assert RAN == ["eenmaal"]


def test_a_task_taken_again_in_the_meantime_is_not_queued_twice(db):
    # Between this sweep's read and its update, another scheduler requeued the task
    # and a worker claimed it anew: its start moved, so this sweep leaves it.
    left_running("tussendoor", minutes_ago=90)
    [seen] = abandoned_tasks()
    assert requeue_abandoned() == 1
    DBTaskResult.objects.filter(pk=seen.pk).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=["w1", "w2"]
    )
    assert requeue(seen) is False
    assert status(seen) == TaskResultStatus.RUNNING


def test_the_oldest_go_first_within_the_limit_per_sweep(db):
    newest = left_running("c", minutes_ago=70)
    oldest = left_running("a", minutes_ago=300)
    middle = left_running("b", minutes_ago=100)
    assert requeue_abandoned(limit=2) == 2
    assert [status(oldest), status(middle), status(newest)] == [
        TaskResultStatus.READY,
        TaskResultStatus.READY,
        TaskResultStatus.RUNNING,
    ]
    assert requeue_abandoned(limit=2) == 1


def test_it_is_logged_without_the_tasks_arguments(db, caplog):
    abandoned = left_running("BSN 999990019", minutes_ago=61, worker="worker-7")
    with caplog.at_level(logging.WARNING, logger="halte.core.tasks"):
        requeue_abandoned()
    [line] = caplog.messages
    assert str(abandoned.pk) in line
    assert "test_task_recovery.remember" in line
    assert "worker-7" in line
    assert "999990019" not in line


def test_the_scheduler_housekeeping_queues_it_again(db):
    abandoned = left_running("elke minuut", minutes_ago=61)
    housekeeping()
    assert status(abandoned) == TaskResultStatus.READY


def test_on_rq_there_is_nothing_to_sweep_in_the_database(db, rq_backend):
    from halte.core import tasks

    DBTaskResult.objects.create(
        task_path="halte.core.tests.test_task_recovery.remember",
        args_kwargs={"args": ["rq"], "kwargs": {}},
        backend_name="default",
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - datetime.timedelta(hours=5),
        run_after=timezone.now(),
    )
    assert tasks.requeue_abandoned() == 0
    assert DBTaskResult.objects.get().status == TaskResultStatus.RUNNING
