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
# How often RQ's job whose worker died is requeued: one that kills its worker each
# time (out of memory, say) stays with the failed jobs after that.
RQ_REQUEUES = 3
# What RQ records as the failure of a job whose worker died: its work horse killed
# (at once), or the whole worker gone (once the job's timeout has passed).
RQ_WORKER_DIED = ("Work-horse terminated unexpectedly", "AbandonedJobError")


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
    """Put the database queue's tasks that a stopped worker left `RUNNING` back on the
    queue, the oldest first, `limit` at most; returns how many.

    A worker killed mid-task (SIGKILL, out of memory, its machine gone) leaves its task
    `RUNNING`, and no worker takes a running task: a promise's chase or a slot's job
    would never happen. The queue has no heartbeat, so a task still running after
    TASK_ABANDONED_AFTER_MINUTES (longer than any of Halte's tasks takes, the mark at
    which RQ stops a job) counts as abandoned. It becomes `READY` again in its own
    row, which keeps the workers that tried it. Halte's tasks are idempotent, so one
    that was only slow and runs twice does no harm. On RQ: `requeue_rq_worker_died`."""
    return sum(requeue(row) for row in abandoned_tasks(now)[:limit]) + requeue_rq_worker_died(
        limit=limit
    )


def abandoned_tasks(now: datetime.datetime | None = None):
    """The database queue's tasks running since before the limit, the oldest first."""
    from django_tasks import TaskResultStatus, task_backends
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backends = [
        alias for alias in settings.TASKS if isinstance(task_backends[alias], DatabaseBackend)
    ]
    cutoff = (now or timezone.now()) - datetime.timedelta(
        minutes=settings.TASK_ABANDONED_AFTER_MINUTES
    )
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, backend_name__in=backends, started_at__lt=cutoff
    ).order_by("started_at")


def requeue(row) -> bool:
    """Make an abandoned task `READY` again, unless it changed since it was read (another
    scheduler requeued it, and a worker took it anew): two sweeps requeue it once."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    taken = DBTaskResult.objects.filter(
        pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
    ).update(status=TaskResultStatus.READY, started_at=None)
    if taken:
        logger.warning(
            "Task %s (%s) was left running by worker %s since %s; queued again.",
            row.pk,
            row.task_path,
            row.worker_ids[-1] if row.worker_ids else "?",
            row.started_at.isoformat(),
        )
    return bool(taken)


def requeue_rq_worker_died(*, limit: int = REQUEUE_PER_SWEEP) -> int:
    """Put RQ's jobs whose worker died back on their queue; returns how many.

    RQ moves such a job to its failed jobs: at once when its work horse was killed,
    once its timeout has passed when the whole worker was. Of the `limit` that failed
    last, each that failed so is requeued, RQ_REQUEUES times at most. A job that
    failed by raising stays where it is. Two schedulers requeue a job once (RQ takes
    it from the failed jobs with one ZREM)."""
    from django_tasks import task_backends
    from django_tasks_rq import RQBackend

    queue_names = {
        name
        for alias in settings.TASKS
        if isinstance(backend := task_backends[alias], RQBackend)
        for name in backend.queues
    }
    return sum(_requeue_worker_died(name, limit) for name in sorted(queue_names))


def _requeue_worker_died(queue_name: str, limit: int) -> int:
    import django_rq
    from django_tasks_rq.backend import Job
    from rq.exceptions import InvalidJobOperation

    queue = django_rq.get_queue(queue_name, job_class=Job)
    failed = queue.failed_job_registry
    requeued = 0
    for job_id in failed.get_job_ids(0, limit - 1, desc=True):
        job = queue.fetch_job(job_id)
        if job is None or not _worker_died(job):
            continue
        times = job.meta.get("halte_requeued", 0)
        if times >= RQ_REQUEUES:
            continue
        job.meta["halte_requeued"] = times + 1
        job.save_meta()
        try:
            failed.requeue(job)
        except InvalidJobOperation:  # another scheduler took it first
            continue
        requeued += 1
        logger.warning(
            "Job %s (%s) lost its worker; queued again (%d of %d).",
            job.id,
            job.func_name,
            times + 1,
            RQ_REQUEUES,
        )
    return requeued


def _worker_died(job) -> bool:
    failure = getattr(job.latest_result(), "exc_string", None) or ""
    return any(mark in failure for mark in RQ_WORKER_DIED)
