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

Slots are cut in local time (settings.TIME_ZONE): `every` counts from each local
midnight (the last slot of a day ends at the next midnight, so a 23- or 25-hour day
of a DST change still starts its slots at 00:00), `at` is a local wall-clock time
(one slot a day, from one day's `at` to the next; an `at` that a DST change skips is
taken an hour later, one that it repeats the first time). `since` and `until` are
UTC instants.
"""

import datetime
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from halte.core.extensions import ExtensionPoint

UTC = datetime.UTC
ONE_DAY = datetime.timedelta(days=1)


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
        if self.every is not None and not (datetime.timedelta(minutes=1) <= self.every <= ONE_DAY):
            raise ValueError(f"Periodic job {self.name}: `every` lies between 1 minute and 1 day.")


PERIODIC_JOBS: ExtensionPoint[PeriodicJob] = ExtensionPoint("periodic jobs")


@dataclass(frozen=True)
class Slot:
    """[start, end) of one job, as aware UTC datetimes."""

    start: datetime.datetime
    end: datetime.datetime

    def task_kwargs(self) -> dict[str, str]:
        return {"since": self.start.isoformat(), "until": self.end.isoformat()}


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _local_instant(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The UTC instant of a local wall-clock time; see the module's note on DST."""
    local = datetime.datetime.combine(day, time.replace(tzinfo=None, fold=0), local_zone())
    # A skipped wall-clock time round-trips to the hour after; astimezone settles it.
    return local.astimezone(UTC)


def slot_containing(job: PeriodicJob, moment: datetime.datetime) -> Slot:
    """The slot of `job` that `moment` lies in (a slot holds its start, not its end)."""
    moment = moment.astimezone(UTC)
    day = moment.astimezone(local_zone()).date()
    if job.at is not None:
        end = _local_instant(day, job.at)
        if moment < end:
            return Slot(_local_instant(day - ONE_DAY, job.at), end)
        return Slot(end, _local_instant(day + ONE_DAY, job.at))
    midnight = _local_instant(day, datetime.time(0))
    if moment < midnight:  # a zone whose midnight a DST change skips
        day -= ONE_DAY
        midnight = _local_instant(day, datetime.time(0))
    next_midnight = _local_instant(day + ONE_DAY, datetime.time(0))
    start = midnight + ((moment - midnight) // job.every) * job.every
    return Slot(start, min(start + job.every, next_midnight))


def slot_before(job: PeriodicJob, slot: Slot) -> Slot:
    return slot_containing(job, slot.start - datetime.timedelta(microseconds=1))


def finished_slots(job: PeriodicJob, now: datetime.datetime, count: int) -> list[Slot]:
    """The last `count` slots of `job` that ended at or before `now`, oldest first."""
    slot = slot_before(job, slot_containing(job, now))
    slots = [slot]
    while len(slots) < count:
        slot = slot_before(job, slot)
        slots.append(slot)
    return slots[::-1]


def slots_between(
    job: PeriodicJob, start: datetime.datetime, end: datetime.datetime
) -> Iterator[Slot]:
    """The slots of `job` from the one holding `start` to the last ending by `end`."""
    slot = slot_containing(job, start)
    while slot.end <= end:
        yield slot
        slot = slot_containing(job, slot.end)


def next_slot_end(job: PeriodicJob, after: datetime.datetime) -> datetime.datetime:
    """The first moment later than `after` at which a slot of `job` ends."""
    return slot_containing(job, after).end


def registered_jobs() -> tuple[PeriodicJob, ...]:
    """The registered jobs; two of one name would share their claims, so that is refused."""
    jobs = PERIODIC_JOBS.providers
    names = [job.name for job in jobs]
    doubles = sorted({name for name in names if names.count(name) > 1})
    if doubles:
        raise ValueError(f"Periodic jobs registered twice under one name: {', '.join(doubles)}.")
    return jobs


def parse_slot(since: str, until: str) -> Slot:
    """A task's `since`/`until` back as datetimes; a bad value raises ValueError."""
    start = datetime.datetime.fromisoformat(since)
    end = datetime.datetime.fromisoformat(until)
    if start.tzinfo is None or end.tzinfo is None or not start < end:
        raise ValueError(f"Not a slot: {since!r} to {until!r}.")
    return Slot(start.astimezone(UTC), end.astimezone(UTC))


def days_starting_in(slot: Slot) -> tuple[datetime.date, datetime.date]:
    """[first, last) local days whose midnight lies in the slot: a daily job's slot
    covers the day it ends in (06:00 yesterday to 06:00 today: today), and
    consecutive slots cover each day once. Empty when no midnight lies in it."""
    zone = local_zone()

    def first_day_from(moment: datetime.datetime) -> datetime.date:
        day = moment.astimezone(zone).date()
        return day if _local_instant(day, datetime.time(0)) >= moment else day + ONE_DAY

    return first_day_from(slot.start), first_day_from(slot.end)
