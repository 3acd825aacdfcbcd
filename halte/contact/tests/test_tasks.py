"""Contact's periodic tasks, run by a worker (run_tasks), do what the services do for
the scheduler's slot: announce the promises due, end the stale calls."""

import datetime

import pytest
import time_machine
from django_tasks import TaskResultStatus

from halte.audit.context import Actor
from halte.clients.tests.factories import ClientFactory
from halte.contact import tasks
from halte.contact.events import PromiseNearlyDue, PromiseOverdue
from halte.contact.models import CallState, Interaction, ServiceLevelPolicy
from halte.contact.services import call_event_register, commitment_create
from halte.core.schedule import PERIODIC_JOBS, Slot

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 24, 9, 15, tzinfo=datetime.UTC)
MINUTE, HOUR = datetime.timedelta(minutes=1), datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _at_start():
    with time_machine.travel(START, tick=False):
        yield


def promise(personas, client, due_at):
    return commitment_create(
        actor=Actor(personas["front_office"]),
        client=client,
        owner_team=client.team,
        kind="callback",
        description="Terugbellen over de planning",
        callback_number="06 12345678",
        due_at=due_at,
    )


def test_the_jobs_are_registered_every_five_minutes():
    jobs = {job.name: job for job in PERIODIC_JOBS.providers}
    assert jobs["contact.promises_due"].task is tasks.publish_promises_due
    assert jobs["contact.stale_calls"].task is tasks.close_stale_calls
    assert {jobs[name].every for name in ("contact.promises_due", "contact.stale_calls")} == {
        5 * MINUTE
    }


def test_the_promises_task_announces_the_slot_with_the_policys_warning_time(
    personas, teams, published, run_tasks
):
    policy = ServiceLevelPolicy.current()
    policy.warn_before_minutes = 120
    policy.save()
    client = ClientFactory(team=teams["noord"])
    slot = Slot(START + HOUR, START + HOUR + 5 * MINUTE)
    overdue = promise(personas, client, due_at=slot.start + MINUTE)
    nearly = promise(personas, client, due_at=slot.start + 2 * HOUR + MINUTE)
    promise(personas, client, due_at=slot.start + HOUR)  # in neither window
    with published() as seen:
        result = tasks.publish_promises_due.enqueue(**slot.task_kwargs())
        run_tasks()  # and what the higher apps enqueue on the events
    assert [(type(event), event.commitment_id) for event in seen] == [
        (PromiseNearlyDue, nearly.pk),
        (PromiseOverdue, overdue.pk),
    ]
    result.refresh()
    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, 2)


def test_consecutive_slots_announce_each_promise_once(personas, teams, published, run_tasks):
    client = ClientFactory(team=teams["noord"])
    kept_for = promise(personas, client, due_at=START + 3 * HOUR)
    with published() as seen:
        for minutes in range(0, 4 * 60, 5):
            start = START + minutes * MINUTE
            tasks.publish_promises_due.enqueue(**Slot(start, start + 5 * MINUTE).task_kwargs())
        assert run_tasks() >= 48
    assert [(type(event), event.commitment_id) for event in seen] == [
        (PromiseNearlyDue, kept_for.pk),
        (PromiseOverdue, kept_for.pk),
    ]


def test_a_task_given_no_slot_fails_and_announces_nothing(published, run_tasks):
    with published() as seen:
        result = tasks.publish_promises_due.enqueue(since="yesterday", until="today")
        assert run_tasks() == 1
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert seen == []


def test_the_stale_calls_task_ends_the_calls_past_their_time_out(client_noord, run_tasks):
    call = call_event_register(
        call_id="call-1", event="ringing", caller="06-12345678", agent_extension="201", at=START
    ).interaction
    slot = Slot(START + 10 * MINUTE, START + 15 * MINUTE)
    with time_machine.travel(slot.end, tick=False):
        result = tasks.close_stale_calls.enqueue(**slot.task_kwargs())
        assert run_tasks() == 1
    closed = Interaction.objects.get(pk=call.pk)
    assert (closed.call_state, closed.ended_at, closed.call_timed_out) == (
        CallState.ENDED,
        START + 10 * MINUTE,
        True,
    )
    result.refresh()
    assert result.return_value == 1
