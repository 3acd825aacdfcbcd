"""Each journey write publishes its domain event once, with the right ids, for the apps
above journey; a refused or rolled-back write publishes nothing."""

import dataclasses
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from halte.audit.context import Actor
from halte.contact.events import PromiseMade
from halte.core import events
from halte.core.errors import Conflict
from halte.journey import services
from halte.journey.events import (
    CareEnded,
    CareStarted,
    ContactPersonChanged,
    IntakePlanned,
    ReferralClosed,
    ReferralReceived,
    WaitingListEntered,
    WaitingListUpdateDue,
    WaitingListUpdateGiven,
)
from halte.journey.models import (
    EndReason,
    Intake,
    IntakeOutcome,
    LeftReason,
    Stage,
    WaitingListEntry,
    WaitingStatus,
)
from halte.journey.services import TransitionRefused
from halte.journey.tests.factories import product, referral_at


class Rollback(Exception):
    pass


def at_stage(stage, personas, client):
    return referral_at(
        stage, planner=personas["planner"], nurse=personas["nurse_noord"], client=client
    )


def plain(event):
    """The event without its moment, to compare with what is expected."""
    fields = dataclasses.asdict(event)
    assert fields.pop("occurred_at") is not None
    return type(event), fields


def started(personas, client, published):
    referral = at_stage(Stage.INTAKE_DONE, personas, client)
    with published() as seen:
        episode = services.care_start(
            actor=Actor(personas["planner"]),
            referral=referral,
            starts_on=timezone.localdate(),
            contact_person=personas["nurse_noord"],
        )
    return episode, seen


def test_it_announces_a_received_referral(personas, client_noord, published):
    care = product()
    with published() as seen:
        referral = services.referral_register(
            actor=Actor(personas["front_office"]),
            client=client_noord,
            source="relative",
            product=care,
            urgency="urgent",
        )
    assert [plain(event) for event in seen] == [
        (
            ReferralReceived,
            {
                "client_id": client_noord.pk,
                "referral_id": referral.pk,
                "product_id": care.pk,
                "team_id": client_noord.team_id,
                "urgency": "urgent",
            },
        )
    ]


def test_it_announces_a_closed_referral_but_not_a_first_contact(personas, client_noord, published):
    referral = at_stage(Stage.RECEIVED, personas, client_noord)
    actor = Actor(personas["planner"])
    with published() as seen:
        services.referral_move(actor=actor, referral=referral, stage=Stage.CONTACTED)
    assert seen == []
    with published() as seen:
        services.referral_move(
            actor=actor, referral=referral, stage=Stage.WITHDRAWN, reason="Verhuisd naar Zwolle"
        )
    assert [plain(event) for event in seen] == [
        (
            ReferralClosed,
            {"client_id": client_noord.pk, "referral_id": referral.pk, "stage": Stage.WITHDRAWN},
        )
    ]


def test_it_announces_a_planned_intake_and_a_moved_one(personas, client_noord, published):
    referral = at_stage(Stage.CONTACTED, personas, client_noord)
    nurse = personas["nurse_noord"]
    first = timezone.now() + datetime.timedelta(days=2)
    later = first + datetime.timedelta(days=1)
    with published() as seen:
        intake = services.intake_plan(
            actor=Actor(personas["planner"]), referral=referral, planned_at=first, held_by=nurse
        )
        services.intake_plan(
            actor=Actor(personas["planner"]), referral=referral, planned_at=later, held_by=nurse
        )
    expected = {
        "client_id": client_noord.pk,
        "referral_id": referral.pk,
        "intake_id": intake.pk,
        "held_by_id": nurse.pk,
        "mode": "home_visit",
    }
    assert [plain(event) for event in seen] == [
        (IntakePlanned, {**expected, "planned_at": first, "rescheduled": False}),
        (IntakePlanned, {**expected, "planned_at": later, "rescheduled": True}),
    ]


def test_the_intakes_agreements_are_announced_as_promises(personas, client_noord, published):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    intake = Intake.objects.get(referral=referral)
    with published() as seen:
        services.intake_complete(
            actor=Actor(personas["nurse_noord"]),
            intake=intake,
            held_at=timezone.now(),
            outcome=IntakeOutcome.CARE_NEEDED,
            indicated_product=referral.product,
            agreements=["Folder wondzorg sturen", "Huisarts bellen"],
        )
    assert [type(event) for event in seen] == [PromiseMade, PromiseMade]
    assert {event.owner_user_id for event in seen} == {personas["nurse_noord"].pk}
    assert {event.client_id for event in seen} == {client_noord.pk}


def test_it_announces_the_waiting_list_and_an_update_given(personas, client_noord, published):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    actor = Actor(personas["planner"])
    with published() as seen:
        entry = services.waiting_list_place(
            actor=actor, referral=referral, status=WaitingStatus.ACTIVE
        )
    assert [plain(event) for event in seen] == [
        (
            WaitingListEntered,
            {
                "client_id": client_noord.pk,
                "referral_id": referral.pk,
                "entry_id": entry.pk,
                "product_id": entry.product_id,
                "team_id": referral.team_id,
            },
        )
    ]
    with published() as seen:
        entry = services.waiting_update_given(
            actor=actor, entry=entry, channel="phone", summary="Positie 4"
        )
    assert [plain(event) for event in seen] == [
        (
            WaitingListUpdateGiven,
            {
                "client_id": client_noord.pk,
                "referral_id": referral.pk,
                "entry_id": entry.pk,
                "channel": "phone",
                "next_update_due": entry.next_update_due,
            },
        )
    ]


def test_it_announces_care_start_a_new_contact_person_and_care_end(
    personas, client_noord, teams, published
):
    from halte.core.tests.factories import UserFactory

    episode, seen = started(personas, client_noord, published)
    nurse = personas["nurse_noord"]
    assert [plain(event) for event in seen] == [
        (
            CareStarted,
            {
                "client_id": client_noord.pk,
                "referral_id": episode.referral_id,
                "episode_id": episode.pk,
                "team_id": teams["noord"].pk,
                "contact_person_id": nurse.pk,
                "starts_on": timezone.localdate(),
            },
        )
    ]
    colleague = UserFactory(role="care_professional", teams=[teams["noord"]])
    with published() as seen:
        episode = services.contact_person_change(
            actor=Actor(personas["team_lead"]), episode=episode, contact_person=colleague
        )
    assert [plain(event) for event in seen] == [
        (
            ContactPersonChanged,
            {
                "client_id": client_noord.pk,
                "episode_id": episode.pk,
                "contact_person_id": colleague.pk,
                "previous_contact_person_id": nurse.pk,
            },
        )
    ]
    with published() as seen:
        services.care_end(
            actor=Actor(nurse),
            episode=episode,
            ended_on=timezone.localdate(),
            reason=EndReason.RECOVERED,
        )
    assert [plain(event) for event in seen] == [
        (
            CareEnded,
            {
                "client_id": client_noord.pk,
                "referral_id": episode.referral_id,
                "episode_id": episode.pk,
                "ended_on": timezone.localdate(),
                "reason": EndReason.RECOVERED,
            },
        )
    ]


def test_the_journey_to_the_waiting_list_is_announced_step_by_step(
    personas, client_noord, published
):
    with published() as seen:
        at_stage(Stage.WAITING, personas, client_noord)
    # First contact and the intake's outcome are internal steps: no event.
    assert [type(event) for event in seen] == [
        ReferralReceived,
        IntakePlanned,
        WaitingListEntered,
    ]


def test_refused_writes_announce_nothing(personas, client_noord, published):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    actor = Actor(personas["planner"])
    with published() as seen:
        with pytest.raises(ValidationError):
            services.referral_register(
                actor=actor, client=client_noord, source="carrier pigeon", product=product()
            )
        with pytest.raises(ValidationError):
            services.care_start(
                actor=actor,
                referral=referral,
                starts_on=timezone.localdate(),
                contact_person=personas["nurse_zuid"],  # not in the care team
            )
        with pytest.raises(TransitionRefused):
            services.referral_move(actor=actor, referral=referral, stage=Stage.CONTACTED)
        with pytest.raises(Conflict):
            services.waiting_list_place(
                actor=actor,
                referral=referral,
                status=WaitingStatus.ACTIVE,
                version=referral.version - 1,
            )
    assert seen == []


def test_a_write_rolled_back_with_its_surrounding_transaction_announces_nothing(
    personas, client_noord, published
):
    with published() as seen, pytest.raises(Rollback), transaction.atomic():
        services.referral_register(
            actor=Actor(personas["planner"]),
            client=client_noord,
            source="gp",
            product=product(),
        )
        raise Rollback
    assert seen == []


def waiting_client(personas, teams, due_on, *, left=False):
    from halte.clients.tests.factories import ClientFactory

    referral = at_stage(Stage.WAITING, personas, ClientFactory(team=teams["noord"]))
    entry = referral.waiting_entry
    left_fields = (
        {"left_on": timezone.localdate(), "left_reason": LeftReason.WITHDRAWN} if left else {}
    )
    WaitingListEntry.objects.filter(pk=entry.pk).update(next_update_due=due_on, **left_fields)
    return entry


def test_each_day_announces_the_waiting_updates_due_that_day(personas, teams, published):
    today = timezone.localdate()
    tomorrow, day_after = today + datetime.timedelta(days=1), today + datetime.timedelta(days=2)
    due_tomorrow = waiting_client(personas, teams, tomorrow)
    due_day_after = waiting_client(personas, teams, day_after)
    waiting_client(personas, teams, tomorrow, left=True)  # no longer waiting
    with published() as seen:
        count = services.publish_waiting_updates_due(since=tomorrow, until=day_after)
    assert count == 1
    assert [plain(event) for event in seen] == [
        (
            WaitingListUpdateDue,
            {
                "client_id": due_tomorrow.client_id,
                "referral_id": due_tomorrow.referral_id,
                "entry_id": due_tomorrow.pk,
                "due_on": tomorrow,
            },
        )
    ]
    with published() as seen:
        services.publish_waiting_updates_due(
            since=day_after, until=day_after + datetime.timedelta(days=1)
        )
    assert [event.entry_id for event in seen] == [due_day_after.pk]


def test_finding_waiting_updates_due_takes_the_same_queries_for_one_or_many(
    personas, teams, django_assert_num_queries
):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    day = {"since": tomorrow, "until": tomorrow + datetime.timedelta(days=1)}
    waiting_client(personas, teams, tomorrow)
    with events.silenced(), django_assert_num_queries(3):  # a savepoint, the query, the release
        assert services.publish_waiting_updates_due(**day) == 1
    waiting_client(personas, teams, tomorrow)
    waiting_client(personas, teams, tomorrow)
    with events.silenced(), django_assert_num_queries(3):
        assert services.publish_waiting_updates_due(**day) == 3
