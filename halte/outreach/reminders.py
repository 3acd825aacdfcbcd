"""The reminder the day before an intake: once a day, for the intakes planned on the
next day. An intake moved after its reminder went gets a reminder of its new time."""

import datetime

from django.utils import timezone

from halte.journey.models import OPEN_STAGES, Intake
from halte.outreach.compose import compose
from halte.outreach.models import Trigger
from halte.outreach.triggers import intake_occasion


def remind_intakes(day: datetime.date) -> int:
    """Queue the reminders for the intakes planned on `day` and not yet held; returns
    how many messages were queued now (none the second time)."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    intakes = Intake.objects.select_related("referral", "held_by").filter(
        planned_at__gte=start,
        planned_at__lt=start + datetime.timedelta(days=1),
        held_at__isnull=True,
        referral__stage__in=OPEN_STAGES,
    )
    return sum(len(compose(intake_occasion(intake, Trigger.INTAKE_REMINDER))) for intake in intakes)
