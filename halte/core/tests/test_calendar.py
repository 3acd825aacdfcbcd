import datetime
import zoneinfo

from hypothesis import given
from hypothesis import strategies as st

from halte.core.calendar import (
    OfficeHours,
    add_working_days,
    is_working_day,
    next_working_day,
)

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
HOURS = OfficeHours(datetime.time(8, 30), datetime.time(17, 0))


def test_it_knows_dutch_public_holidays_and_weekends():
    assert not is_working_day(datetime.date(2026, 4, 27))  # Koningsdag
    assert not is_working_day(datetime.date(2026, 5, 14))  # Hemelvaartsdag
    assert not is_working_day(datetime.date(2026, 12, 26))  # Tweede Kerstdag (Saturday)
    assert not is_working_day(datetime.date(2026, 11, 22))  # a Sunday
    assert is_working_day(datetime.date(2026, 11, 23))


def test_it_works_on_good_friday_as_the_termijnenwet_does():
    assert is_working_day(datetime.date(2026, 4, 3))


def test_it_skips_long_weekends():
    # From Good Friday 2026 past Easter Monday.
    assert next_working_day(datetime.date(2026, 4, 3)) == datetime.date(2026, 4, 7)
    assert add_working_days(datetime.date(2026, 12, 24), 1) == datetime.date(2026, 12, 28)


def test_it_closes_the_same_working_day_or_the_next_one():
    monday_morning = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=AMS)
    assert HOURS.closing_on_or_after(monday_morning, 0) == datetime.datetime(
        2026, 11, 23, 17, 0, tzinfo=AMS
    )
    saturday = datetime.datetime(2026, 11, 28, 10, 0, tzinfo=AMS)
    assert HOURS.closing_on_or_after(saturday, 0) == datetime.datetime(
        2026, 11, 30, 17, 0, tzinfo=AMS
    )
    assert HOURS.closing_on_or_after(saturday, 2) == datetime.datetime(
        2026, 12, 1, 17, 0, tzinfo=AMS
    )


def test_it_is_open_only_in_office_hours_on_working_days():
    assert HOURS.is_open(datetime.datetime(2026, 11, 23, 8, 30, tzinfo=AMS))
    assert not HOURS.is_open(datetime.datetime(2026, 11, 23, 17, 0, tzinfo=AMS))
    assert not HOURS.is_open(datetime.datetime(2026, 4, 27, 10, 0, tzinfo=AMS))


@given(st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2035, 12, 31)))
def test_it_always_lands_on_a_later_working_day(day):
    following = next_working_day(day)
    assert following > day
    assert is_working_day(following)
    assert (following - day).days <= 5  # no Dutch holiday cluster blocks a whole week


def test_it_reads_a_moment_in_the_organisations_zone_across_summer_time():
    """A moment from anywhere (UTC from the API) is read in the organisation's zone,
    with its rules: a day later across the change to winter time is the same hour."""
    saturday = datetime.datetime(2026, 10, 24, 8, 0, tzinfo=datetime.UTC)  # 10:00 CEST
    local = HOURS.local(saturday)
    assert local.tzinfo == AMS
    sunday = local + datetime.timedelta(days=1)
    assert (local.hour, sunday.hour) == (10, 10)
    assert sunday.astimezone(datetime.UTC).hour == 9  # 10:00 CET, no longer CEST
