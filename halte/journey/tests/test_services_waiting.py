"""Journey services, the waiting writes: what the mutation run found untested."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from halte.audit.context import Actor
from halte.audit.models import AuditEntry
from halte.core.validation import REQUIRED
from halte.journey import services
from halte.journey.models import (
    CareOffice,
    EventKind,
    IntakeOutcome,
    JourneyEvent,
    Priority,
    Stage,
    WaitingListEntry,
    WaitingStatus,
)
from halte.journey.tests.factories import product
from halte.journey.tests.test_events import waiting_client
from halte.journey.tests.test_services import (
    at_stage,
    english,
    in_english,  # noqa: F401 (a fixture, used by pytestmark)
    last_event,
    messages,
)

pytestmark = pytest.mark.usefixtures("in_english")


def last_audit():
    return AuditEntry.objects.order_by("-seq").first()


def indicated_other_care(personas, client):
    """A referral asking for district nursing whose intake indicated domestic help."""
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client)
    services.intake_complete(
        actor=Actor(personas["nurse_noord"]),
        intake=referral.intake,
        held_at=referral.received_at + datetime.timedelta(days=2),
        outcome=IntakeOutcome.CARE_NEEDED,
        indicated_product=product("huishoudelijke-hulp"),
        hours_per_week="3",
    )
    referral.refresh_from_db()
    return referral


def wlz_waiting(personas, client):
    office = CareOffice.objects.create(code="ZK-UT", name="Zorgkantoor Utrecht")
    referral = at_stage(
        Stage.WAITING, personas, client, care=product("verpleeghuiszorg"), care_office=office
    )
    return referral.waiting_entry, office


# Placing on the waiting list


def test_a_place_is_for_the_indicated_care_with_its_priority_and_next_update(
    personas, client_noord
):
    referral = indicated_other_care(personas, client_noord)
    entry = services.waiting_list_place(
        actor=Actor(personas["planner"]),
        referral=referral,
        status=WaitingStatus.NON_ACTIVE,
        priority=Priority.HIGH,
    )
    entry = WaitingListEntry.objects.get(pk=entry.pk)  # as stored
    today = timezone.localdate()
    assert entry.product == product("huishoudelijke-hulp") != referral.product
    assert (entry.priority, entry.status) == (Priority.HIGH, WaitingStatus.NON_ACTIVE)
    assert entry.waiting_since == today
    assert entry.next_update_due == today + datetime.timedelta(days=28)


def test_placing_moves_the_referral_to_waiting_and_tells_relatives(personas, client_noord):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    assert referral.due_at is not None  # a decision was due
    services.waiting_list_place(
        actor=Actor(personas["planner"]), referral=referral, status=WaitingStatus.ACTIVE
    )
    referral.refresh_from_db()
    event = last_event(client_noord)
    assert (event.kind, event.referral_id, event.by, event.shared_with_relatives) == (
        EventKind.WAITING,
        referral.pk,
        personas["planner"],
        True,
    )
    assert event.detail == f"Wijkverpleging, {WaitingStatus.ACTIVE.label}"
    # Waiting has no norm of its own: nothing falls due while the client waits.
    assert (referral.stage, referral.stage_since, referral.due_at) == (
        Stage.WAITING,
        event.at,
        None,
    )
    audit = last_audit()
    assert (audit.client_id, audit.action, audit.part) == (client_noord.pk, "create", "journey")


def test_bridging_care_given_at_placement_is_stored_and_its_own_event(personas, client_noord):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    entry = services.waiting_list_place(
        actor=Actor(personas["planner"]),
        referral=referral,
        status=WaitingStatus.ACTIVE,
        bridging_care="  Thuiszorg Noord, 2 u/week ",
    )
    assert WaitingListEntry.objects.get(pk=entry.pk).bridging_care == "Thuiszorg Noord, 2 u/week"
    placed, bridging = JourneyEvent.objects.filter(client=client_noord).order_by("-id")[:2][::-1]
    assert placed.kind == EventKind.WAITING
    assert (
        bridging.kind,
        bridging.referral_id,
        bridging.by,
        bridging.at,
        bridging.detail,
        bridging.shared_with_relatives,
    ) == (
        EventKind.BRIDGING_CARE,
        referral.pk,
        personas["planner"],
        placed.at,
        "Thuiszorg Noord, 2 u/week",
        False,
    )


def test_a_care_office_is_kept_only_for_wlz_care(personas, client_noord):
    office = CareOffice.objects.create(code="ZK-UT", name="Zorgkantoor Utrecht")
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    entry = services.waiting_list_place(
        actor=Actor(personas["planner"]),
        referral=referral,
        status=WaitingStatus.ACTIVE,
        care_office=office,
    )
    assert WaitingListEntry.objects.get(pk=entry.pk).care_office is None


def test_too_long_bridging_care_refuses_the_place(personas, client_noord):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        services.waiting_list_place(
            actor=Actor(personas["planner"]),
            referral=referral,
            status=WaitingStatus.ACTIVE,
            bridging_care="x" * 301,
        )
    assert list(error.value.message_dict) == ["bridging_care"]
    assert not WaitingListEntry.objects.exists()
    referral.refresh_from_db()
    assert referral.stage == Stage.INTAKE_DONE


# Changing priority or status


def test_a_status_change_is_stored_named_in_the_journey_and_audited(personas, client_noord):
    referral = at_stage(Stage.WAITING, personas, client_noord)
    entry = referral.waiting_entry
    services.waiting_entry_change(
        actor=Actor(personas["team_lead"]),
        entry=entry,
        status=WaitingStatus.NON_ACTIVE,
        reason="Wil pas na de zomer",
    )
    stored = WaitingListEntry.objects.get(pk=entry.pk)
    assert (stored.status, stored.priority, stored.version) == (
        WaitingStatus.NON_ACTIVE,
        Priority.NORMAL,
        entry.version + 1,
    )
    event = last_event(client_noord)
    assert (event.kind, event.referral_id, event.by, event.detail) == (
        EventKind.PRIORITY_CHANGED,
        referral.pk,
        personas["team_lead"],
        f"{WaitingStatus.ACTIVE.label} → {WaitingStatus.NON_ACTIVE.label}: Wil pas na de zomer",
    )
    audit = last_audit()
    assert (audit.client_id, audit.action, audit.part) == (client_noord.pk, "update", "journey")


def test_priority_and_status_changed_together_are_one_line_in_the_journey(personas, client_noord):
    entry = at_stage(Stage.WAITING, personas, client_noord).waiting_entry
    services.waiting_entry_change(
        actor=Actor(personas["planner"]),
        entry=entry,
        priority=Priority.HIGH,
        status=WaitingStatus.NON_ACTIVE,
        reason="Opname ziekenhuis",
    )
    stored = WaitingListEntry.objects.get(pk=entry.pk)
    assert (stored.priority, stored.status) == (Priority.HIGH, WaitingStatus.NON_ACTIVE)
    assert last_event(client_noord).detail == (
        f"{Priority.NORMAL.label} → {Priority.HIGH.label}; "
        f"{WaitingStatus.ACTIVE.label} → {WaitingStatus.NON_ACTIVE.label}: Opname ziekenhuis"
    )


def test_a_wlz_status_change_keeps_its_care_office(personas, client_noord):
    entry, office = wlz_waiting(personas, client_noord)
    services.waiting_entry_change(
        actor=Actor(personas["planner"]),
        entry=entry,
        status=WaitingStatus.URGENT,
        reason="Thuissituatie onhoudbaar",
    )
    stored = WaitingListEntry.objects.get(pk=entry.pk)
    assert (stored.status, stored.care_office) == (WaitingStatus.URGENT, office)


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_change_without_a_reason_is_refused_on_the_reason_field(personas, client_noord, reason):
    entry = at_stage(Stage.WAITING, personas, client_noord).waiting_entry
    with pytest.raises(ValidationError) as error:
        services.waiting_entry_change(
            actor=Actor(personas["planner"]), entry=entry, priority=Priority.HIGH, reason=reason
        )
    assert messages(error.value) == {"reason": [english(REQUIRED)]}
    assert WaitingListEntry.objects.get(pk=entry.pk).priority == Priority.NORMAL


def test_a_change_to_the_values_it_has_is_refused_as_nothing_changed(personas, client_noord):
    entry = at_stage(Stage.WAITING, personas, client_noord).waiting_entry
    with pytest.raises(ValidationError) as error:
        services.waiting_entry_change(
            actor=Actor(personas["planner"]),
            entry=entry,
            priority=Priority.NORMAL,
            status=WaitingStatus.ACTIVE,
            reason="Nog eens bekeken",
        )
    assert messages(error.value) == {"priority": [english(services.NOTHING_CHANGED)]}
    assert not JourneyEvent.objects.filter(kind=EventKind.PRIORITY_CHANGED).exists()
    assert WaitingListEntry.objects.get(pk=entry.pk).version == entry.version


def test_a_long_reason_is_cut_to_the_journeys_500_characters(personas, client_noord):
    entry = at_stage(Stage.WAITING, personas, client_noord).waiting_entry
    reason = ("Mantelzorger valt uit, " * 22)[:495].strip()
    assert len(reason) <= 500  # accepted as it is
    services.waiting_entry_change(
        actor=Actor(personas["planner"]), entry=entry, priority=Priority.HIGH, reason=reason
    )
    detail = last_event(client_noord).detail
    assert detail == f"{Priority.NORMAL.label} → {Priority.HIGH.label}: {reason}"[:500]
    assert len(detail) == 500


# Updates to the waiting client


def test_an_update_given_later_sets_the_next_one_from_that_day_and_is_shared(
    personas, client_noord
):
    entry = at_stage(Stage.WAITING, personas, client_noord).waiting_entry
    later = timezone.now() + datetime.timedelta(days=10)
    with time_machine.travel(later, tick=False):
        services.waiting_update_given(
            actor=Actor(personas["planner"]), entry=entry, channel="phone", summary="Positie 4"
        )
    stored = WaitingListEntry.objects.get(pk=entry.pk)
    day = timezone.localdate(later)
    assert (stored.last_update_on, stored.next_update_due) == (
        day,
        day + datetime.timedelta(days=28),
    )
    event = last_event(client_noord)
    assert (event.kind, event.shared_with_relatives) == (EventKind.WAITING_UPDATE, True)


def test_updates_due_over_several_days_are_announced_earliest_first(personas, teams, published):
    today = timezone.localdate()
    tomorrow, day_after = today + datetime.timedelta(days=1), today + datetime.timedelta(days=2)
    later = waiting_client(personas, teams, day_after)
    sooner = waiting_client(personas, teams, tomorrow)
    with published() as seen:
        count = services.publish_waiting_updates_due(
            since=tomorrow, until=day_after + datetime.timedelta(days=1)
        )
    assert count == 2
    assert [(event.entry_id, event.due_on) for event in seen] == [
        (sooner.pk, tomorrow),
        (later.pk, day_after),
    ]
