"""Background work: enqueueing it beside a write, and taking back what a stopped
worker left running."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# Tasks requeued per sweep (each minute), so that a mass of them comes back gradually.
REQUEUE_PER_SWEEP = 100
# How often a task whose worker died is queued again: one that kills its worker each
# time (out of memory, say) is left failed after that, on either queue.
MAX_REQUEUES = 3
# What RQ records as the failure of a job whose worker died: its work horse killed,
# or the whole worker gone (its heartbeat lapsed: RQ calls the job abandoned).
RQ_WORKER_DIED = ("Work-horse terminated unexpectedly", "AbandonedJobError")
# Failed jobs the RQ sweep looks at, at most, per queue and sweep.
RQ_SCAN_PER_SWEEP = 1000
# The RQ sweep's keys: per queue, the failed jobs' score it has read up to; per failure
# (an RQ result), that a sweep handled it; per job, how often it was requeued (INCR).
RQ_CURSOR_KEY = "halte:requeue:cursor:{queue}"
RQ_HANDLED_KEY = "halte:requeue:handled:{result}"
RQ_COUNT_KEY = "halte:requeue:count:{job}"
RQ_KEYS_KEPT = 30 * 24 * 3600  # seconds


class WorkerDied(Exception):
    """The task's worker died in it more often than it is queued again (MAX_REQUEUES)."""


def enqueue_in_transaction(task, *args, **kwargs) -> None:
    """Enqueue `task` so that it exists exactly when the current transaction commits.

    On the database queue the task row is written in this transaction: it commits
    with the write (no commit of its own) or not at all. A queue elsewhere (RQ on
    Redis) gets it after the commit, so that no worker reads a write that is not
    there yet, or was undone."""
    from django_tasks_db import DatabaseBackend

    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def requeue_abandoned(
    now: datetime.datetime | None = None, *, limit: int = REQUEUE_PER_SWEEP
) -> int:
    """Put the tasks that a killed worker left behind back on their queue, `limit` at
    most per queue; returns how many.

    A worker killed mid-task (SIGKILL, out of memory, its machine gone) leaves its task
    behind: a promise's chase or a slot's job would never happen. On the database queue
    the task stays `RUNNING`, and no worker takes a running task. That queue has no
    heartbeat, so a task still running after TASK_ABANDONED_AFTER_MINUTES (longer than
    any of Halte's tasks takes, the mark at which RQ stops a job) counts as abandoned:
    it becomes `READY` again in its own row, the oldest first, and after MAX_REQUEUES
    `FAILED` (WorkerDied). Halte's tasks are idempotent, so one that was only slow and
    runs twice does no harm. RQ: `requeue_rq_worker_died`."""
    return sum(requeue(row) for row in abandoned_tasks(now)[:limit]) + requeue_rq_worker_died(
        limit=limit
    )


def abandoned_tasks(now: datetime.datetime | None = None):
    """The database queue's tasks running since before the limit, the oldest first."""
    from django_tasks import TaskResultStatus
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backends = [backend.alias for backend in _backends_of(DatabaseBackend)]
    cutoff = (now or timezone.now()) - datetime.timedelta(
        minutes=settings.TASK_ABANDONED_AFTER_MINUTES
    )
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, backend_name__in=backends, started_at__lt=cutoff
    ).order_by("started_at")


def requeue(row) -> bool:
    """Make an abandoned task `READY` again, or `FAILED` once its workers died in it
    MAX_REQUEUES + 1 times (each claim adds one to `worker_ids`); nothing when it
    changed since it was read (another scheduler took it, a worker claimed it anew, a
    slow one finished): two sweeps act on it once. Returns whether it was requeued."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    unchanged = DBTaskResult.objects.filter(
        pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
    )
    worker = row.worker_ids[-1] if row.worker_ids else "?"
    if len(row.worker_ids) > MAX_REQUEUES:
        if unchanged.update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
            traceback=f"{WorkerDied.__qualname__}: {len(row.worker_ids)} workers died in it",
        ):
            logger.error(
                "Task %s (%s): its worker died in it %d times, the last %s; left failed.",
                row.pk,
                row.task_path,
                len(row.worker_ids),
                worker,
            )
        return False
    if not unchanged.update(status=TaskResultStatus.READY, started_at=None):
        return False
    logger.warning(
        "Task %s (%s) was left running by worker %s since %s; queued again.",
        row.pk,
        row.task_path,
        worker,
        row.started_at.isoformat(),
    )
    return True


def requeue_rq_worker_died(*, limit: int = REQUEUE_PER_SWEEP) -> int:
    """Put RQ's jobs whose worker died back on their queue; returns how many.

    RQ moves such a job to its failed jobs: at once when its work horse was killed,
    and when the whole worker was, once its heartbeat has lapsed (about 90 seconds) and
    a live worker's upkeep notices (within minutes). The failed jobs are read in the
    order they failed, on from where the last sweep stopped (a cursor per queue, kept
    in Redis), RQ_SCAN_PER_SWEEP at most; each failure of that kind is handled once,
    and its job requeued, MAX_REQUEUES times at most (counted atomically). A job that failed by
    raising stays where it is. Two schedulers requeue a job once (RQ takes it from the
    failed jobs with one ZREM)."""
    from django_tasks_rq import RQBackend

    queue_names = {name for backend in _backends_of(RQBackend) for name in backend.queues}
    return sum(_requeue_worker_died(name, limit) for name in sorted(queue_names))


def _requeue_worker_died(queue_name: str, limit: int) -> int:
    import django_rq
    from django_tasks_rq.backend import Job
    from rq.exceptions import InvalidJobOperation

    queue = django_rq.get_queue(queue_name, job_class=Job)
    failed, redis = queue.failed_job_registry, queue.connection
    cursor_key = RQ_CURSOR_KEY.format(queue=queue_name)
    # A failed job's score is when it failed, in whole seconds (plus one fixed keeping
    # time): read on from the last sweep's, that second included, as another job may
    # have failed in it since; a failure already handled is marked.
    cursor = redis.get(cursor_key)
    seen = redis.zrangebyscore(
        failed.key,
        float(cursor) if cursor else "-inf",
        "+inf",
        start=0,
        num=RQ_SCAN_PER_SWEEP,
        withscores=True,
    )
    requeued = 0
    for member, score in seen:
        if requeued == limit:
            break
        cursor = score
        job = queue.fetch_job(member.decode())  # RQ's Redis answers in bytes
        failure = job.latest_result() if job is not None else None
        if not _worker_died(failure) or not redis.set(
            RQ_HANDLED_KEY.format(result=failure.id), 1, nx=True, ex=RQ_KEYS_KEPT
        ):
            continue
        count_key = RQ_COUNT_KEY.format(job=job.id)
        times = redis.incr(count_key)
        redis.expire(count_key, RQ_KEYS_KEPT)
        if times > MAX_REQUEUES:
            logger.error(
                "Job %s (%s): its worker died in it %d times; left with the failed jobs.",
                job.id,
                job.func_name,
                times,
            )
            continue
        try:
            failed.requeue(job)
        except InvalidJobOperation:  # no longer failed: someone requeued or removed it
            redis.decr(count_key)
            continue
        requeued += 1
        logger.warning(
            "Job %s (%s) lost its worker; queued again (%d of %d).",
            job.id,
            job.func_name,
            times,
            MAX_REQUEUES,
        )
    if cursor is not None:
        redis.set(cursor_key, repr(float(cursor)))
    return requeued


def _worker_died(failure) -> bool:
    text = getattr(failure, "exc_string", None) or ""
    return any(mark in text for mark in RQ_WORKER_DIED)


def _backends_of(kind) -> list:
    """The configured task backends of class `kind`."""
    from django_tasks import task_backends

    return [
        task_backends[alias] for alias in settings.TASKS if isinstance(task_backends[alias], kind)
    ]
