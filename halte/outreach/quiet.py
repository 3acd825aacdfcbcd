"""Quiet hours: no text message is sent at night. A message composed in the quiet
hours waits until they end (settings SMS_QUIET_START and SMS_QUIET_END, local time)."""

import datetime

from django.conf import settings
from django.utils import timezone


def is_quiet(moment: datetime.time, start: datetime.time, end: datetime.time) -> bool:
    if start == end:
        return False  # no quiet hours
    if start < end:  # within one day, e.g. 13:00-14:00
        return start <= moment < end
    return moment >= start or moment < end  # across midnight, e.g. 21:00-08:00


def next_allowed(now: datetime.datetime) -> datetime.datetime:
    """`now`, or the end of the quiet hours `now` falls in."""
    start, end = settings.SMS_QUIET_START, settings.SMS_QUIET_END
    local = timezone.localtime(now)
    if not is_quiet(local.time(), start, end):
        return now
    day = local.date() if local.time() < end else local.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, end))
