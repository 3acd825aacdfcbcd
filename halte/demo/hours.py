"""When things happen in the demo: on weekdays, in office hours, in Dutch time.

Contacts, promises, referrals and their steps are made by staff at work, so the demo
puts them between OPENS and CLOSES (the service-level policy's default hours) on a
weekday in settings.TIME_ZONE. Public holidays are left out, as elsewhere in the
demo (halte.demo.journey.rows._closing). A story may say otherwise (a care episode
that ends on a Sunday), but a moment made up at random must fit these hours.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

OPENS = time(8, 30)
CLOSES = time(17, 0)
_DAY = timedelta(days=1)


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _at(day: date, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone())


def is_office_time(moment: datetime) -> bool:
    local = moment.astimezone(zone())
    return local.weekday() < 5 and OPENS <= local.time() <= CLOSES


def office_moment(rng, day: date) -> datetime:
    """A moment in office hours on `day`, or on the weekday before it."""
    while day.weekday() >= 5:
        day -= _DAY
    return _at(day, rng.randrange(_minutes(OPENS), _minutes(CLOSES)))


def office_moment_before(rng, moment: datetime) -> datetime:
    """`moment` itself when the office is open then; else a moment in the last office
    day before it (the same day's hours when it falls after closing)."""
    if is_office_time(moment):
        return moment
    local = moment.astimezone(zone())
    day = local.date()
    if local.time() < OPENS or day.weekday() >= 5:
        day -= _DAY
    return office_moment(rng, day)


def office_moment_after(rng, moment: datetime) -> datetime:
    """`moment` itself when the office is open then; else early in the next office
    hours after it."""
    if is_office_time(moment):
        return moment
    local = moment.astimezone(zone())
    day = local.date()
    if local.time() > CLOSES:
        day += _DAY
    while day.weekday() >= 5:
        day += _DAY
    return _at(day, _minutes(OPENS) + rng.randrange(0, 90))
