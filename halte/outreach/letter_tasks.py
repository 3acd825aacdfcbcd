"""The daily job of the letters: close yesterday's print batch, so that it shows as
ready to print when the post room starts."""

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tasks import task

from halte.core.schedule import PeriodicJob
from halte.outreach.letter_services import close_batches

CLOSE_AT = datetime.time(7, 0)


@task()
def close_letter_batches(since: str, until: str) -> int:
    """The scheduler's slot (`since`, `until`); closes every open batch of the days
    before `until`. Idempotent: a slot run twice closes nothing more."""
    moment = parse_datetime(until)
    if moment is None:
        raise ValueError(f"`until` is not an ISO datetime: {until!r}")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return close_batches(moment)


LETTER_BATCH_JOB = PeriodicJob("close_letter_batches", close_letter_batches, at=CLOSE_AT)
