"""Journey's daily task, run by a worker (run_tasks), announces the waiting updates due
on the day its slot ends in, as the service does."""

import datetime
import zoneinfo

import pytest
import time_machine
from django_tasks import TaskResultStatus

from halte.core.schedule import PERIODIC_JOBS, finished_slots, slots_between
from halte.journey import tasks
from halte.journey.events import WaitingListUpdateDue
from halte.journey.tests.test_events import waiting_client

pytestmark = pytest.mark.django_db

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
DAY = datetime.timedelta(days=1)


def job():
    return next(job for job in PERIODIC_JOBS.providers if job.name == "journey.waiting_updates_due")


def test_the_job_is_registered_daily_at_six():
    assert (job().task, job().at) == (tasks.publish_waiting_updates_due, datetime.time(6, 0))


def test_the_slot_ending_at_six_announces_the_updates_due_that_day(
    personas, teams, published, run_tasks
):
    today = datetime.date(2026, 11, 30)
    due_today = waiting_client(personas, teams, today)
    waiting_client(personas, teams, today - DAY)  # announced the day before
    waiting_client(personas, teams, today + DAY)
    waiting_client(personas, teams, today, left=True)  # no longer waiting
    six = datetime.datetime.combine(today, datetime.time(6, 0), AMSTERDAM)
    (slot,) = finished_slots(job(), six, 1)
    with published() as seen, time_machine.travel(six, tick=False):
        result = tasks.publish_waiting_updates_due.enqueue(**slot.task_kwargs())
        run_tasks()  # and what the higher apps enqueue on the events
    assert [(type(event), event.entry_id, event.due_on) for event in seen] == [
        (WaitingListUpdateDue, due_today.pk, today)
    ]
    result.refresh()
    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, 1)


def test_the_days_around_a_dst_change_are_each_announced_once(
    personas, teams, published, run_tasks
):
    change = datetime.date(2026, 10, 25)
    entries = {
        day: waiting_client(personas, teams, day) for day in (change - DAY, change, change + DAY)
    }
    start = datetime.datetime.combine(change - 2 * DAY, datetime.time(12), AMSTERDAM)
    with published() as seen:
        for slot in slots_between(job(), start, start + 3 * DAY):
            tasks.publish_waiting_updates_due.enqueue(**slot.task_kwargs())
        assert run_tasks() >= 3
    assert [(event.entry_id, event.due_on) for event in seen] == [
        (entry.pk, day) for day, entry in entries.items()
    ]
