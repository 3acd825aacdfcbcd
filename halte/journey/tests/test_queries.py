"""The estimate (a known outflow gives a known estimate), positions in the queue, the
work queues, the journey bar, and who sees which journeys."""

import datetime

import pytest
from django.utils import timezone

from halte.audit.context import Actor
from halte.clients.tests.factories import ClientFactory
from halte.clients.tests.pages import last_seq, looks_since
from halte.core.moments import READABLE_UNTIL_DAY
from halte.journey import queries, services
from halte.journey.models import (
    EventKind,
    JourneyEvent,
    LeftReason,
    Priority,
    Stage,
    WaitingListEntry,
)
from halte.journey.queries import Outflow, estimate_start, journey_bar
from halte.journey.tests.factories import product, referral_at

TODAY = datetime.date(2026, 11, 23)


def test_a_known_outflow_gives_a_known_estimate():
    # 12 starts in 12 weeks: one place a week; the fourth in line waits four weeks,
    # give or take 1.28 * sqrt(4) = 2.56 weeks.
    estimate = estimate_start(4, Outflow(started=12, weeks=12), TODAY)
    assert estimate.expected == TODAY + datetime.timedelta(days=28)
    assert estimate.earliest == TODAY + datetime.timedelta(days=10)
    assert estimate.latest == TODAY + datetime.timedelta(days=46)


def test_twice_the_outflow_halves_the_wait():
    slow = estimate_start(10, Outflow(started=6, weeks=12), TODAY)
    fast = estimate_start(10, Outflow(started=12, weeks=12), TODAY)
    assert (slow.expected - TODAY).days == 2 * (fast.expected - TODAY).days == 140


def test_without_outflow_there_is_no_estimate():
    assert not estimate_start(3, Outflow(started=0, weeks=12), TODAY).known


def test_an_estimate_too_far_ahead_for_any_calendar_is_kept_within_it():
    # One start in the longest outflow window the admin allows (32,767 weeks): the
    # 13th in line would wait past the year 9999, beyond what a date can hold.
    estimate = estimate_start(13, Outflow(started=1, weeks=32767), TODAY)
    assert estimate.expected == estimate.latest == READABLE_UNTIL_DAY
    assert TODAY < estimate.earliest <= READABLE_UNTIL_DAY


def _waiting(personas, client, **kwargs):
    return referral_at(
        Stage.WAITING,
        planner=personas["planner"],
        nurse=personas["nurse_noord"],
        client=client,
        **kwargs,
    ).waiting_entry


@pytest.fixture
def queue(personas, teams):
    """Four waiting clients of team Noord, and six who started care in the last weeks."""
    entries = [_waiting(personas, ClientFactory(team=teams["noord"])) for _ in range(4)]
    for index, entry in enumerate(entries):
        WaitingListEntry.objects.filter(pk=entry.pk).update(
            waiting_since=TODAY - datetime.timedelta(days=30 - index)
        )
    for weeks_ago in range(6):
        started = _waiting(personas, ClientFactory(team=teams["noord"]))
        WaitingListEntry.objects.filter(pk=started.pk).update(
            left_on=TODAY - datetime.timedelta(weeks=weeks_ago, days=1),
            left_reason=LeftReason.CARE_STARTED,
        )
    return [WaitingListEntry.objects.get(pk=e.pk) for e in entries]


def test_positions_follow_priority_then_date_and_skip_non_active(personas, teams, queue):
    first, second, third, fourth = queue
    WaitingListEntry.objects.filter(pk=fourth.pk).update(priority=Priority.HIGH)
    WaitingListEntry.objects.filter(pk=second.pk).update(status="non_active")
    listing = queries.waiting_list(
        Actor(personas["planner"]), product(), teams["noord"], today=TODAY
    )
    assert [(row.entry.pk, row.position) for row in listing.rows] == [
        (fourth.pk, 1),
        (first.pk, 2),
        (second.pk, None),
        (third.pk, 3),
    ]
    assert (listing.waiting, listing.active) == (4, 3)
    # Six starts in twelve weeks: half a place a week, so the first waits two weeks.
    assert listing.outflow == Outflow(started=6, weeks=12)
    assert listing.rows[0].estimate.expected == TODAY + datetime.timedelta(days=14)
    assert queries.waiting_row(WaitingListEntry.objects.get(pk=third.pk), TODAY).position == 3


def test_one_look_at_the_waiting_list_is_one_entry_naming_the_clients_shown(personas, teams, queue):
    before = last_seq()
    listing = queries.waiting_list(
        Actor(personas["planner"]), product(), teams["noord"], today=TODAY
    )
    shown = sorted(row.entry.client_id for row in listing.rows)
    assert len(shown) == 4
    assert looks_since(before) == [("read", "waiting_list", shown, "success")]


def test_a_client_expected_past_the_norm_is_flagged(personas, teams, queue):
    WaitingListEntry.objects.update(norm_date=TODAY + datetime.timedelta(days=100))
    WaitingListEntry.objects.filter(pk=queue[3].pk).update(
        norm_date=TODAY + datetime.timedelta(days=20)
    )
    listing = queries.waiting_list(
        Actor(personas["planner"]), product(), teams["noord"], today=TODAY
    )
    flagged = {row.entry.pk for row in listing.rows if row.will_exceed_norm}
    # Fourth in line: expected after eight weeks, norm in twenty days.
    assert flagged == {queue[3].pk}


def test_the_waiting_list_renders_in_a_constant_number_of_queries(
    personas, teams, queue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        queries.waiting_list(Actor(personas["planner"]), product(), teams["noord"], today=TODAY)


def test_care_professionals_see_only_their_teams_journeys(personas, teams, client_noord):
    _waiting(personas, client_noord)
    zuid = Actor(personas["nurse_zuid"])
    listing = queries.waiting_list(zuid, product(), teams["noord"], today=TODAY)
    assert listing.rows == [] and listing.waiting == 1
    assert not queries.waiting_needing_attention(
        personas["nurse_zuid"], TODAY + datetime.timedelta(days=60)
    ).exists()
    assert queries.waiting_needing_attention(
        personas["nurse_noord"], TODAY + datetime.timedelta(days=60)
    ).exists()


def test_work_queues(personas, teams):
    planner = personas["planner"]
    unowned = services.referral_register(
        actor=Actor(personas["front_office"]),
        client=ClientFactory(team=teams["noord"]),
        source="gp",
        product=product(),
        received_at=timezone.now() - datetime.timedelta(days=7),
    )
    owned = referral_at(
        Stage.RECEIVED,
        planner=planner,
        nurse=personas["nurse_noord"],
        client=ClientFactory(team=teams["noord"]),
        received_days_ago=0,
    )
    assert list(queries.referrals_without_owner(planner)) == [unowned]
    assert list(queries.referrals_over_norm(planner)) == [unowned]
    assert list(queries.intakes_to_plan(planner)) == [owned]
    counts = queries.queue_counts(planner)
    assert counts["unowned"] == counts["over_norm"] == counts["intakes"] == 1
    assert queries.queue_counts(personas["nurse_zuid"])["unowned"] == 0


def test_care_starting_this_week(personas, teams, client_noord):
    referral = referral_at(
        Stage.INTAKE_DONE,
        planner=personas["planner"],
        nurse=personas["nurse_noord"],
        client=client_noord,
    )
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    episode = services.care_start(
        actor=Actor(personas["planner"]),
        referral=referral,
        starts_on=monday + datetime.timedelta(days=4),
        contact_person=personas["nurse_noord"],
    )
    assert list(queries.care_starting_this_week(personas["planner"])) == [episode]
    assert not queries.care_starting_this_week(
        personas["planner"], monday + datetime.timedelta(days=7)
    ).exists()


def _event(kind, day):
    return JourneyEvent(kind=kind, at=datetime.datetime(2026, 1, day, tzinfo=datetime.UTC))


def test_the_journey_bar_shows_each_stop_and_how_long_it_took():
    stops = journey_bar(
        [
            _event(EventKind.REFERRAL_RECEIVED, 1),
            _event(EventKind.OWNER_ASSIGNED, 2),
            _event(EventKind.INTAKE_PLANNED, 3),
            _event(EventKind.INTAKE_DONE, 6),
            _event(EventKind.WAITING, 8),
        ]
    )
    assert [(s.name, s.state) for s in stops] == [
        ("referral", "done"),
        ("intake", "done"),
        ("waiting", "current"),
        ("care", "ahead"),
        ("end", "ahead"),
    ]
    now = datetime.datetime(2026, 1, 20, tzinfo=datetime.UTC)
    assert [s.duration(now) and s.duration(now).days for s in stops[:3]] == [2, 5, 12]


def test_a_closed_referral_skips_the_stops_it_never_reached():
    stops = journey_bar([_event(EventKind.REFERRAL_RECEIVED, 1), _event(EventKind.WITHDRAWN, 4)])
    assert [s.state for s in stops] == ["done", "skipped", "skipped", "skipped", "done"]


def test_client_journey_in_a_fixed_number_of_queries(
    personas, client_noord, django_assert_max_num_queries
):
    referral_at(
        Stage.WAITING,
        planner=personas["planner"],
        nurse=personas["nurse_noord"],
        client=client_noord,
    )
    with django_assert_max_num_queries(14):
        journey = queries.client_journey(Actor(personas["front_office"]), client_noord.pk)
    assert journey.waiting.position == 1
    assert [s.state for s in journey.stops][:3] == ["done", "done", "current"]
