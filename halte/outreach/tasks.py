"""Outreach's background work (Django Tasks API): composing an event's messages,
sending each message, and the periodic sweep."""

import datetime

from django.utils import timezone
from django_tasks import task

from halte.outreach import sending


@task()
def send_message(message_id: int) -> str:
    return sending.send(message_id)


def enqueue_send(message, *, run_after: datetime.datetime | None = None) -> None:
    run_after = run_after or message.send_after
    send = send_message.using(run_after=run_after) if run_after else send_message
    send.enqueue(message.pk)


@task()
def compose_for_event(event_name: str, payload: dict) -> int:
    """Compose the messages an event calls for (halte.outreach.triggers)."""
    from halte.outreach import triggers

    return triggers.handle(event_name, payload)


@task()
def sweep_outbox(since: str, until: str) -> dict:
    """Every few minutes: messages a stopped worker left behind become `uncertain`;
    queued messages whose task was lost are enqueued again."""
    stalled = sending.recover_stalled()
    lost = sending.due_without_task()
    for message_id in lost:
        send_message.enqueue(message_id)
    return {"uncertain": stalled, "requeued": len(lost)}


@task()
def remind_intakes(since: str, until: str) -> int:
    """Daily: remind the clients whose intake is the day after the slot's day."""
    from halte.outreach import reminders

    day = timezone.localtime(datetime.datetime.fromisoformat(until)).date()
    return reminders.remind_intakes(day + datetime.timedelta(days=1))
