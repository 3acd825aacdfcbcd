"""Journey services, the intake writes: what the mutation run found untested."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from halte.audit.context import Actor
from halte.clients.validation import TEAM_OUTSIDE_OWN
from halte.contact.models import ServiceLevelPolicy
from halte.core.errors import Conflict
from halte.core.validation import CONTROL_CHARACTER, PAST_MOMENT, PLANNED_MOMENT
from halte.journey import services
from halte.journey.models import (
    EventKind,
    Intake,
    IntakeOutcome,
    JourneyEvent,
    JourneyPolicy,
    Referral,
    Stage,
)
from halte.journey.tests.factories import product
from halte.journey.tests.test_services import (
    at_stage,
    audited,
    english,
    in_english,  # noqa: F401 (the fixture)
    last_event,
    messages,
)

# The refusals' messages read in English.
pytestmark = pytest.mark.usefixtures("in_english")


def complete(personas, referral, **kwargs):
    given = {"held_at": timezone.now(), "outcome": IntakeOutcome.NO_CARE_NEEDED, **kwargs}
    return services.intake_complete(
        actor=Actor(personas["nurse_noord"]), intake=referral.intake, **given
    )


def plan(personas, referral, **kwargs):
    given = {
        "planned_at": timezone.now() + datetime.timedelta(days=2),
        "held_by": personas["nurse_noord"],
        **kwargs,
    }
    return services.intake_plan(actor=Actor(personas["planner"]), referral=referral, **given)


# Referral


def register(personas, client, **kwargs):
    given = {"source": "gp", "product": product(), **kwargs}
    return services.referral_register(actor=Actor(personas["planner"]), client=client, **given)


def test_a_referral_without_a_care_question_stores_none(personas, client_noord):
    referral = register(personas, client_noord)
    referral.refresh_from_db()
    assert referral.question == ""


def test_a_referral_is_a_shared_event_at_its_receipt_and_its_owner_an_internal_one(
    personas, client_noord
):
    received_at = timezone.now() - datetime.timedelta(days=3)
    care = product("verpleeghuiszorg")
    referral = register(
        personas,
        client_noord,
        source="hospital",
        product=care,
        received_at=received_at,
        owner=personas["planner"],
    )
    referral.refresh_from_db()
    assert (referral.source, referral.product, referral.received_at) == (
        "hospital",
        care,
        received_at,
    )
    received, assigned = JourneyEvent.objects.filter(client=client_noord).order_by("id")
    assert (received.kind, received.at, received.referral_id, received.detail) == (
        EventKind.REFERRAL_RECEIVED,
        received_at,
        referral.pk,
        str(care),
    )
    assert (assigned.kind, assigned.referral_id, assigned.detail) == (
        EventKind.OWNER_ASSIGNED,
        referral.pk,
        personas["planner"].get_full_name(),
    )
    assert (received.shared_with_relatives, assigned.shared_with_relatives) == (True, False)


@pytest.mark.parametrize(
    "received_at, message",
    [
        (datetime.timedelta(hours=1), services.IN_THE_FUTURE),
        (datetime.datetime(1999, 12, 31, 12, 0), None),
    ],
    ids=["tomorrow", "before the records"],
)
def test_a_referral_is_received_in_the_past_of_the_records(
    personas, client_noord, received_at, message
):
    with time_machine.travel(timezone.now(), tick=False):
        if isinstance(received_at, datetime.timedelta):
            received_at = timezone.now() + received_at
        else:
            received_at = timezone.make_aware(received_at)
        with pytest.raises(ValidationError) as error:
            register(personas, client_noord, received_at=received_at)
        expected = english(message or PAST_MOMENT.problem(received_at))
    assert messages(error.value) == {"received_at": [expected]}
    assert not Referral.objects.exists()


def test_an_owner_who_does_not_plan_is_refused_with_its_message(personas, client_noord):
    with pytest.raises(ValidationError) as error:
        register(personas, client_noord, owner=personas["front_office"])
    assert messages(error.value) == {"owner": [english(services.CANNOT_PLAN)]}
    assert not Referral.objects.exists()


def test_a_team_lead_keeps_a_referral_in_their_own_teams(personas, client_noord, teams):
    with pytest.raises(ValidationError) as error:
        services.referral_register(
            actor=Actor(personas["team_lead"]),
            client=client_noord,
            source="gp",
            product=product(),
            team=teams["zuid"],
        )
    assert messages(error.value) == {"team": [english(TEAM_OUTSIDE_OWN)]}
    assert not Referral.objects.exists()


def test_the_care_question_is_kept_without_surrounding_space(personas, client_noord):
    referral = register(personas, client_noord, question="  Hulp bij wassen en aankleden\n")
    referral.refresh_from_db()
    assert referral.question == "Hulp bij wassen en aankleden"


def test_care_no_longer_offered_cannot_be_asked_for(personas, client_noord):
    gone = product("verpleeghuiszorg")
    gone.active = False
    gone.save(update_fields=["active"])
    with pytest.raises(ValidationError) as error:
        register(personas, client_noord, product=gone)
    assert messages(error.value) == {"product": [english(services.NOT_OFFERED)]}
    assert not Referral.objects.exists()


def test_a_client_without_a_team_needs_the_referral_to_name_one(personas, teams):
    from halte.clients.tests.factories import ClientFactory

    client = ClientFactory(team=None)
    with pytest.raises(ValidationError) as error:
        register(personas, client)
    assert messages(error.value) == {"team": [english(services.REQUIRED)]}
    assert not Referral.objects.exists()
    client.refresh_from_db()
    assert client.team is None


def test_an_unknown_urgency_is_refused_on_its_field(personas, client_noord):
    with pytest.raises(ValidationError) as error:
        register(personas, client_noord, urgency="whenever")
    assert messages(error.value) == {"urgency": ["Unknown value 'whenever'."]}
    assert not Referral.objects.exists()


def test_a_care_question_with_a_control_character_is_refused(personas, client_noord):
    with pytest.raises(ValidationError) as error:
        register(personas, client_noord, question="Hulp\x00bij wassen")
    assert messages(error.value) == {"question": [str(CONTROL_CHARACTER % {"position": 5})]}
    assert not Referral.objects.exists()


def move(personas, referral, stage, **kwargs):
    return services.referral_move(
        actor=Actor(personas["planner"]), referral=referral, stage=stage, **kwargs
    )


def test_an_unknown_stage_is_refused_on_its_field(personas, client_noord):
    referral = at_stage(Stage.RECEIVED, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        move(personas, referral, "lost")
    assert messages(error.value) == {"stage": ["Unknown value 'lost'."]}
    referral.refresh_from_db()
    assert referral.stage == Stage.RECEIVED


def test_moving_a_stale_referral_is_a_conflict(personas, client_noord):
    referral = at_stage(Stage.RECEIVED, personas, client_noord)
    with pytest.raises(Conflict) as refused:
        move(personas, referral, Stage.CONTACTED, version=referral.version - 1)
    assert english(refused.value.args[0]) == english(services.STALE)
    referral.refresh_from_db()
    assert referral.stage == Stage.RECEIVED


def test_closing_without_a_reason_says_the_reason_is_required(personas, client_noord):
    referral = at_stage(Stage.RECEIVED, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        move(personas, referral, Stage.DECLINED, reason="  ")
    assert messages(error.value) == {"reason": [english(services.REQUIRED)]}
    referral.refresh_from_db()
    assert (referral.stage, referral.closed_reason) == (Stage.RECEIVED, "")


def test_first_contact_moves_on_with_the_norm_to_plan_an_internal_event(personas, client_noord):
    referral = at_stage(Stage.RECEIVED, personas, client_noord)
    before = audited(client_noord)
    later = timezone.now() + datetime.timedelta(days=1)
    with time_machine.travel(later):
        move(personas, referral, Stage.CONTACTED, reason="Dochter gesproken")
    referral.refresh_from_db()
    since = referral.stage_since
    norm = JourneyPolicy.current().plan_intake_within_days
    assert (referral.stage, referral.closed_reason) == (Stage.CONTACTED, "")
    assert later <= since < later + datetime.timedelta(minutes=1)
    assert referral.due_at == ServiceLevelPolicy.current().hours.closing_on_or_after(since, norm)
    event = last_event(client_noord)
    assert (event.kind, event.at, event.referral_id, event.detail) == (
        EventKind.CONTACTED,
        since,
        referral.pk,
        "Dochter gesproken",
    )
    assert event.shared_with_relatives is False
    assert audited(client_noord) == before + 1


@pytest.mark.parametrize(
    "stage, kind",
    [
        (Stage.DECLINED, EventKind.DECLINED),
        (Stage.WITHDRAWN, EventKind.WITHDRAWN),
        (Stage.REFERRED_ELSEWHERE, EventKind.REFERRED_ELSEWHERE),
    ],
)
def test_a_closed_referral_keeps_its_reason_and_tells_the_relatives(
    personas, client_noord, stage, kind
):
    referral = at_stage(Stage.CONTACTED, personas, client_noord)
    before = audited(client_noord)
    move(personas, referral, stage, reason=" Past beter bij de GGZ ")
    referral.refresh_from_db()
    assert (referral.stage, referral.due_at, referral.closed_reason) == (
        stage,
        None,
        "Past beter bij de GGZ",
    )
    event = last_event(client_noord)
    assert (event.kind, event.at, event.referral_id, event.detail) == (
        kind,
        referral.stage_since,
        referral.pk,
        "Past beter bij de GGZ",
    )
    assert event.shared_with_relatives is True
    assert audited(client_noord) == before + 1


# Planning


def test_an_intake_in_an_unknown_way_is_refused_on_its_field(personas, client_noord):
    referral = at_stage(Stage.CONTACTED, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        plan(personas, referral, mode="carrier_pigeon")
    assert messages(error.value) == {"mode": ["Unknown value 'carrier_pigeon'."]}
    assert not Intake.objects.exists()


def test_planning_on_a_stale_referral_is_a_conflict(personas, client_noord):
    referral = at_stage(Stage.CONTACTED, personas, client_noord)
    with pytest.raises(Conflict) as refused:
        plan(personas, referral, version=referral.version - 1)
    assert english(refused.value.args[0]) == english(services.STALE)
    assert not Intake.objects.exists()
    referral.refresh_from_db()
    assert referral.stage == Stage.CONTACTED


def test_an_intake_needs_someone_to_hold_it(personas, client_noord):
    referral = at_stage(Stage.CONTACTED, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        plan(personas, referral, held_by=None)
    assert messages(error.value) == {"held_by": [english(services.REQUIRED)]}
    assert not Intake.objects.exists()


def test_a_planned_intake_is_a_shared_event_naming_when_and_who(personas, client_noord):
    referral = at_stage(Stage.CONTACTED, personas, client_noord)
    nurse = personas["nurse_noord"]
    before = audited(client_noord)
    planned_at = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=3), datetime.time(9, 5)
        )
    )
    later = timezone.now() + datetime.timedelta(hours=1)
    with time_machine.travel(later):
        plan(personas, referral, planned_at=planned_at)
    referral.refresh_from_db()
    since = referral.stage_since
    assert referral.stage == Stage.INTAKE_PLANNED
    assert later <= since < later + datetime.timedelta(minutes=1)
    event = last_event(client_noord)
    assert (event.kind, event.at, event.referral_id, event.shared_with_relatives) == (
        EventKind.INTAKE_PLANNED,
        since,
        referral.pk,
        True,
    )
    assert event.detail == f"{planned_at:%d-%m-%Y} 09:05, {nurse.get_full_name()}"
    assert audited(client_noord) == before + 1


# Writing it up


def test_a_held_intake_is_a_shared_event_at_the_moment_it_was_held(personas, client_noord):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    held_at = referral.received_at + datetime.timedelta(days=3)
    before = audited(client_noord)
    complete(personas, referral, held_at=held_at, outcome=IntakeOutcome.REFER_ELSEWHERE)
    event = last_event(client_noord)
    assert (event.kind, event.at, event.referral_id, event.by) == (
        EventKind.INTAKE_DONE,
        held_at,
        referral.pk,
        personas["nurse_noord"],
    )
    assert (event.detail, event.shared_with_relatives) == ("Better helped elsewhere", True)
    assert audited(client_noord) == before + 1


def test_a_held_intake_moves_the_referral_on_with_the_norm_to_decide(personas, client_noord):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    later = timezone.now() + datetime.timedelta(days=1)
    with time_machine.travel(later, tick=False):
        complete(personas, referral)
    referral.refresh_from_db()
    norm = JourneyPolicy.current().decide_within_days
    assert (referral.stage, referral.stage_since) == (Stage.INTAKE_DONE, later)
    assert referral.due_at == ServiceLevelPolicy.current().hours.closing_on_or_after(later, norm)


def test_an_intake_may_be_written_up_the_moment_it_ends(personas, client_noord):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        intake = complete(personas, referral, held_at=now)
    intake.refresh_from_db()
    assert intake.held_at == now


def test_an_intake_of_a_referral_from_before_the_records_names_the_range_of_the_past(
    personas, client_noord
):
    """A referral brought over from an older system may predate Halte's records; an
    intake after it is still refused before 2000, with the range of moments that lie
    in the past (not the range for planning ahead)."""
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    long_ago = timezone.make_aware(datetime.datetime(1999, 6, 1, 10, 0))
    Referral.objects.filter(pk=referral.pk).update(received_at=long_ago)
    held_at = long_ago + datetime.timedelta(days=1)
    with time_machine.travel(timezone.now(), tick=False):
        with pytest.raises(ValidationError) as error:
            complete(personas, referral, held_at=held_at)
        expected = str(PAST_MOMENT.problem(held_at))
        assert expected != str(PLANNED_MOMENT.problem(held_at))
    assert messages(error.value) == {"held_at": [expected]}
    referral.intake.refresh_from_db()
    assert referral.intake.held_at is None


def test_an_unknown_outcome_is_refused_on_its_field(personas, client_noord):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    events = JourneyEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        complete(personas, referral, outcome="undecided")
    assert messages(error.value) == {"outcome": ["Unknown value 'undecided'."]}
    referral.intake.refresh_from_db()
    assert (referral.intake.held_at, referral.intake.outcome) == (None, "")
    assert JourneyEvent.objects.count() == events


def test_writing_up_on_a_stale_referral_is_a_conflict(personas, client_noord):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    with pytest.raises(Conflict) as refused:
        complete(personas, referral, version=referral.version - 1)
    assert english(refused.value.args[0]) == english(services.STALE)
    referral.refresh_from_db()
    assert referral.stage == Stage.INTAKE_PLANNED


def test_the_conclusion_is_kept_without_surrounding_space(personas, client_noord):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    intake = complete(personas, referral, summary="  Redt zich goed met hulp van de dochter.\n")
    intake.refresh_from_db()
    assert intake.summary == "Redt zich goed met hulp van de dochter."


def test_without_a_conclusion_none_is_stored(personas, client_noord):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    intake = complete(personas, referral)
    intake.refresh_from_db()
    assert intake.summary == ""


def test_a_conclusion_with_a_control_character_is_refused(personas, client_noord):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        complete(personas, referral, summary="Goed\x07gesprek")
    assert messages(error.value) == {"summary": [str(CONTROL_CHARACTER % {"position": 5})]}
    referral.intake.refresh_from_db()
    assert (referral.intake.held_at, referral.intake.summary) == (None, "")


def test_care_needed_without_an_indication_says_it_is_required(personas, client_noord):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        complete(personas, referral, outcome=IntakeOutcome.CARE_NEEDED)
    assert messages(error.value) == {"indicated_product": [english(services.REQUIRED)]}


def test_care_no_longer_offered_cannot_be_indicated(personas, client_noord):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    gone = product("verpleeghuiszorg")
    gone.active = False
    gone.save(update_fields=["active"])
    with pytest.raises(ValidationError) as error:
        complete(personas, referral, outcome=IntakeOutcome.CARE_NEEDED, indicated_product=gone)
    assert messages(error.value) == {"indicated_product": [english(services.NOT_OFFERED)]}
    referral.intake.refresh_from_db()
    assert referral.intake.indicated_product is None


def test_care_needed_keeps_the_indicated_care_and_its_hours(personas, client_noord):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    indicated = product("verpleeghuiszorg")
    complete(
        personas,
        referral,
        outcome=IntakeOutcome.CARE_NEEDED,
        indicated_product=indicated,
        hours_per_week="6",
    )
    intake = Intake.objects.get(referral=referral)
    assert (intake.indicated_product, intake.hours_per_week) == (indicated, Decimal("6.0"))
    assert referral.care_after(intake) == indicated


@pytest.mark.parametrize("outcome", [IntakeOutcome.NO_CARE_NEEDED, IntakeOutcome.REFER_ELSEWHERE])
def test_without_care_needed_no_indication_is_kept(personas, client_noord, outcome):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    complete(
        personas,
        referral,
        outcome=outcome,
        indicated_product=product("verpleeghuiszorg"),
        hours_per_week="6",
    )
    intake = Intake.objects.get(referral=referral)
    assert (intake.outcome, intake.indicated_product, intake.hours_per_week) == (
        outcome,
        None,
        None,
    )
