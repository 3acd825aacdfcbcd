"""The daily job of the letters: close yesterday's print batch and lay its letters out
as one PDF, so that it is ready to print when the post room starts."""

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tasks import task

from halte.core.schedule import PeriodicJob
from halte.outreach.letter_services import batch_pdf, close_batches
from halte.outreach.models import LetterBatch

CLOSE_AT = datetime.time(7, 0)


@task()
def close_letter_batches(since: str, until: str) -> int:
    """The scheduler's slot (`since`, `until`); closes every open batch of the days
    before `until` and lays it out. Idempotent: a slot run twice closes nothing more.
    Returns how many batches it closed. Should the layout fail, the batch is closed
    all the same and the download lays it out."""
    moment = parse_datetime(until)
    if moment is None:
        raise ValueError(f"`until` is not an ISO datetime: {until!r}")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    closed = close_batches(moment)
    for batch in LetterBatch.objects.filter(pk__in=closed).defer("pdf"):
        batch_pdf(batch)
    return len(closed)


LETTER_BATCH_JOB = PeriodicJob("close_letter_batches", close_letter_batches, at=CLOSE_AT)
