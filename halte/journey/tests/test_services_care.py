"""Journey services, the care writes: what the mutation run found untested."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from halte.audit.context import Actor
from halte.clients.models import ClientStatus
from halte.clients.validation import TEAM_OUTSIDE_OWN
from halte.core.errors import Conflict
from halte.core.validation import CARE_DAY, RECORDS_BEGIN
from halte.journey import services
from halte.journey.models import (
    CareEpisode,
    EndReason,
    EventKind,
    Intake,
    IntakeOutcome,
    Stage,
)
from halte.journey.tests.factories import product
from halte.journey.tests.test_services import (
    at_stage,
    audited,
    english,
    in_english,
    last_event,
    messages,
)

__all__ = ["in_english"]  # a fixture, used by name


def start(personas, referral, **kwargs):
    kwargs.setdefault("starts_on", timezone.localdate())
    kwargs.setdefault("contact_person", personas["nurse_noord"])
    return services.care_start(actor=Actor(personas["planner"]), referral=referral, **kwargs)


# Care start


def test_care_start_records_its_shared_event_linked_to_referral_and_episode(personas, client_noord):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    episode = start(personas, referral)
    referral.refresh_from_db()
    event = last_event(client_noord)
    assert (event.kind, event.referral_id, event.episode_id) == (
        EventKind.CARE_STARTED,
        referral.pk,
        episode.pk,
    )
    assert event.detail == f"Wijkverpleging, {personas['nurse_noord'].get_full_name()}"
    assert event.shared_with_relatives is True
    # The step happened at one moment: the event's and the referral's stage's.
    assert event.at == referral.stage_since


def test_care_start_is_audited_for_the_client(personas, client_noord):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    before = audited(client_noord, "create")
    start(personas, referral)
    assert audited(client_noord, "create") == before + 1


def test_care_start_stores_the_referrals_new_stage_and_clears_its_norm(personas, client_noord):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    assert referral.due_at is not None  # a decision was due after the intake
    earlier = referral.stage_since
    start(personas, referral)
    referral.refresh_from_db()
    assert referral.stage == Stage.CARE_STARTED
    assert referral.stage_since > earlier
    assert referral.due_at is None


def test_care_starts_with_the_care_the_intake_indicated(personas, client_noord):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    indicated = product("specialistische-thuiszorg")
    intake = Intake.objects.get(referral=referral)
    services.intake_complete(
        actor=Actor(personas["nurse_noord"]),
        intake=intake,
        held_at=intake.planned_at,
        outcome=IntakeOutcome.CARE_NEEDED,
        indicated_product=indicated,
    )
    episode = start(personas, referral)
    assert CareEpisode.objects.get(pk=episode.pk).product == indicated
    assert last_event(client_noord).detail.startswith("Specialistische thuiszorg, ")


def test_hours_given_at_the_start_replace_the_intakes_indication(personas, client_noord):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    episode = start(personas, referral, hours_per_week="6")
    assert CareEpisode.objects.get(pk=episode.pk).hours_per_week == Decimal("6.0")


def test_care_start_refuses_hours_outside_0_to_99_on_their_field(
    in_english, personas, client_noord
):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        start(personas, referral, hours_per_week="120")
    assert messages(error.value) == {"hours_per_week": [english(services.NOT_A_NUMBER)]}
    assert not CareEpisode.objects.exists()


def test_care_in_another_team_takes_the_client_along(personas, client_noord, teams):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    episode = start(personas, referral, team=teams["zuid"], contact_person=personas["nurse_zuid"])
    assert CareEpisode.objects.get(pk=episode.pk).team == teams["zuid"]
    client_noord.refresh_from_db()
    assert (client_noord.team, client_noord.primary_contact, client_noord.status) == (
        teams["zuid"],
        personas["nurse_zuid"],
        ClientStatus.IN_CARE,
    )


def test_a_nurse_cannot_start_care_in_a_team_not_their_own(
    in_english, personas, client_noord, teams
):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        services.care_start(
            actor=Actor(personas["nurse_noord"]),
            referral=referral,
            starts_on=timezone.localdate(),
            contact_person=personas["nurse_zuid"],
            team=teams["zuid"],
        )
    assert messages(error.value) == {"team": [english(TEAM_OUTSIDE_OWN)]}
    assert not CareEpisode.objects.exists()


def test_care_start_needs_a_start_day(in_english, personas, client_noord):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        start(personas, referral, starts_on=None)
    assert messages(error.value) == {"starts_on": [english(services.REQUIRED)]}
    assert not CareEpisode.objects.exists()


def test_care_cannot_start_before_the_day_the_referral_came_in(in_english, personas, client_noord):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    received_on = timezone.localdate(referral.received_at)
    with pytest.raises(ValidationError) as error:
        start(personas, referral, starts_on=received_on - datetime.timedelta(days=1))
    assert messages(error.value) == {"starts_on": [english(services.BEFORE_RECEIPT)]}
    assert not CareEpisode.objects.exists()


def test_care_may_start_on_the_day_the_referral_came_in(personas, client_noord):
    """Ten days ago: a start in the past, as long as it is not before the receipt."""
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    received_on = timezone.localdate(referral.received_at)
    episode = start(personas, referral, starts_on=received_on)
    assert CareEpisode.objects.get(pk=episode.pk).starts_on == received_on


def test_care_starts_at_most_two_years_ahead(in_english, personas, client_noord):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    starts_on = timezone.localdate() + datetime.timedelta(days=3 * 365)
    with pytest.raises(ValidationError) as error:
        start(personas, referral, starts_on=starts_on)
    assert messages(error.value) == {"starts_on": [str(CARE_DAY.problem(starts_on))]}
    assert not CareEpisode.objects.exists()


def test_care_start_on_a_stale_referral_is_a_conflict(in_english, personas, client_noord):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    with pytest.raises(Conflict) as refused:
        start(personas, referral, version=referral.version - 1)
    assert english(refused.value.args[0]) == english(services.STALE)
    assert not CareEpisode.objects.exists()


# Contact person change


def running(personas, client):
    return start(personas, at_stage(Stage.INTAKE_DONE, personas, client))


def colleague_in(team):
    from halte.core.tests.factories import UserFactory

    return UserFactory(
        role="care_professional", teams=[team], first_name="Sanne", last_name="de Wit"
    )


def test_a_new_contact_person_is_stored_with_a_linked_event_and_audit(
    personas, client_noord, teams
):
    episode = running(personas, client_noord)
    colleague = colleague_in(teams["noord"])
    before = audited(client_noord, "update")
    services.contact_person_change(
        actor=Actor(personas["team_lead"]), episode=episode, contact_person=colleague
    )
    assert CareEpisode.objects.get(pk=episode.pk).contact_person == colleague
    event = last_event(client_noord)
    assert (event.kind, event.episode_id, event.referral_id, event.detail) == (
        EventKind.CONTACT_PERSON_CHANGED,
        episode.pk,
        episode.referral_id,
        "Sanne de Wit",
    )
    assert audited(client_noord, "update") == before + 1


def test_the_same_contact_person_again_is_nothing_changed(in_english, personas, client_noord):
    episode = running(personas, client_noord)
    with pytest.raises(ValidationError) as error:
        services.contact_person_change(
            actor=Actor(personas["team_lead"]),
            episode=episode,
            contact_person=personas["nurse_noord"],
        )
    assert messages(error.value) == {"contact_person": [english(services.NOTHING_CHANGED)]}


@pytest.mark.parametrize("who", ["nobody", "nurse_zuid"])
def test_a_new_contact_person_is_a_care_professional_of_the_team(
    in_english, personas, client_noord, who
):
    person, message = {
        "nobody": (None, services.REQUIRED),
        "nurse_zuid": (personas["nurse_zuid"], services.NOT_IN_TEAM),
    }[who]
    episode = running(personas, client_noord)
    with pytest.raises(ValidationError) as error:
        services.contact_person_change(
            actor=Actor(personas["team_lead"]), episode=episode, contact_person=person
        )
    assert messages(error.value) == {"contact_person": [english(message)]}
    assert CareEpisode.objects.get(pk=episode.pk).contact_person == personas["nurse_noord"]


# Care end


def end(personas, episode, **kwargs):
    kwargs.setdefault("ended_on", timezone.localdate())
    kwargs.setdefault("reason", EndReason.RECOVERED)
    return services.care_end(actor=Actor(personas["nurse_noord"]), episode=episode, **kwargs)


def test_care_end_is_audited_for_the_client(personas, client_noord):
    episode = running(personas, client_noord)
    before = audited(client_noord, "update")
    end(personas, episode)
    assert audited(client_noord, "update") == before + 1


def test_care_end_on_a_stale_episode_is_a_conflict(in_english, personas, client_noord):
    episode = running(personas, client_noord)
    with pytest.raises(Conflict) as refused:
        end(personas, episode, version=episode.version - 1)
    assert english(refused.value.args[0]) == english(services.STALE)
    assert CareEpisode.objects.get(pk=episode.pk).ended_on is None


def test_a_client_who_died_has_no_contact_person_any_more(personas, client_noord):
    episode = running(personas, client_noord)
    end(personas, episode, reason=EndReason.DECEASED)
    client_noord.refresh_from_db()
    assert (client_noord.status, client_noord.primary_contact) == (ClientStatus.DECEASED, None)


def test_other_running_care_of_the_client_keeps_them_in_care(personas, client_noord):
    first = running(personas, client_noord)
    running(personas, client_noord)
    end(personas, first)
    client_noord.refresh_from_db()
    assert (client_noord.status, client_noord.primary_contact) == (
        ClientStatus.IN_CARE,
        personas["nurse_noord"],
    )


def test_care_recorded_before_records_began_ends_within_them(in_english, personas, client_noord):
    """An episode carried over from an older system (written directly, not through care
    start) that started before 2000: its end day is still checked against the range."""
    episode = running(personas, client_noord)
    CareEpisode.objects.filter(pk=episode.pk).update(starts_on=datetime.date(1999, 6, 1))
    episode.refresh_from_db()
    ended_on = RECORDS_BEGIN - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        end(personas, episode, ended_on=ended_on)
    assert messages(error.value) == {"ended_on": [str(CARE_DAY.problem(ended_on))]}
    assert CareEpisode.objects.get(pk=episode.pk).ended_on is None
