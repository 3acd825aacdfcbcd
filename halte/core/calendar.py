"""Working days and office hours: when a promise falls due.

Dutch public holidays come from the `holidays` package (Koningsdag, Hemelvaart,
Pinksteren, ...), less Good Friday: the package counts it, but the Algemene
termijnenwet that Dutch deadlines follow does not, and care organisations work
that day. Weekends are never working days. All arithmetic is done in the
organisation's local time (settings.TIME_ZONE) and returns aware datetimes.
"""

import datetime
import zoneinfo
from dataclasses import dataclass
from functools import cache

import holidays
from dateutil.easter import easter
from django.conf import settings


@cache
def _dutch_holidays(year: int) -> frozenset[datetime.date]:
    good_friday = easter(year) - datetime.timedelta(days=2)
    return frozenset(day for day in holidays.NL(years=year) if day != good_friday)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _dutch_holidays(day.year)


def next_working_day(day: datetime.date) -> datetime.date:
    """The first working day after `day`."""
    day += datetime.timedelta(days=1)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    for _ in range(count):
        day = next_working_day(day)
    return day


@dataclass(frozen=True)
class OfficeHours:
    opens: datetime.time
    closes: datetime.time

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def local(self, moment: datetime.datetime) -> datetime.datetime:
        return moment.astimezone(self.zone)

    def at(self, day: datetime.date, time: datetime.time) -> datetime.datetime:
        return datetime.datetime.combine(day, time, tzinfo=self.zone)

    def is_open(self, moment: datetime.datetime) -> bool:
        local = self.local(moment)
        return is_working_day(local.date()) and self.opens <= local.time() < self.closes

    def closing_on_or_after(
        self, moment: datetime.datetime, working_days: int
    ) -> datetime.datetime:
        """Closing time `working_days` working days after the moment's day (0: the same
        day when it is a working day, else the next one)."""
        day = self.local(moment).date()
        if not is_working_day(day):
            day = next_working_day(day)
            working_days = max(working_days - 1, 0)
        return self.at(add_working_days(day, working_days), self.closes)
