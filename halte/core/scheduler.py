"""What `manage.py scheduler` does at each slot's end: claim the slot, enqueue its task.

The claim is a row in ScheduledSlot with a unique (job, slot_start); whichever
scheduler inserts it first enqueues, a second one's insert fails and it moves on.

- On the database queue (django-tasks-db) the claim and the task are rows in the same
  database, written in one transaction: both or neither.
- On a queue outside the database (RQ) the task is enqueued once the claim has
  committed (enqueued first, a rolled-back claim would leave a task nobody accounts
  for, and a second scheduler could enqueue it again). A scheduler that dies between
  the commit and the enqueue, or finds Redis down, leaves a claim without
  `enqueued_at`; `retry_unenqueued` enqueues it a minute later. In that rare case a
  slot may run twice, which the tasks tolerate (halte/core/schedule.py).
"""

import datetime
import logging
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from halte.core.models import ScheduledSlot
from halte.core.schedule import PERIODIC_JOBS, PeriodicJob, Slot, finished_slots

logger = logging.getLogger(__name__)

# A claim whose enqueue did not follow within this time is retried.
RETRY_AFTER = datetime.timedelta(minutes=1)
# Claims are kept this long, then pruned; older slots are never caught up anyway.
KEEP_CLAIMS = datetime.timedelta(days=30)


def enqueue_due(
    now: datetime.datetime | None = None,
    *,
    catch_up: int = 1,
    jobs: tuple[PeriodicJob, ...] | None = None,
) -> int:
    """Enqueue the last `catch_up` finished slots of each job that no scheduler has
    claimed yet; returns how many this call enqueued. One query per job when there
    is nothing to do."""
    now = now or timezone.now()
    enqueued = 0
    for job in PERIODIC_JOBS.providers if jobs is None else jobs:
        slots = finished_slots(job, now, catch_up)
        claimed = set(
            ScheduledSlot.objects.filter(
                job=job.name, slot_start__in=[slot.start for slot in slots]
            ).values_list("slot_start", flat=True)
        )
        for slot in slots:
            if slot.start not in claimed and claim_and_enqueue(job, slot, now=now):
                enqueued += 1
    return enqueued


def claim_and_enqueue(job: PeriodicJob, slot: Slot, *, now: datetime.datetime) -> bool:
    """Claim `slot` and enqueue its task; False when another scheduler claimed it."""
    try:
        with transaction.atomic():
            claim = ScheduledSlot.objects.create(
                job=job.name, slot_start=slot.start, slot_end=slot.end, claimed_at=now
            )
            if isinstance(job.task.get_backend(), DatabaseBackend):
                _enqueue(job, claim)
            else:
                transaction.on_commit(partial(_enqueue_after_commit, job, claim))
    except IntegrityError:
        logger.info("Slot %s of %s was claimed by another scheduler.", slot.start, job.name)
        return False
    return True


def _enqueue(job: PeriodicJob, claim: ScheduledSlot) -> None:
    slot = Slot(claim.slot_start, claim.slot_end)
    result = job.task.enqueue(**slot.task_kwargs())
    ScheduledSlot.objects.filter(pk=claim.pk).update(
        enqueued_at=timezone.now(), task_result_id=str(result.id)
    )
    logger.info("Enqueued %s for %s to %s.", job.name, slot.start, slot.end)


def _enqueue_after_commit(job: PeriodicJob, claim: ScheduledSlot) -> None:
    try:
        _enqueue(job, claim)
    except Exception as error:
        # Redis down, say: the claim stays without enqueued_at and is retried.
        logger.error("Enqueueing %s failed (%s); retried later.", job.name, type(error).__name__)


def retry_unenqueued(now: datetime.datetime | None = None) -> int:
    """Enqueue the claims older than RETRY_AFTER whose enqueue never happened (only on
    a queue outside the database); returns how many. Each is taken over by moving
    its claimed_at, so two schedulers retrying at once enqueue it once."""
    now = now or timezone.now()
    jobs = {job.name: job for job in PERIODIC_JOBS.providers}
    stale = ScheduledSlot.objects.filter(
        enqueued_at__isnull=True,
        claimed_at__lt=now - RETRY_AFTER,
        slot_end__gte=now - KEEP_CLAIMS,
        job__in=jobs,
    )
    retried = 0
    for claim in stale:
        taken = ScheduledSlot.objects.filter(
            pk=claim.pk, enqueued_at__isnull=True, claimed_at=claim.claimed_at
        ).update(claimed_at=now)
        if taken:
            _enqueue_after_commit(jobs[claim.job], claim)
            retried += 1
    return retried


def prune(now: datetime.datetime | None = None) -> int:
    """Forget the claims of slots that ended more than KEEP_CLAIMS ago."""
    now = now or timezone.now()
    deleted, _ = ScheduledSlot.objects.filter(slot_end__lt=now - KEEP_CLAIMS).delete()
    return deleted
