"""The slots of the periodic jobs, in Amsterdam's time, across the DST changes."""

import datetime
import itertools
import zoneinfo

import pytest

from halte.core.schedule import (
    PeriodicJob,
    Slot,
    days_starting_in,
    finished_slots,
    next_slot_end,
    parse_slot,
    slot_containing,
    slots_between,
)

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
UTC = datetime.UTC
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
FIVE_MINUTES = datetime.timedelta(minutes=5)
SPRING_FORWARD = datetime.date(2026, 3, 29)  # 02:00 becomes 03:00
FALL_BACK = datetime.date(2026, 10, 25)  # 03:00 becomes 02:00 again


@pytest.fixture(autouse=True)
def _amsterdam(settings):
    settings.TIME_ZONE = "Europe/Amsterdam"


def local(day: datetime.date, hour: int, minute: int = 0, fold: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute, fold=fold), AMSTERDAM)


def every_5_minutes() -> PeriodicJob:
    return PeriodicJob("test.every", task=None, every=FIVE_MINUTES)


def daily_at(hour: int, minute: int = 0) -> PeriodicJob:
    return PeriodicJob("test.daily", task=None, at=datetime.time(hour, minute))


def local_ends(slots) -> list[str]:
    return [f"{slot.end.astimezone(AMSTERDAM):%Y-%m-%d %H:%M %Z}" for slot in slots]


def test_a_job_has_either_an_interval_or_a_time_of_day():
    with pytest.raises(ValueError, match="either"):
        PeriodicJob("x", task=None)
    with pytest.raises(ValueError, match="either"):
        PeriodicJob("x", task=None, every=HOUR, at=datetime.time(6))
    with pytest.raises(ValueError, match="between"):
        PeriodicJob("x", task=None, every=datetime.timedelta(seconds=10))


def test_five_minute_slots_hold_their_start_and_not_their_end():
    job = every_5_minutes()
    slot = slot_containing(job, local(datetime.date(2026, 11, 30), 10, 3))
    assert slot == Slot(
        local(datetime.date(2026, 11, 30), 10, 0), local(datetime.date(2026, 11, 30), 10, 5)
    )
    assert slot_containing(job, slot.end).start == slot.end
    assert next_slot_end(job, slot.start) == slot.end
    assert next_slot_end(job, slot.end) == slot.end + FIVE_MINUTES
    assert slot.start.tzinfo == UTC


@pytest.mark.parametrize(
    ("day", "hours"), [(SPRING_FORWARD, 23), (datetime.date(2026, 6, 1), 24), (FALL_BACK, 25)]
)
def test_five_minute_slots_tile_a_dst_change_day_from_midnight_to_midnight(day, hours):
    job = every_5_minutes()
    slots = list(slots_between(job, local(day, 0), local(day + DAY, 0)))
    assert len(slots) == hours * 12
    assert slots[0].start == local(day, 0)
    assert slots[-1].end == local(day + DAY, 0)
    assert all(a.end == b.start for a, b in itertools.pairwise(slots))
    assert {slot.end - slot.start for slot in slots} == {FIVE_MINUTES}


def test_an_interval_that_does_not_divide_the_day_starts_again_at_midnight():
    job = PeriodicJob("test.seven", task=None, every=7 * HOUR)
    day = datetime.date(2026, 11, 30)
    slots = list(slots_between(job, local(day, 0), local(day + DAY, 0)))
    assert [slot.end.astimezone(AMSTERDAM).hour for slot in slots] == [7, 14, 21, 0]
    assert slots[-1].end - slots[-1].start == 3 * HOUR


@pytest.mark.parametrize("day", [SPRING_FORWARD, FALL_BACK])
def test_a_daily_job_gets_one_slot_a_day_at_its_local_time_across_a_dst_change(day):
    job = daily_at(6)
    slots = list(slots_between(job, local(day - 2 * DAY, 12), local(day + 3 * DAY, 12)))
    assert [slot.end for slot in slots] == [local(day + offset * DAY, 6) for offset in range(-1, 4)]
    assert {slot.end.astimezone(AMSTERDAM).time() for slot in slots} == {datetime.time(6)}
    lengths = [slot.end - slot.start for slot in slots]
    change = 23 * HOUR if day == SPRING_FORWARD else 25 * HOUR
    assert lengths == [DAY, change, DAY, DAY, DAY]


def test_a_daily_time_that_the_dst_change_skips_comes_an_hour_later_that_day():
    job = daily_at(2, 30)
    slots = list(
        slots_between(job, local(SPRING_FORWARD - DAY, 12), local(SPRING_FORWARD + DAY, 12))
    )
    assert local_ends(slots) == ["2026-03-29 03:30 CEST", "2026-03-30 02:30 CEST"]


def test_a_daily_time_that_the_dst_change_repeats_comes_once():
    job = daily_at(2, 30)
    slots = list(slots_between(job, local(FALL_BACK - DAY, 12), local(FALL_BACK + DAY, 12)))
    assert local_ends(slots) == ["2026-10-25 02:30 CEST", "2026-10-26 02:30 CET"]
    # Between the first 02:30 and the repeated one, the slot is the next day's.
    repeated = local(FALL_BACK, 2, 30, fold=1).astimezone(UTC)
    assert slot_containing(job, repeated).end == slots[1].end


def test_the_finished_slots_are_the_last_ones_that_ended_by_now():
    job = every_5_minutes()
    now = local(datetime.date(2026, 11, 30), 10, 7)
    assert [
        s.start.astimezone(AMSTERDAM).strftime("%H:%M") for s in finished_slots(job, now, 3)
    ] == [
        "09:50",
        "09:55",
        "10:00",
    ]
    just_ended = local(datetime.date(2026, 11, 30), 10, 5)
    assert finished_slots(job, just_ended, 1)[0].end == just_ended
    daily = daily_at(6)
    assert local_ends(finished_slots(daily, local(datetime.date(2026, 11, 30), 5, 59), 1)) == [
        "2026-11-29 06:00 CET"
    ]


def test_a_daily_slot_covers_the_day_it_ends_in_and_consecutive_ones_cover_each_day_once():
    job = daily_at(6)
    slots = list(slots_between(job, local(FALL_BACK - 3 * DAY, 12), local(FALL_BACK + 3 * DAY, 12)))
    days = [days_starting_in(slot) for slot in slots]
    assert days == [
        (slot.end.astimezone(AMSTERDAM).date(), slot.end.astimezone(AMSTERDAM).date() + DAY)
        for slot in slots
    ]
    five = every_5_minutes()
    around_midnight = list(
        slots_between(five, local(FALL_BACK, 23, 50), local(FALL_BACK + DAY, 0, 10))
    )
    covered = [days_starting_in(slot) for slot in around_midnight]
    assert [first < last for first, last in covered] == [False, False, True, False]


def test_a_task_reads_its_slot_back_and_refuses_a_bad_one():
    slot = Slot(
        local(datetime.date(2026, 11, 30), 10).astimezone(UTC),
        local(datetime.date(2026, 11, 30), 11).astimezone(UTC),
    )
    kwargs = slot.task_kwargs()
    assert kwargs == {"since": "2026-11-30T09:00:00+00:00", "until": "2026-11-30T10:00:00+00:00"}
    assert parse_slot(**kwargs) == slot
    with pytest.raises(ValueError):
        parse_slot(since=kwargs["until"], until=kwargs["since"])
    with pytest.raises(ValueError):
        parse_slot(since="2026-11-30T09:00:00", until="2026-11-30T10:00:00")


@pytest.mark.parametrize("every", [datetime.timedelta(minutes=1), DAY])
def test_an_interval_of_one_minute_or_one_day_is_allowed(every):
    job = PeriodicJob("x", task=None, every=every)
    slot = slot_containing(job, local(datetime.date(2026, 11, 30), 10, 30))
    assert slot.end - slot.start == every


@pytest.mark.parametrize(
    "every", [datetime.timedelta(seconds=59), DAY + datetime.timedelta(seconds=1)]
)
def test_an_interval_shorter_than_a_minute_or_longer_than_a_day_is_refused(every):
    with pytest.raises(ValueError, match="between 1 minute and 1 day"):
        PeriodicJob("x", task=None, every=every)


@pytest.mark.parametrize(
    ("since", "until"),
    [
        ("2026-11-30T09:00:00+00:00", "2026-11-30T10:00:00"),  # until without a zone
        ("2026-11-30T09:00:00", "2026-11-30T10:00:00+00:00"),  # since without a zone
        ("2026-11-30T09:00:00+00:00", "2026-11-30T09:00:00+00:00"),  # empty
        ("2026-11-30T10:00:00+01:00", "2026-11-30T09:00:00+00:00"),  # the same instant
    ],
)
def test_a_slot_without_zones_or_without_length_is_refused(since, until):
    with pytest.raises(ValueError) as refused:
        parse_slot(since=since, until=until)
    assert str(refused.value) == f"Not a slot: {since!r} to {until!r}."


def test_a_slot_given_in_another_offset_is_read_back_in_utc():
    slot = parse_slot(since="2026-11-30T10:00:00+01:00", until="2026-11-30T12:00:00+02:00")
    assert slot.task_kwargs() == {
        "since": "2026-11-30T09:00:00+00:00",
        "until": "2026-11-30T10:00:00+00:00",
    }


def test_a_daily_time_given_as_the_repeated_one_still_comes_the_first_time():
    """`at` is a wall-clock time: an `at` with fold=1 is the same daily time."""
    job = PeriodicJob("test.daily", task=None, at=datetime.time(2, 30, fold=1))
    slot = slot_containing(job, local(FALL_BACK, 1))
    assert local_ends([slot]) == ["2026-10-25 02:30 CEST"]
