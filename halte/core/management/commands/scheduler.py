"""`manage.py scheduler`: enqueue each periodic job's slot at its end, and nothing else.

The tasks run in the workers (`db_worker`, or `rqworker` with HALTE_TASKS=rq). Two
schedulers may run (on two machines, for availability): each slot is claimed in the
database and enqueued once (halte/core/scheduler.py). On start it enqueues the last
SCHEDULER_CATCH_UP_SLOTS finished slots of each job that nobody enqueued, and no
more, so a scheduler that was down for a day does not flood the queue.
"""

import datetime
import logging
import signal

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from halte.core import ratelimit, scheduler, tasks
from halte.core.schedule import PeriodicJob, next_slot_end, registered_jobs

logger = logging.getLogger("halte.core.scheduler")


class SlotTrigger(BaseTrigger):
    """Fires at the end of each slot of a job (APScheduler calls this for the next)."""

    def __init__(self, job: PeriodicJob):
        self.job = job

    def get_next_fire_time(self, previous_fire_time, now):
        return next_slot_end(self.job, previous_fire_time or now)

    def __str__(self):
        return f"slots of {self.job.name}"


def _in_fresh_connection(function, *args):
    _close_old_connections()
    try:
        return function(*args)
    finally:
        _close_old_connections()


def _close_old_connections() -> None:
    """A long-running process drops the connections that broke or outlived
    CONN_MAX_AGE, as Django does around each request; one inside a transaction (a
    test's) is left alone."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def enqueue_job(job: PeriodicJob) -> None:
    catch_up = settings.SCHEDULER_CATCH_UP_SLOTS
    _in_fresh_connection(lambda: scheduler.enqueue_due(catch_up=catch_up, jobs=(job,)))


def housekeeping() -> None:
    _in_fresh_connection(scheduler.retry_unenqueued)
    _in_fresh_connection(scheduler.prune)
    # The sign-in and API counters of ended windows (halte/core/ratelimit.py).
    _in_fresh_connection(ratelimit.prune)
    # Tasks whose worker was killed, on either queue (halte/core/tasks.py); last, as
    # on RQ it needs Redis.
    _in_fresh_connection(tasks.requeue_abandoned)


class Command(BaseCommand):
    help = "Enqueue the periodic jobs' tasks at the end of each slot (runs until stopped)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Enqueue what is due now and stop (for cron or a check).",
        )

    def handle(self, *args, once=False, **options):
        _logging(options["verbosity"])
        try:
            jobs = registered_jobs()
        except ValueError as error:
            raise CommandError(str(error)) from None
        catch_up = settings.SCHEDULER_CATCH_UP_SLOTS
        enqueued = _in_fresh_connection(lambda: scheduler.enqueue_due(catch_up=catch_up))
        housekeeping()
        if once:
            self.stdout.write(f"Enqueued {enqueued} slot(s).")
            return
        runner = BlockingScheduler(
            timezone=datetime.UTC, executors={"default": ThreadPoolExecutor(max_workers=1)}
        )
        for job in jobs:
            # However late a fire comes (a busy database, a suspended machine), it
            # still runs once: it enqueues the slots due by then.
            runner.add_job(
                enqueue_job,
                SlotTrigger(job),
                args=[job],
                id=job.name,
                name=job.name,
                misfire_grace_time=None,
                coalesce=True,
            )
        runner.add_job(housekeeping, IntervalTrigger(minutes=1), id="housekeeping")

        def stop(signum, frame):
            runner.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        names = ", ".join(job.name for job in jobs) or "none"
        logger.info("Scheduler started (jobs: %s; enqueued on start: %d).", names, enqueued)
        runner.start()
        logger.info("Scheduler stopped.")


def _logging(verbosity: int) -> None:
    # Its lines go to the root's console handler (settings.LOGGING).
    logger.setLevel(logging.INFO if verbosity >= 1 else logging.WARNING)
    # APScheduler reports every run at INFO; only its trouble is worth a line.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
