"""The shared ranges for dates and times, the hidden-character check, and reading
dates safely (halte.core.validation, halte.core.moments)."""

import datetime

import pytest
from django.utils import timezone

from halte.core import moments, validation
from halte.core.validation import character_problem

UTC = datetime.UTC
NOW = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TODAY = datetime.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("day", "allowed"),
    [
        (datetime.date(1899, 12, 31), False),
        (datetime.date(1900, 1, 1), True),
        (TODAY, True),
        (TODAY + datetime.timedelta(days=1), False),
        (datetime.date.min, False),
        (datetime.date.max, False),
    ],
)
def test_a_birth_date_lies_from_1900_to_today(day, allowed):
    assert (validation.BIRTH_DATE.problem(day, today=TODAY) is None) == allowed


def test_a_care_day_may_lie_two_years_ahead():
    assert validation.CARE_DAY.problem(datetime.date(2028, 11, 30), today=TODAY) is None
    assert validation.CARE_DAY.problem(datetime.date(2028, 12, 1), today=TODAY) is not None
    assert validation.CARE_DAY.problem(datetime.date(1999, 12, 31), today=TODAY) is not None


def test_two_years_after_29_february_is_28_february():
    assert validation.CARE_DAY.bounds(datetime.date(2028, 2, 29))[1] == datetime.date(2030, 2, 28)


def test_the_message_names_the_range():
    message = str(validation.CARE_DAY.problem(datetime.date(9999, 12, 31), today=TODAY))
    assert "01-01-2000" in message
    assert "30-11-2028" in message


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        (NOW + datetime.timedelta(minutes=5), True),  # a clock a little ahead
        (NOW + datetime.timedelta(minutes=6), False),
        (datetime.datetime(1999, 12, 31, 22, 59, tzinfo=UTC), False),  # 23:59 in Amsterdam
        (datetime.datetime(1999, 12, 31, 23, 0, tzinfo=UTC), True),  # midnight there
        # Year 1 at +14:00 lies before year 1 in UTC: compared without converting.
        (datetime.datetime(1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=14))), False),
        (
            datetime.datetime.max.replace(tzinfo=datetime.timezone(datetime.timedelta(hours=-14))),
            False,
        ),
    ],
)
def test_a_past_moment_lies_from_2000_to_a_few_minutes_ahead(moment, allowed):
    assert (validation.PAST_MOMENT.problem(moment, now=NOW) is None) == allowed


def test_a_past_moment_too_late_says_not_in_the_future():
    late = validation.PAST_MOMENT.problem(NOW + datetime.timedelta(days=1), now=NOW)
    assert late == validation.NOT_IN_THE_FUTURE


def test_a_planned_moment_lies_at_most_two_years_ahead():
    assert validation.PLANNED_MOMENT.problem(NOW + datetime.timedelta(days=729), now=NOW) is None
    far = validation.PLANNED_MOMENT.problem(NOW + datetime.timedelta(days=731), now=NOW)
    assert "01-01-2000 00:00" in str(far)


def test_a_naive_moment_is_read_in_the_organisations_zone():
    assert validation.PAST_MOMENT.problem(datetime.datetime(2026, 1, 1, 12), now=NOW) is None


@pytest.mark.parametrize(
    ("text", "multiline", "problem"),
    [
        ("Van den Berg", False, None),
        ("Zoë O'Neill-Şahin", False, None),
        ("مريم", False, None),  # right-to-left script itself is fine
        ("a\x00b", True, validation.CONTROL_CHARACTER % {"position": 2}),
        ("ab\x7f", True, validation.CONTROL_CHARACTER % {"position": 3}),
        ("\x9b31m", True, validation.CONTROL_CHARACTER % {"position": 1}),
        ("a\u202eb", True, validation.BIDI_CHARACTER % {"position": 2}),
        ("a\u2069", True, validation.BIDI_CHARACTER % {"position": 2}),
        ("line\r\n\tnext", True, None),
        ("line\nnext", False, validation.LINE_BREAK),
        ("tab\there", False, validation.LINE_BREAK),
    ],
)
def test_hidden_characters(text, multiline, problem):
    assert character_problem(text, multiline=multiline) == problem


def test_every_bidi_override_and_isolate_is_refused():
    for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]:
        assert character_problem(f"x{chr(code)}", multiline=True) is not None, hex(code)


# Reading


def test_reading_keeps_moments_a_year_from_the_ends():
    low = datetime.datetime.min.replace(tzinfo=UTC)
    high = datetime.datetime.max.replace(tzinfo=UTC)
    assert moments.readable_moment(low) == moments.READABLE_FROM
    assert moments.readable_moment(high) == moments.READABLE_UNTIL
    assert moments.readable_moment(NOW) == NOW
    assert moments.readable_day(datetime.date.max) == moments.READABLE_UNTIL_DAY
    assert moments.readable_day(TODAY) == TODAY
    # and what is read converts and counts on without overflowing
    timezone.localtime(moments.readable_moment(high)) + datetime.timedelta(days=300)
    moments.readable_day(datetime.date.min) - datetime.timedelta(days=300)


def test_a_moment_shown_has_a_whole_minute_offset():
    amsterdam_1900 = datetime.datetime(1900, 6, 1, 12, tzinfo=UTC)
    shown = moments.local(amsterdam_1900)
    assert shown.utcoffset() == datetime.timedelta(0)  # local mean time +00:19:32 there
    assert moments.local(NOW).utcoffset() == datetime.timedelta(hours=1)
    assert moments.local(NOW).isoformat() == "2026-11-30T13:00:00+01:00"


def test_a_moment_too_late_to_convert_is_shown_in_utc():
    high = datetime.datetime.max.replace(tzinfo=UTC)
    assert moments.local(high) == high


def test_a_naive_moment_is_kept_within_the_same_years():
    """Without a zone (USE_TZ off, a raw value) the ends are the same, naive."""
    assert moments.readable_moment(datetime.datetime.min) == datetime.datetime(2, 1, 1)
    assert moments.readable_moment(datetime.datetime.max) == datetime.datetime(
        9998, 12, 31, 23, 59, 59
    )
    assert moments.readable_moment(datetime.datetime(2026, 1, 1)) == datetime.datetime(2026, 1, 1)


@pytest.mark.parametrize("value", ["2026-11-30", 3, datetime.time(12)])
def test_what_is_no_date_is_read_as_it_is(value):
    assert moments.readable_day(value) == value
    assert moments.readable_moment(value) == value
    assert moments.readable_moment(TODAY) == TODAY  # a date is not a moment


def test_an_offset_of_whole_minutes_is_kept_even_when_odd():
    """Kathmandu is 5:45 ahead: whole minutes, so shown in its own zone."""
    import zoneinfo

    with timezone.override(zoneinfo.ZoneInfo("Asia/Kathmandu")):
        shown = moments.local(NOW)
    assert shown.utcoffset() == datetime.timedelta(hours=5, minutes=45)
    assert shown.isoformat() == "2026-11-30T17:45:00+05:45"


def test_a_moment_too_late_for_the_zone_is_shown_in_utc_not_in_its_own_offset():
    # Half an hour ahead of UTC, at the last moment Python holds: Amsterdam (+1) would
    # lie past it, UTC does not.
    late = datetime.datetime.max.replace(tzinfo=datetime.timezone(datetime.timedelta(minutes=30)))
    shown = moments.local(late)
    assert shown == late
    assert shown.utcoffset() == datetime.timedelta(0)


def test_a_naive_moment_is_shown_as_it_is():
    assert moments.local(datetime.datetime(2026, 1, 1, 12)) == datetime.datetime(2026, 1, 1, 12)
