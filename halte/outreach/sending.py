"""Handing queued messages to their channel, once.

A worker claims a message (queued -> sending) with one conditional UPDATE, so two
workers never both take it; it then hands it over and marks it sent (with the
outgoing contact on the client's timeline) or, on a temporary failure, queues it
again with a growing wait. A worker that dies between claim and mark leaves the
message `sending`: `recover_stalled` later marks it `uncertain` for staff to look
at, and never sends it again by itself, so no message reaches anyone twice. A worker
that dies after the queue claimed the send task but before the message's claim
leaves the message `queued` with a task no worker runs again (the database queue
keeps it `RUNNING`): `due_without_task` finds it and the sweep enqueues it anew;
the message's own claim keeps that from sending twice."""

import datetime
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from halte.audit.context import Actor
from halte.contact import services as contact_services
from halte.contact.models import Direction, InteractionOutcome
from halte.outreach import channels
from halte.outreach.models import Message, MessageChannel, MessageStatus, Trigger

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# Waits before attempt 2, 3, ...: a server that is down for an afternoon is waited out.
BACKOFF = [
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=6),
]
# A message `sending` for longer than this was left by a worker that stopped.
STALLED_AFTER = datetime.timedelta(minutes=10)
SYSTEM = "outreach"
# How much of a message's text its timeline entry shows.
SUMMARY_LENGTH = 160


def send(message_id: int, *, now: datetime.datetime | None = None) -> str:
    """Hand one message over if it is queued and due; returns its status after."""
    now = now or timezone.now()
    claimed = Message.objects.filter(
        pk=message_id, status=MessageStatus.QUEUED, send_after__lte=now
    ).update(status=MessageStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    message = Message.objects.select_related("client").filter(pk=message_id).first()
    if message is None:
        return "missing"
    if not claimed:
        return message.status
    try:
        reference = channels.deliver(message)
    except channels.DeliveryError as error:
        if error.maybe_sent:
            return _uncertain(message, error.code)
        return _failed(message, error.code, temporary=error.temporary, now=now)
    except Exception as error:  # a fault of ours or a library's: try again later
        logger.error("Sending message %s failed: %s.", message.pk, type(error).__name__)
        return _failed(message, f"error_{type(error).__name__}", temporary=True, now=now)
    _sent(message, reference)
    return MessageStatus.SENT


def _sent(message: Message, reference: str) -> None:
    with transaction.atomic():
        message.status = MessageStatus.SENT
        message.sent_at = timezone.now()
        message.provider_id = reference[:200]
        message.last_error = ""
        message.interaction = _timeline_entry(message)
        message.save(
            update_fields=["status", "sent_at", "provider_id", "last_error", "interaction"]
        )


def _timeline_entry(message: Message):
    """The message as an outgoing contact on the client's timeline."""
    with translation.override(message.language):
        topic = message.subject or str(Trigger(message.trigger).label)
    return contact_services.interaction_log(
        actor=Actor.system(SYSTEM),
        client=message.client,
        relation=message.relation,
        channel=message.channel,
        direction=Direction.OUT,
        topic=topic[:200],
        summary=_summary(message),
        outcome=InteractionOutcome.RESOLVED,
    )


def _summary(message: Message) -> str:
    """The timeline's line for a message: to whom and how, and the text's opening
    (the whole text is in the outbox)."""
    with translation.override(message.language):
        how = str(MessageChannel(message.channel).label).lower()
    opening = " ".join(message.body.split())
    if len(opening) > SUMMARY_LENGTH:
        opening = opening[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    return f"{message.recipient_name} ({how}): {opening}"


def _failed(message: Message, code: str, *, temporary: bool, now) -> str:
    retry = temporary and message.attempts < MAX_ATTEMPTS
    fields = {"last_error": code[:100], "claimed_at": None}
    if retry:
        wait = BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
        fields |= {"status": MessageStatus.QUEUED, "send_after": now + wait}
    else:
        fields |= {"status": MessageStatus.FAILED}
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(**fields)
    logger.warning(
        "Message %s not sent (%s, attempt %s)%s.",
        message.pk,
        code,
        message.attempts,
        "; trying again later" if retry else "",
    )
    if retry:
        from halte.outreach import tasks

        tasks.enqueue_send(message, run_after=fields["send_after"])
    return fields["status"]


def _uncertain(message: Message, code: str) -> str:
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.UNCERTAIN, last_error=code[:100], claimed_at=None
    )
    logger.warning("Message %s may or may not have left (%s).", message.pk, code)
    return MessageStatus.UNCERTAIN


def recover_stalled(now: datetime.datetime | None = None) -> int:
    """Mark messages a stopped worker left `sending` as `uncertain`: they may or may
    not have left, so they are not sent again without a person deciding."""
    now = now or timezone.now()
    return Message.objects.filter(
        status=MessageStatus.SENDING, claimed_at__lt=now - STALLED_AFTER
    ).update(status=MessageStatus.UNCERTAIN, last_error="worker_stopped")


def due_without_task(now: datetime.datetime | None = None) -> list[int]:
    """Queued messages overdue by more than the stall time: their task was lost (a
    queue emptied, a worker killed after the queue claimed the task). Sending them
    again is safe: the claim holds."""
    now = now or timezone.now()
    return list(
        Message.objects.filter(
            status=MessageStatus.QUEUED, send_after__lt=now - STALLED_AFTER
        ).values_list("pk", flat=True)[:10_000]
    )


def resend(message: Message) -> Message:
    """Staff put a failed or uncertain message back in the queue."""
    Message.objects.filter(
        pk=message.pk, status__in=[MessageStatus.FAILED, MessageStatus.UNCERTAIN]
    ).update(status=MessageStatus.QUEUED, send_after=timezone.now(), last_error="")
    message.refresh_from_db()
    if message.status == MessageStatus.QUEUED:
        from halte.outreach import tasks

        transaction.on_commit(lambda: tasks.enqueue_send(message))
    return message


def cancel(message: Message) -> bool:
    """Staff give up on a failed, uncertain or still queued message."""
    return bool(
        Message.objects.filter(
            pk=message.pk,
            status__in=[MessageStatus.FAILED, MessageStatus.UNCERTAIN, MessageStatus.QUEUED],
        ).update(status=MessageStatus.CANCELLED)
    )
