"""Background work: a task enqueued beside a write exists exactly when the write
commits (halte.core.tasks.enqueue_in_transaction).

A task a killed worker left behind is queued again by the scheduler's housekeeping,
once, whoever sweeps (halte.core.tasks.requeue_abandoned): on the database queue one
left `RUNNING` longer than any task runs; on RQ a job RQ failed because its worker
died (real `rqworker` processes killed here). A database worker process really
killed: halte/outreach/tests/test_worker_killed.py."""

import datetime
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from halte.core.management.commands.scheduler import housekeeping
from halte.core.tasks import abandoned_tasks, enqueue_in_transaction, requeue, requeue_abandoned

ROOT = Path(__file__).resolve().parents[3]
RAN: list[str] = []


@task()
def remember(word: str) -> str:
    RAN.append(word)
    return word


@task()
def remember_pair(first: str, *, second: str) -> None:
    RAN.append(f"{first} {second}")


# Tasks a real RQ worker runs (it imports this module)


@task()
def die_first(marker: str) -> None:
    """Kill the process running it the first time (RQ's work horse); then mark the run."""
    died = Path(marker + ".died")
    if not died.exists():
        died.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    Path(marker).write_text("ran")


@task()
def hang_first(marker: str) -> None:
    """The first time, hang until the whole worker is killed; then mark the run."""
    started = Path(marker + ".started")
    if not started.exists():
        started.write_text(str(os.getpid()))  # RQ's work horse, in a group of its own
        time.sleep(120)
    Path(marker).write_text("ran")


@task()
def refuse() -> None:
    raise ValueError("refused")


@pytest.fixture(autouse=True)
def database_queue(settings):
    RAN.clear()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASK_ABANDONED_AFTER_MINUTES = 60


def left_running(
    word: str, *, minutes_ago: float = 0, started_at=None, worker: str | None = "worker-1"
) -> DBTaskResult:
    """A task a worker claimed `minutes_ago` (or at `started_at`) and never finished."""
    result = remember.enqueue(word)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=started_at or timezone.now() - datetime.timedelta(minutes=minutes_ago),
        worker_ids=[worker] if worker else [],
    )
    return DBTaskResult.objects.get(pk=result.id)


def status(row: DBTaskResult) -> str:
    row.refresh_from_db()
    return row.status


class Undone(Exception):
    pass


def test_on_the_database_queue_the_task_is_written_in_the_transaction(
    db, django_capture_on_commit_callbacks, run_tasks
):
    with django_capture_on_commit_callbacks() as after_commit, transaction.atomic():
        enqueue_in_transaction(remember_pair, "samen", second="schrijven")
        assert DBTaskResult.objects.filter(task_path__endswith=".remember_pair").count() == 1
    assert after_commit == []
    assert run_tasks() == 1
    assert RAN == ["samen schrijven"]


def test_on_the_database_queue_a_rolled_back_write_leaves_no_task(db, run_tasks):
    with pytest.raises(Undone), transaction.atomic():
        enqueue_in_transaction(remember, "nooit")
        raise Undone
    assert not DBTaskResult.objects.exists()
    assert run_tasks() == 0


def test_on_rq_the_task_is_enqueued_only_after_the_commit(
    db, rq_backend, django_capture_on_commit_callbacks, run_tasks
):
    with django_capture_on_commit_callbacks() as after_commit, transaction.atomic():
        enqueue_in_transaction(remember_pair, "daarna", second="pas")
    assert run_tasks() == 0  # nothing on Redis before the commit
    assert len(after_commit) == 1
    after_commit[0]()
    assert run_tasks() == 1
    assert RAN == ["daarna pas"]


# A task a killed worker left running


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


def test_a_task_its_workers_died_in_again_and_again_is_left_failed(db, caplog):
    thrice = left_running("drie keer", minutes_ago=61)
    DBTaskResult.objects.filter(pk=thrice.pk).update(worker_ids=["w1", "w2", "w3"])
    four_times = left_running("vier keer", minutes_ago=61)
    DBTaskResult.objects.filter(pk=four_times.pk).update(worker_ids=["w1", "w2", "w3", "w4"])
    with caplog.at_level(logging.WARNING, logger="halte.core.tasks"):
        assert requeue_abandoned() == 1
    assert status(thrice) == TaskResultStatus.READY  # its third requeue
    assert status(four_times) == TaskResultStatus.FAILED
    assert four_times.exception_class_path == "halte.core.tasks.WorkerDied"
    assert four_times.traceback == "WorkerDied: 4 workers died in it"
    assert four_times.finished_at is not None
    assert (
        f"Task {four_times.pk} (halte.core.tests.test_background_tasks.remember): its worker"
        " died in it 4 times, the last w4; left failed."
    ) in caplog.messages
    assert requeue_abandoned() == 0  # and it stays so


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
    assert list(abandoned_tasks()) == []
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


def test_a_task_finished_in_the_meantime_stays_finished(db):
    # It was only slow: between the sweep's read and its update, its worker finished.
    left_running("traag", minutes_ago=90)
    [seen] = abandoned_tasks()
    DBTaskResult.objects.filter(pk=seen.pk).update(status=TaskResultStatus.SUCCESSFUL)
    assert requeue(seen) is False
    assert status(seen) == TaskResultStatus.SUCCESSFUL


def test_tasks_started_at_the_same_moment_are_each_queued_again(db):
    moment = timezone.now() - datetime.timedelta(hours=2)
    first = left_running("een", started_at=moment)
    second = left_running("twee", started_at=moment)
    assert requeue(first) is True
    assert status(second) == TaskResultStatus.RUNNING  # only the row it was given
    assert requeue_abandoned() == 1


def test_the_limit_counts_from_the_moment_given(db):
    abandoned = left_running("straks", minutes_ago=30)
    assert requeue_abandoned() == 0
    assert requeue_abandoned(now=timezone.now() + datetime.timedelta(minutes=31)) == 1
    assert status(abandoned) == TaskResultStatus.READY


def test_a_sweep_takes_a_hundred_and_the_next_the_rest(db):
    started = timezone.now() - datetime.timedelta(hours=2)
    DBTaskResult.objects.bulk_create(
        DBTaskResult(
            task_path=remember.module_path,
            args_kwargs={"args": [str(n)], "kwargs": {}},
            backend_name="default",
            status=TaskResultStatus.RUNNING,
            started_at=started + datetime.timedelta(seconds=n),
            run_after=started,
        )
        for n in range(101)
    )
    assert requeue_abandoned() == 100
    assert requeue_abandoned() == 1


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
    assert line == (
        f"Task {abandoned.pk} (halte.core.tests.test_background_tasks.remember) was left"
        f" running by worker worker-7 since {abandoned.started_at.isoformat()}; queued again."
    )
    assert "999990019" not in line


def test_a_task_without_a_known_worker_is_logged_too(db, caplog):
    left_running("wie", minutes_ago=61, worker=None)
    with caplog.at_level(logging.WARNING, logger="halte.core.tasks"):
        assert requeue_abandoned() == 1
    assert "by worker ? since" in caplog.messages[0]


def test_the_scheduler_housekeeping_queues_it_again(db):
    abandoned = left_running("elke minuut", minutes_ago=61)
    housekeeping()
    assert status(abandoned) == TaskResultStatus.READY


def test_on_rq_there_is_nothing_to_sweep_in_the_database(db, rq_backend):
    from halte.core import tasks

    DBTaskResult.objects.create(
        task_path="halte.core.tests.test_background_tasks.remember",
        args_kwargs={"args": ["rq"], "kwargs": {}},
        backend_name="default",
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - datetime.timedelta(hours=5),
        run_after=timezone.now(),
    )
    assert tasks.requeue_abandoned() == 0
    assert DBTaskResult.objects.get().status == TaskResultStatus.RUNNING


# RQ: a job whose worker died


def _rq_worker(redis_url: str, var: Path) -> subprocess.Popen:
    """A real `rqworker --burst` on the test run's Redis database."""
    env = {**os.environ, "HALTE_TASKS": "rq", "REDIS_URL": redis_url, "HALTE_VAR_DIR": str(var)}
    env.pop("DATABASE_URL", None)  # it reads no database
    command = ["manage.py", "rqworker", "default", "--job-class", "django_tasks_rq.backend.Job"]
    return subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, *command, "--burst"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _failed_job_ids() -> list[str]:
    import django_rq

    return django_rq.get_queue("default").failed_job_registry.get_job_ids()


def test_on_rq_a_job_whose_work_horse_was_killed_is_queued_again(
    db, rq_backend, redis_test_url, tmp_path, caplog
):
    marker = tmp_path / "ran"
    died = die_first.enqueue(str(marker))
    refused = refuse.enqueue()
    assert _rq_worker(redis_test_url, tmp_path).wait(timeout=120) == 0
    assert not marker.exists()
    assert sorted(_failed_job_ids()) == sorted([died.id, refused.id])

    with caplog.at_level(logging.WARNING, logger="halte.core.tasks"):
        housekeeping()
    assert _failed_job_ids() == [refused.id]  # one that raised stays with the failed
    assert caplog.messages == [
        f"Job {died.id} (halte.core.tests.test_background_tasks.die_first) lost its worker;"
        " queued again (1 of 3)."
    ]
    assert _rq_worker(redis_test_url, tmp_path).wait(timeout=120) == 0
    assert marker.read_text() == "ran"
    assert requeue_abandoned() == 0  # a second scheduler: nothing more


def test_on_rq_a_job_whose_whole_worker_was_killed_is_queued_again(
    db, rq_backend, redis_test_url, tmp_path
):
    import django_rq
    from django_tasks_rq.backend import Job

    marker = tmp_path / "ran"
    hung = hang_first.enqueue(str(marker))
    worker = _rq_worker(redis_test_url, tmp_path)
    started = Path(f"{marker}.started")
    deadline = time.monotonic() + 60
    while not (started.exists() and started.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    # The worker and its work horse, no goodbye (as when their machine goes).
    worker.kill()
    os.kill(int(started.read_text()), signal.SIGKILL)
    worker.wait(timeout=10)
    assert requeue_abandoned() == 0  # still counted as running
    # Once its heartbeat has lapsed (about 90 s), RQ's clean-up (a live worker's
    # upkeep, every few minutes) moves it to the failed jobs as abandoned.
    queue = django_rq.get_queue("default", job_class=Job)
    queue.started_job_registry.cleanup(timestamp=time.time() + 2 * 3600)
    assert _failed_job_ids() == [hung.id]

    assert requeue_abandoned() == 1
    assert _rq_worker(redis_test_url, tmp_path).wait(timeout=120) == 0
    assert marker.read_text() == "ran"


def test_on_rq_a_job_that_keeps_killing_its_worker_stays_failed(
    db, rq_backend, redis_test_url, tmp_path
):
    import django_rq

    died = die_first.enqueue(str(tmp_path / "ran"))
    assert _rq_worker(redis_test_url, tmp_path).wait(timeout=120) == 0
    connection = django_rq.get_queue("default").connection
    connection.set(f"halte:requeue:count:{died.id}", 3)  # requeued three times before
    assert requeue_abandoned() == 0
    assert _failed_job_ids() == [died.id]


WORK_HORSE_KILLED = "Work-horse terminated unexpectedly; waitpid returned 9 (signal 9); "


def failed_on_rq(word: str, why: str, *, queue: str = "default", score: int | None = None):
    """A job RQ failed with `why`, as its worker or clean-up records it; `score` is its
    place among the failed jobs (the later it failed, the higher)."""
    import django_rq
    from django_tasks_rq.backend import Job
    from rq.job_lifecycle import record_job_failure

    rq_queue = django_rq.get_queue(queue, job_class=Job)
    job = rq_queue.fetch_job(remember.using(queue_name=queue).enqueue(word).id)
    rq_queue.remove(job)
    with rq_queue.connection.pipeline() as pipeline:
        record_job_failure(job, why, pipeline)
        pipeline.execute()
    if score is not None:
        rq_queue.connection.zadd(rq_queue.failed_job_registry.key, {job.id: score})
    return job


def test_on_rq_the_jobs_go_back_in_the_order_they_failed_within_the_limit(
    db, rq_backend, run_tasks
):
    for n, word in enumerate(["eerst", "toen", "laatst"]):
        failed_on_rq(word, WORK_HORSE_KILLED, score=10**10 + n)
    assert requeue_abandoned(limit=2) == 2
    assert run_tasks() == 2
    assert sorted(RAN) == ["eerst", "toen"]
    assert requeue_abandoned(limit=2) == 1
    assert run_tasks() == 1
    assert RAN[-1] == "laatst"
    assert requeue_abandoned() == 0


def test_on_rq_each_failed_job_is_looked_at_once(db, rq_backend, run_tasks):
    failed_on_rq("geweigerd", "ValueError: refused", score=10**10)
    assert requeue_abandoned() == 0
    # One failed later is found; the cursor keeps the sweep from reading the first again.
    failed_on_rq("later", WORK_HORSE_KILLED, score=10**10 + 5)
    assert requeue_abandoned() == 1
    assert run_tasks() == 1
    assert RAN == ["later"]


def test_on_rq_a_job_failed_in_the_second_the_last_sweep_read_is_found(db, rq_backend, run_tasks):
    second = 10**10
    failed_on_rq("geweigerd", "ValueError: refused", score=second)
    assert requeue_abandoned() == 0
    failed_on_rq("zelfde seconde", WORK_HORSE_KILLED, score=second)
    assert requeue_abandoned() == 1
    assert run_tasks() == 1
    assert RAN == ["zelfde seconde"]


def test_on_rq_a_sweep_reads_a_page_of_failed_jobs_and_the_next_goes_on(
    db, rq_backend, monkeypatch, run_tasks
):
    from halte.core import tasks

    monkeypatch.setattr(tasks, "RQ_SCAN_PER_SWEEP", 2)
    failed_on_rq("een", "ValueError: refused", score=10**10)
    failed_on_rq("twee", "ValueError: refused", score=10**10 + 1)
    failed_on_rq("drie", WORK_HORSE_KILLED, score=10**10 + 2)
    assert requeue_abandoned() == 0
    assert requeue_abandoned() == 1
    assert run_tasks() == 1
    assert RAN == ["drie"]


def test_on_rq_each_requeue_is_counted_up_to_the_cap(db, rq_backend, caplog):
    import django_rq
    from rq.job_lifecycle import record_job_failure

    job = failed_on_rq("steeds", "Moved to FailedJobRegistry, due to AbandonedJobError, at now")
    counts = []
    for _ in range(4):
        counts.append(requeue_abandoned())
        job.refresh()
        if job.get_status() == "queued":
            django_rq.get_queue("default").remove(job)
            with job.connection.pipeline() as pipeline:
                record_job_failure(job, WORK_HORSE_KILLED, pipeline)  # it died again
                pipeline.execute()
    assert counts == [1, 1, 1, 0]
    assert caplog.messages[-1] == (
        f"Job {job.id} (halte.core.tests.test_background_tasks.remember): its worker died"
        " in it 4 times; left with the failed jobs."
    )
    with caplog.at_level(logging.WARNING, logger="halte.core.tasks"):
        assert requeue_abandoned() == 0  # and it is not handled again
    assert sum("left with the failed jobs" in message for message in caplog.messages) == 1


def test_on_rq_a_job_that_failed_without_a_text_is_left(db, rq_backend):
    failed_on_rq("stil", "")
    assert requeue_abandoned() == 0


def test_on_rq_a_job_goes_back_to_its_own_queue(
    db, settings, rq_backend, redis_test_url, run_tasks
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "brieven"]}
    }
    settings.RQ_QUEUES = {**settings.RQ_QUEUES, "brieven": settings.RQ_QUEUES["default"]}
    import django_rq

    job = failed_on_rq("post", WORK_HORSE_KILLED, queue="brieven", score=10**10 + 10)
    # Failed earlier, on the other queue: each queue reads on from its own cursor.
    other = failed_on_rq("eerder", WORK_HORSE_KILLED, score=10**10)
    assert requeue_abandoned() == 2
    assert django_rq.get_queue("brieven").job_ids == [job.id]
    assert django_rq.get_queue("default").job_ids == [other.id]


def test_on_rq_jobs_failed_otherwise_do_not_stop_the_sweep(db, rq_backend, run_tasks):
    import django_rq

    base = 10**10
    capped = failed_on_rq("te vaak", WORK_HORSE_KILLED, score=base)
    capped.connection.set(f"halte:requeue:count:{capped.id}", 3)
    failed_on_rq("geweigerd", "Traceback ...\nValueError: refused", score=base + 1)
    registry = django_rq.get_queue("default").failed_job_registry
    registry.connection.zadd(registry.key, {"verlopen": base + 2})  # its job expired
    failed_on_rq("gestorven", WORK_HORSE_KILLED, score=base + 3)
    assert requeue_abandoned() == 1
    assert run_tasks() == 1
    assert RAN == ["gestorven"]


def test_on_rq_a_job_another_scheduler_took_first_is_not_counted(
    db, rq_backend, monkeypatch, run_tasks
):
    from rq.registry import FailedJobRegistry

    taken = failed_on_rq("al weg", WORK_HORSE_KILLED, score=10**10)
    failed_on_rq("nog hier", WORK_HORSE_KILLED, score=10**10 + 1)
    requeue = FailedJobRegistry.requeue

    def taken_first(registry, job, *args, **kwargs):
        if job.id == taken.id:  # another scheduler's ZREM came first
            registry.connection.zrem(registry.key, job.id)
        return requeue(registry, job, *args, **kwargs)

    monkeypatch.setattr(FailedJobRegistry, "requeue", taken_first)
    assert requeue_abandoned() == 1
    assert taken.connection.get(f"halte:requeue:count:{taken.id}") == b"0"
    assert run_tasks() == 1
    assert RAN == ["nog hier"]


def test_on_rq_what_the_sweep_keeps_expires(db, rq_backend):
    job = failed_on_rq("weg", WORK_HORSE_KILLED)
    failure = job.latest_result()
    assert requeue_abandoned() == 1
    redis = job.connection
    for key in (f"halte:requeue:handled:{failure.id}", f"halte:requeue:count:{job.id}"):
        assert 29 * 24 * 3600 < redis.ttl(key) <= 30 * 24 * 3600


def test_on_rq_a_failed_job_without_a_result_is_left(db, rq_backend):
    import django_rq
    from django_tasks_rq.backend import Job

    rq_queue = django_rq.get_queue("default", job_class=Job)
    job = rq_queue.fetch_job(remember.enqueue("zonder").id)
    rq_queue.remove(job)
    rq_queue.failed_job_registry.add(job, exc_string=WORK_HORSE_KILLED)  # no Result kept
    assert job.latest_result() is None
    assert requeue_abandoned() == 0
