"""Periodic jobs: what the scheduler process (`manage.py scheduler`) enqueues, and when.

An app declares its periodic work in its `AppConfig.ready()`:

    from halte.core.schedule import PERIODIC_JOBS, PeriodicJob

    PERIODIC_JOBS.register(PeriodicJob("promises_due", tasks.publish_promises_due,
                                       every=timedelta(minutes=5)))

The scheduler cuts time into slots (every 5 minutes: 10:00-10:05, 10:05-10:10, ...;
daily at 07:00: one slot a day) and, at each slot's end, enqueues the job's task once
with the slot as `since` and `until` (ISO-8601 strings, as a task's arguments must be
JSON). A slot is enqueued once however many schedulers run; the task itself treats
its slot idempotently, so a slot enqueued late or twice by hand harms nothing.
"""

import datetime
from dataclasses import dataclass

from halte.core.extensions import ExtensionPoint


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    # A django_tasks Task taking keyword arguments `since` and `until` (ISO strings).
    task: object
    # Either a fixed interval from midnight (every=5 minutes), or a daily time (at=07:00).
    every: datetime.timedelta | None = None
    at: datetime.time | None = None

    def __post_init__(self):
        if (self.every is None) == (self.at is None):
            raise ValueError(f"Periodic job {self.name}: give either `every` or `at`.")


PERIODIC_JOBS: ExtensionPoint[PeriodicJob] = ExtensionPoint("periodic jobs")
