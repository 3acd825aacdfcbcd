"""Announcements' background work: composing one announcement's messages, and the
job that starts the scheduled ones whose time has come."""

import datetime

from django.utils import timezone
from django_tasks import task

from halte.outreach import announcements

# The scheduler's slot: a scheduled announcement starts within this of its time.
START_EVERY = datetime.timedelta(minutes=1)


@task()
def send_announcement(announcement_id: int) -> int:
    """Compose every recipient's message (each then goes by its own send task)."""
    return announcements.compose_all(announcement_id)


@task()
def start_scheduled_announcements(since: str, until: str) -> list[int]:
    """Every minute: start the announcements scheduled up to the slot's end. One
    scheduled earlier but missed (no scheduler running) starts at the next slot."""
    moment = datetime.datetime.fromisoformat(until)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return announcements.start_due(moment)
