"""The scheduler enqueues each slot once, however many schedulers run, and catches up
only a bounded way; on RQ the task is enqueued after the claim commits."""

import datetime
import threading
import zoneinfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tasks import default_task_backend, task, task_backends
from django_tasks_db.models import DBTaskResult

from halte.core import scheduler
from halte.core.management.commands.scheduler import SlotTrigger
from halte.core.models import ScheduledSlot
from halte.core.schedule import PERIODIC_JOBS, PeriodicJob, Slot

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
FIVE_MINUTES = datetime.timedelta(minutes=5)
NOW = datetime.datetime(2026, 11, 30, 10, 7, tzinfo=AMSTERDAM)

# What the test task saw, in this process (the workers of run_tasks run in it).
RAN: list[dict] = []


@task()
def remember_slot(*, since: str, until: str) -> str:
    RAN.append({"since": since, "until": until})
    return since


JOB = PeriodicJob("test.remember", remember_slot, every=FIVE_MINUTES)


@pytest.fixture(autouse=True)
def only_the_test_job():
    RAN.clear()
    with PERIODIC_JOBS.replaced(JOB):
        yield


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what waits for the commit (on RQ: the enqueue) as
    the block ends; the test's own transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def at(hour: int, minute: int) -> str:
    moment = datetime.datetime(2026, 11, 30, hour, minute, tzinfo=AMSTERDAM)
    return moment.astimezone(datetime.UTC).isoformat()


def test_two_schedulers_ticking_for_the_same_slot_enqueue_one_task(db, run_tasks, committed):
    with committed():
        assert scheduler.enqueue_due(NOW) == 1
    with committed():
        assert scheduler.enqueue_due(NOW) == 0  # the second scheduler, or the same one again
    assert run_tasks() == 1
    assert [{"since": at(10, 0), "until": at(10, 5)}] == RAN
    claim = ScheduledSlot.objects.get()
    assert (claim.job, claim.enqueued_at is not None, claim.task_result_id != "") == (
        "test.remember",
        True,
        True,
    )


def test_a_claim_made_by_another_scheduler_in_between_is_not_enqueued_again(
    db, run_tasks, committed
):
    slot = Slot(datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC), NOW)
    with committed():
        assert scheduler.claim_and_enqueue(JOB, slot, now=NOW) is True
    # The other scheduler read "not claimed" just before, and tries anyway.
    with committed():
        assert scheduler.claim_and_enqueue(JOB, slot, now=NOW) is False
    assert run_tasks() == 1


def test_the_next_slot_is_enqueued_at_its_end(db, run_tasks, committed):
    with committed():
        scheduler.enqueue_due(NOW)
        scheduler.enqueue_due(NOW + FIVE_MINUTES)
    assert run_tasks() == 2
    assert [slot["since"] for slot in RAN] == [at(10, 0), at(10, 5)]


def test_a_scheduler_back_after_a_day_enqueues_only_the_last_slots(db, run_tasks, committed):
    a_day_later = NOW + datetime.timedelta(days=1)
    with committed():
        scheduler.enqueue_due(NOW)
        assert scheduler.enqueue_due(a_day_later) == 1
        assert scheduler.enqueue_due(a_day_later, catch_up=3) == 2  # the two before it
        assert scheduler.enqueue_due(a_day_later, catch_up=3) == 0
    assert run_tasks() == 4
    assert ScheduledSlot.objects.count() == 4


class _FailingTask:
    """A task whose enqueue fails, on the database backend (a full disk, say)."""

    def get_backend(self):
        return task_backends["default"]

    def enqueue(self, **kwargs):
        raise RuntimeError("disk full")


def test_on_the_database_queue_a_failed_enqueue_leaves_no_claim(db, settings, run_tasks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    broken = PeriodicJob("test.remember", _FailingTask(), every=FIVE_MINUTES)
    with pytest.raises(RuntimeError), PERIODIC_JOBS.replaced(broken):
        scheduler.enqueue_due(NOW)
    assert not ScheduledSlot.objects.exists()
    assert scheduler.enqueue_due(NOW) == 1  # so the next tick still enqueues it
    assert run_tasks() == 1


def test_on_the_database_queue_the_claim_and_the_task_are_written_together(
    db, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks() as waiting:
        scheduler.enqueue_due(NOW)
    assert waiting == []
    claim = ScheduledSlot.objects.get()
    assert str(DBTaskResult.objects.get().id) == claim.task_result_id


def test_on_rq_the_task_is_enqueued_once_the_claim_commits(
    db, rq_backend, django_capture_on_commit_callbacks, run_tasks
):
    with django_capture_on_commit_callbacks() as waiting:
        assert scheduler.enqueue_due(NOW) == 1
    assert ScheduledSlot.objects.get().enqueued_at is None
    assert run_tasks() == 0  # nothing on Redis before the commit
    for callback in waiting:
        callback()
    claim = ScheduledSlot.objects.get()
    assert claim.enqueued_at is not None
    assert default_task_backend.get_result(claim.task_result_id).kwargs["since"] == at(10, 0)
    assert run_tasks() == 1
    assert [{"since": at(10, 0), "until": at(10, 5)}] == RAN


def test_on_rq_a_claim_whose_enqueue_never_came_is_retried_once(
    db, rq_backend, django_capture_on_commit_callbacks, run_tasks
):
    with django_capture_on_commit_callbacks():  # the scheduler dies before the commit's callback
        scheduler.enqueue_due(NOW)
    assert scheduler.retry_unenqueued(NOW) == 0  # too early: its enqueue may be on its way
    later = NOW + 2 * scheduler.RETRY_AFTER
    assert scheduler.retry_unenqueued(later) == 1
    assert scheduler.retry_unenqueued(later) == 0
    assert ScheduledSlot.objects.get().enqueued_at is not None
    assert run_tasks() == 1


def test_old_claims_are_pruned(db):
    scheduler.enqueue_due(NOW)
    slot_end = datetime.datetime(2026, 11, 30, 10, 5, tzinfo=AMSTERDAM)
    assert scheduler.prune(slot_end + scheduler.KEEP_CLAIMS) == 0
    assert scheduler.prune(slot_end + scheduler.KEEP_CLAIMS + FIVE_MINUTES) == 1
    assert not ScheduledSlot.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_on_their_own_connections_enqueue_one_task():
    """Two threads (two connections) insert the claim of the same slot at the same
    moment: the second insert waits for the first to commit, then fails. (SQLite lets
    one writing transaction in at a time, so there the second finds the claim.)"""
    start = threading.Barrier(2)
    slot = Slot(
        datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 11, 30, 9, 5, tzinfo=datetime.UTC),
    )
    outcomes = []

    def one_scheduler():
        try:
            start.wait()
            outcomes.append(scheduler.claim_and_enqueue(JOB, slot, now=NOW))
        finally:
            connection.close()

    threads = [threading.Thread(target=one_scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, True]
    assert ScheduledSlot.objects.count() == 1
    if not type(task_backends["default"]).__module__.startswith("django_tasks_rq"):
        assert DBTaskResult.objects.count() == 1


def test_the_command_enqueues_what_is_due_once(db, run_tasks, capsys, committed):
    with committed():
        call_command("scheduler", "--once")
        call_command("scheduler", "--once")
    assert capsys.readouterr().out.splitlines() == ["Enqueued 1 slot(s).", "Enqueued 0 slot(s)."]
    assert run_tasks() == 1


def test_the_command_refuses_two_jobs_of_one_name(db):
    other = PeriodicJob("test.remember", remember_slot, at=datetime.time(6))
    with PERIODIC_JOBS.replaced(JOB, other), pytest.raises(CommandError, match="registered twice"):
        call_command("scheduler", "--once")


def test_the_trigger_fires_at_each_slot_end():
    trigger = SlotTrigger(JOB)
    first = trigger.get_next_fire_time(None, NOW)
    assert first == datetime.datetime(2026, 11, 30, 10, 10, tzinfo=AMSTERDAM)
    assert trigger.get_next_fire_time(first, first) == first + FIVE_MINUTES
