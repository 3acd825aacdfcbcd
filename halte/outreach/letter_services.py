"""Letters' print batches: a letter joins the batch of its day, the daily job closes
the days before (ready to print), and staff mark a batch printed.

A batch is made when its first letter joins it, so there are no empty batches.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halte.audit.context import Actor
from halte.audit.models import Action
from halte.audit.services import audit_record_listing
from halte.core.errors import Conflict
from halte.outreach.letters import letters_pdf, postcode_key
from halte.outreach.models import LetterBatch, Message

STILL_COLLECTING = _("These letters are still being collected; they can be printed tomorrow.")


class BatchClosed(Exception):
    """The day's batch was closed before the letter could join it."""


def put_in_batch(message: Message) -> LetterBatch:
    """Add the letter to today's batch and return the batch. A letter already in a
    batch stays where it is: handing it over twice prints it once."""
    with transaction.atomic():
        current = (
            Message.objects.select_for_update().values_list("letter_batch_id", flat=True)
        ).get(pk=message.pk)
        if current is not None:
            batch = LetterBatch.objects.get(pk=current)
        else:
            # Locked, so the daily job cannot close the batch while the letter joins.
            batch, _created = LetterBatch.objects.select_for_update().get_or_create(
                day=timezone.localdate()
            )
            if batch.closed_at is not None:
                raise BatchClosed
            Message.objects.filter(pk=message.pk).update(letter_batch=batch)
    message.letter_batch = batch
    return batch


def close_batches(until: datetime.datetime) -> list[int]:
    """Close every open batch of a day before `until`'s day (and before today: the day
    still running keeps collecting). Returns the ids it closed; a second run closes
    none. A missed day is closed by the next run."""
    last_day = min(timezone.localdate(until), timezone.localdate())
    with transaction.atomic():
        ids = list(
            LetterBatch.objects.select_for_update()
            .filter(day__lt=last_day, closed_at__isnull=True)
            .values_list("pk", flat=True)
        )
        LetterBatch.objects.filter(pk__in=ids).update(closed_at=timezone.now())
    return ids


def batch_letters(batch: LetterBatch) -> list[Message]:
    """The batch's letters in the order the post wants them: by postcode."""
    letters = list(
        Message.objects.filter(letter_batch=batch).select_related(
            "client", "client__team", "letter_batch"
        )
    )
    letters.sort(key=lambda message: (postcode_key(message.address), message.pk))
    return letters


def batch_pdf(batch: LetterBatch) -> bytes:
    """The closed batch as one PDF: the one laid out when it closed, or else laid out
    now and kept. A closed batch takes no more letters, so the kept PDF stays true."""
    if batch.closed_at is None:
        raise Conflict(STILL_COLLECTING)
    if batch.pdf is not None:
        return bytes(batch.pdf)
    pdf = letters_pdf(batch_letters(batch))
    LetterBatch.objects.filter(pk=batch.pk, pdf__isnull=True).update(pdf=pdf)
    batch.pdf = pdf
    return pdf


def mark_printed(actor: Actor, batch_pk: int) -> LetterBatch:
    """Record who printed the batch, and when. Marking it again changes nothing; an
    open batch (still collecting) is refused with Conflict."""
    with transaction.atomic():
        batch = LetterBatch.objects.select_for_update().get(pk=batch_pk)
        if batch.closed_at is None:
            raise Conflict(STILL_COLLECTING)
        if batch.printed_at is not None:
            return batch
        batch.printed_at = timezone.now()
        batch.printed_by = actor.user
        batch.save(update_fields=["printed_at", "printed_by"])
        client_ids = batch.letters.values_list("client_id", flat=True)
        audit_record_listing(actor, action=Action.UPDATE, part="letters", client_ids=client_ids)
    return batch
