"""The transition rules of the journey, each step's event and audit entry, and what is
refused (with nothing written)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from halte.audit.context import Actor
from halte.audit.models import AuditEntry
from halte.clients.models import ClientStatus
from halte.contact.models import Commitment, Interaction
from halte.core.errors import Conflict
from halte.journey import services
from halte.journey.models import (
    CareEpisode,
    EndReason,
    EventKind,
    Intake,
    IntakeOutcome,
    JourneyEvent,
    LeftReason,
    Priority,
    Referral,
    Stage,
    WaitingListEntry,
    WaitingStatus,
)
from halte.journey.services import TransitionRefused
from halte.journey.tests.factories import product, referral_at


@pytest.fixture
def planner(personas):
    return personas["planner"]


@pytest.fixture
def nurse(personas):
    return personas["nurse_noord"]


def at_stage(stage, personas, client, **kwargs):
    return referral_at(
        stage, planner=personas["planner"], nurse=personas["nurse_noord"], client=client, **kwargs
    )


def kinds(client):
    return list(
        JourneyEvent.objects.filter(client=client).order_by("id").values_list("kind", flat=True)
    )


def last_event(client):
    return JourneyEvent.objects.filter(client=client).latest("id")


def audited(client, action="update"):
    """How many audit entries of `action` on the client's journey."""
    return AuditEntry.objects.filter(client_id=client.pk, part="journey", action=action).count()


def test_register_starts_at_received_with_a_norm_and_an_event(personas, client_noord):
    actor = Actor(personas["front_office"])
    referral = services.referral_register(
        actor=actor, client=client_noord, source="relative", product=product()
    )
    assert referral.stage == Stage.RECEIVED
    assert referral.team == client_noord.team
    # Contact within two working days: never sooner than the next day's close.
    assert referral.due_at > referral.received_at + datetime.timedelta(hours=12)
    assert kinds(client_noord) == [EventKind.REFERRAL_RECEIVED]
    assert AuditEntry.objects.filter(
        client_id=client_noord.pk, part="journey", action="create"
    ).exists()


def test_an_urgent_referral_is_due_the_same_working_day(personas, client_noord):
    from halte.contact.models import ServiceLevelPolicy

    hours = ServiceLevelPolicy.current().hours
    # A Tuesday morning: urgent is due at closing time that day, regular two working
    # days later.
    tuesday = hours.at(datetime.date(2026, 11, 17), datetime.time(9, 0))
    register = {
        "actor": Actor(personas["planner"]),
        "client": client_noord,
        "source": "gp",
        "product": product(),
        "received_at": tuesday,
    }
    urgent = services.referral_register(urgency="urgent", **register)
    regular = services.referral_register(**register)
    assert urgent.due_at == hours.at(datetime.date(2026, 11, 17), hours.closes)
    assert regular.due_at == hours.at(datetime.date(2026, 11, 19), hours.closes)


def test_a_new_client_without_team_joins_the_referrals_team(personas, teams):
    from halte.clients.tests.factories import ClientFactory

    client = ClientFactory(team=None)
    services.referral_register(
        actor=Actor(personas["planner"]),
        client=client,
        source="self",
        product=product(),
        team=teams["zuid"],
    )
    client.refresh_from_db()
    assert client.team == teams["zuid"]


def test_register_refuses_bad_input_and_writes_nothing(personas, client_noord):
    from halte.clients.tests.factories import ClientFactory, RelationFactory

    other_relation = RelationFactory(client=ClientFactory())
    with pytest.raises(ValidationError) as error:
        services.referral_register(
            actor=Actor(personas["planner"]),
            client=client_noord,
            source="neighbour",
            product=product(),
            referrer=other_relation,
            received_at=timezone.now() + datetime.timedelta(days=1),
            owner=personas["front_office"],
        )
    assert set(error.value.message_dict) == {"source", "referrer_id", "received_at", "owner"}
    assert not Referral.objects.exists() and not JourneyEvent.objects.exists()


def test_the_whole_journey_from_receipt_to_end_of_care(personas, client_noord):
    planner, nurse = personas["planner"], personas["nurse_noord"]
    referral = at_stage(Stage.WAITING, personas, client_noord)
    episode = services.care_start(
        actor=Actor(planner),
        referral=referral,
        starts_on=timezone.localdate(),
        contact_person=nurse,
    )
    assert episode.hours_per_week == 4.5  # from the intake's indication
    client_noord.refresh_from_db()
    assert client_noord.primary_contact == nurse
    assert client_noord.status == ClientStatus.IN_CARE
    entry = WaitingListEntry.objects.get(referral=referral)
    assert entry.left_reason == LeftReason.CARE_STARTED and entry.left_on == timezone.localdate()
    services.care_end(
        actor=Actor(nurse),
        episode=episode,
        ended_on=timezone.localdate(),
        reason=EndReason.RECOVERED,
    )
    client_noord.refresh_from_db()
    assert client_noord.primary_contact is None and client_noord.status == ClientStatus.ENDED
    assert kinds(client_noord) == [
        EventKind.REFERRAL_RECEIVED,
        EventKind.OWNER_ASSIGNED,
        EventKind.CONTACTED,
        EventKind.INTAKE_PLANNED,
        EventKind.INTAKE_DONE,
        EventKind.WAITING,
        EventKind.CARE_STARTED,
        EventKind.CARE_ENDED,
    ]


def test_care_start_for_a_withdrawn_referral_is_refused(personas, client_noord):
    referral = at_stage(Stage.WAITING, personas, client_noord)
    services.referral_move(
        actor=Actor(personas["planner"]),
        referral=referral,
        stage=Stage.WITHDRAWN,
        reason="Client heeft al zorg via een andere aanbieder",
    )
    assert WaitingListEntry.objects.get(referral=referral).left_reason == LeftReason.WITHDRAWN
    with pytest.raises(TransitionRefused) as refused:
        services.care_start(
            actor=Actor(personas["planner"]),
            referral=referral,
            starts_on=timezone.localdate(),
            contact_person=personas["nurse_noord"],
        )
    assert "Withdrawn" in str(refused.value) or "Ingetrokken" in str(refused.value)
    assert not CareEpisode.objects.exists()


@pytest.mark.parametrize(
    "stage, target",
    [
        (Stage.RECEIVED, Stage.WAITING),
        (Stage.RECEIVED, Stage.CARE_STARTED),
        (Stage.CONTACTED, Stage.INTAKE_DONE),
        (Stage.INTAKE_PLANNED, Stage.WAITING),
        (Stage.WAITING, Stage.INTAKE_PLANNED),
    ],
)
def test_skipping_a_step_is_refused(personas, client_noord, stage, target):
    referral = at_stage(stage, personas, client_noord)
    actor, nurse = Actor(personas["planner"]), personas["nurse_noord"]
    step = {
        Stage.WAITING: lambda: services.waiting_list_place(
            actor=actor, referral=referral, status=WaitingStatus.ACTIVE
        ),
        Stage.CARE_STARTED: lambda: services.care_start(
            actor=actor, referral=referral, starts_on=timezone.localdate(), contact_person=nurse
        ),
        Stage.INTAKE_PLANNED: lambda: services.intake_plan(
            actor=actor, referral=referral, planned_at=timezone.now(), held_by=nurse
        ),
        Stage.INTAKE_DONE: lambda: services.intake_complete(
            actor=actor,
            intake=Intake(referral=referral, pk=0),
            held_at=timezone.now(),
            outcome=IntakeOutcome.NO_CARE_NEEDED,
        ),
    }[target]
    events_before = JourneyEvent.objects.count()
    with pytest.raises(TransitionRefused):
        step()
    referral.refresh_from_db()
    assert referral.stage == stage
    assert JourneyEvent.objects.count() == events_before


def test_the_generic_move_points_to_the_proper_form(personas, client_noord):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    with pytest.raises(TransitionRefused) as refused:
        services.referral_move(
            actor=Actor(personas["planner"]), referral=referral, stage=Stage.WAITING
        )
    assert refused.value.args[0] == services._OWN_FORMS[Stage.WAITING]


def test_closing_a_referral_needs_a_reason(personas, client_noord):
    referral = at_stage(Stage.RECEIVED, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        services.referral_move(
            actor=Actor(personas["planner"]), referral=referral, stage=Stage.DECLINED
        )
    assert "reason" in error.value.message_dict


def test_an_intake_before_receipt_is_refused(personas, client_noord):
    referral = at_stage(Stage.CONTACTED, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        services.intake_plan(
            actor=Actor(personas["planner"]),
            referral=referral,
            planned_at=referral.received_at - datetime.timedelta(days=1),
            held_by=personas["nurse_noord"],
        )
    assert "planned_at" in error.value.message_dict
    assert not Intake.objects.exists()


def test_the_intake_is_held_by_someone_who_may_see_the_client(personas, client_noord):
    referral = at_stage(Stage.CONTACTED, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        services.intake_plan(
            actor=Actor(personas["planner"]),
            referral=referral,
            planned_at=timezone.now() + datetime.timedelta(days=2),
            held_by=personas["nurse_zuid"],
        )
    assert "held_by" in error.value.message_dict


def test_an_intake_refuses_relatives_of_another_client(personas, client_noord):
    """The service itself refuses them, whatever a form or schema let through."""
    from halte.clients.tests.factories import ClientFactory, RelationFactory

    referral = at_stage(Stage.CONTACTED, personas, client_noord)
    own = client_noord.relations.get()
    stranger = RelationFactory(client=ClientFactory(team=client_noord.team))
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        services.intake_plan(
            actor=Actor(personas["planner"]),
            referral=referral,
            planned_at=timezone.now() + datetime.timedelta(days=2),
            held_by=personas["nurse_noord"],
            relatives_present=[own, stranger],
        )
    assert error.value.message_dict == {
        "relatives_present": [str(services.RELATION_OF_OTHER_CLIENT)]
    }
    assert not Intake.objects.exists()
    assert AuditEntry.objects.count() == entries
    referral.refresh_from_db()
    assert referral.stage == Stage.CONTACTED
    intake = services.intake_plan(
        actor=Actor(personas["planner"]),
        referral=referral,
        planned_at=timezone.now() + datetime.timedelta(days=2),
        held_by=personas["nurse_noord"],
        relatives_present=[own],
    )
    assert list(intake.relatives_present.all()) == [own]


def test_a_referral_refuses_a_referrer_of_another_client_alone(personas, client_noord):
    from halte.clients.tests.factories import ClientFactory, RelationFactory

    stranger = RelationFactory(client=ClientFactory(team=client_noord.team))
    with pytest.raises(ValidationError) as error:
        services.referral_register(
            actor=Actor(personas["planner"]),
            client=client_noord,
            source="relative",
            product=product(),
            referrer=stranger,
        )
    assert error.value.message_dict == {"referrer_id": [str(services.RELATION_OF_OTHER_CLIENT)]}
    assert not Referral.objects.exists()
    own = client_noord.relations.get()
    referral = services.referral_register(
        actor=Actor(personas["planner"]),
        client=client_noord,
        source="relative",
        product=product(),
        referrer=own,
    )
    assert referral.referrer == own


def test_intake_agreements_become_promises_of_whoever_held_it(personas, client_noord):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    nurse = personas["nurse_noord"]
    services.intake_complete(
        actor=Actor(nurse),
        intake=referral.intake,
        held_at=timezone.now() - datetime.timedelta(hours=1),
        outcome=IntakeOutcome.CARE_NEEDED,
        indicated_product=product(),
        hours_per_week="3",
        agreements=["Folder over wondzorg sturen", "  ", "Dochter bellen over sleutelkluis"],
    )
    promises = Commitment.objects.filter(client=client_noord)
    assert sorted(promises.values_list("description", flat=True)) == [
        "Dochter bellen over sleutelkluis",
        "Folder over wondzorg sturen",
    ]
    assert {p.owner_user for p in promises} == {nurse}


def test_care_needed_requires_an_indication(personas, client_noord):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        services.intake_complete(
            actor=Actor(personas["nurse_noord"]),
            intake=referral.intake,
            held_at=timezone.now(),
            outcome=IntakeOutcome.CARE_NEEDED,
            hours_per_week="lots",
        )
    assert set(error.value.message_dict) == {"indicated_product", "hours_per_week"}


def test_wlz_waits_with_the_care_offices_statuses_and_an_office(personas, client_noord):
    from halte.journey.models import CareOffice

    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord, care=product("verpleeghuiszorg"))
    actor = Actor(personas["planner"])
    with pytest.raises(ValidationError) as error:
        services.waiting_list_place(actor=actor, referral=referral, status=WaitingStatus.ACTIVE)
    assert set(error.value.message_dict) == {"status", "care_office"}
    office = CareOffice.objects.create(code="ZK-UT", name="Zorgkantoor Utrecht")
    entry = services.waiting_list_place(
        actor=actor, referral=referral, status=WaitingStatus.URGENT, care_office=office
    )
    assert entry.care_office == office
    assert entry.norm_date == timezone.localdate(referral.received_at) + datetime.timedelta(days=91)


def test_plain_care_waits_active_or_not(personas, client_noord):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        services.waiting_list_place(
            actor=Actor(personas["planner"]), referral=referral, status=WaitingStatus.URGENT
        )
    assert "status" in error.value.message_dict


def test_priority_change_records_who_and_why(personas, client_noord):
    referral = at_stage(Stage.WAITING, personas, client_noord)
    entry = referral.waiting_entry
    services.waiting_entry_change(
        actor=Actor(personas["team_lead"]),
        entry=entry,
        priority=Priority.HIGH,
        reason="Mantelzorger valt uit",
        version=entry.version,
    )
    event = JourneyEvent.objects.get(kind=EventKind.PRIORITY_CHANGED)
    assert event.by == personas["team_lead"]
    assert "Mantelzorger valt uit" in event.detail
    with pytest.raises(ValidationError):
        services.waiting_entry_change(
            actor=Actor(personas["planner"]), entry=entry, priority=Priority.LOW, reason=" "
        )


def test_a_stale_version_is_a_conflict_and_changes_nothing(personas, client_noord):
    referral = at_stage(Stage.WAITING, personas, client_noord)
    entry = referral.waiting_entry
    seen = entry.version
    services.waiting_entry_change(
        actor=Actor(personas["planner"]),
        entry=entry,
        priority=Priority.HIGH,
        reason="Spoed",
        version=seen,
    )
    with pytest.raises(Conflict):
        services.waiting_entry_change(
            actor=Actor(personas["team_lead"]),
            entry=entry,
            status=WaitingStatus.NON_ACTIVE,
            reason="Wil pas na de zomer",
            version=seen,
        )
    entry.refresh_from_db()
    assert (entry.priority, entry.status) == (Priority.HIGH, WaitingStatus.ACTIVE)


def test_an_update_to_a_waiting_client_is_a_logged_contact_and_resets_the_rhythm(
    personas, client_noord
):
    referral = at_stage(Stage.WAITING, personas, client_noord)
    audited = AuditEntry.objects.filter(client_id=client_noord.pk, action="update").count()
    entry = services.waiting_update_given(
        actor=Actor(personas["planner"]),
        entry=referral.waiting_entry,
        channel="phone",
        summary="Positie 4, verwachte start half januari",
    )
    entry.refresh_from_db()  # as stored
    today = timezone.localdate()
    assert entry.last_update_on == today
    assert entry.next_update_due == today + datetime.timedelta(days=28)
    contact = Interaction.objects.get(client=client_noord)
    assert contact.direction == "out" and contact.channel == "phone"
    assert (contact.topic, contact.summary) == (
        "Bericht over de wachtlijst",
        "Positie 4, verwachte start half januari",
    )
    event = JourneyEvent.objects.filter(client=client_noord).latest("id")
    assert (event.kind, event.referral_id, event.detail) == (
        EventKind.WAITING_UPDATE,
        referral.pk,
        "Telefoon",
    )
    assert (
        AuditEntry.objects.filter(client_id=client_noord.pk, action="update").count() == audited + 1
    )


def test_an_owner_is_an_event_of_the_referral_and_audited(personas, client_noord):
    referral = at_stage(Stage.RECEIVED, personas, client_noord)
    services.referral_assign(
        actor=Actor(personas["planner"]), referral=referral, owner=personas["team_lead"]
    )
    event = JourneyEvent.objects.filter(client=client_noord).latest("id")
    assert (event.kind, event.referral_id, event.detail) == (
        EventKind.OWNER_ASSIGNED,
        referral.pk,
        personas["team_lead"].get_full_name(),
    )
    assert AuditEntry.objects.filter(
        client_id=client_noord.pk, part="journey", action="update"
    ).exists()


def test_a_waiting_list_update_on_a_stale_version_is_a_conflict(personas, client_noord):
    entry = at_stage(Stage.WAITING, personas, client_noord).waiting_entry
    with pytest.raises(Conflict):
        services.waiting_update_given(
            actor=Actor(personas["planner"]),
            entry=entry,
            channel="phone",
            summary="Positie 4",
            version=entry.version - 1,
        )
    assert not Interaction.objects.filter(client=client_noord).exists()


def test_bridging_care_is_recorded(personas, client_noord):
    referral = at_stage(Stage.WAITING, personas, client_noord)
    entry = services.bridging_care_record(
        actor=Actor(personas["planner"]),
        entry=referral.waiting_entry,
        text="Thuiszorg Noord, 2 u/week",
    )
    entry.refresh_from_db()  # as stored
    assert entry.bridging_care == "Thuiszorg Noord, 2 u/week"
    event = JourneyEvent.objects.filter(client=client_noord).latest("id")
    assert (event.kind, event.referral_id, event.detail) == (
        EventKind.BRIDGING_CARE,
        referral.pk,
        "Thuiszorg Noord, 2 u/week",
    )


def test_stopped_bridging_care_says_so_and_is_audited(personas, client_noord):
    entry = at_stage(Stage.WAITING, personas, client_noord).waiting_entry
    audited = AuditEntry.objects.filter(client_id=client_noord.pk, action="update").count()
    services.bridging_care_record(actor=Actor(personas["planner"]), entry=entry, text="")
    event = JourneyEvent.objects.filter(client=client_noord).latest("id")
    assert (event.kind, event.detail) == (EventKind.BRIDGING_CARE, "Overbruggingszorg gestopt")
    assert (
        AuditEntry.objects.filter(client_id=client_noord.pk, action="update").count() == audited + 1
    )


def test_bridging_care_refuses_a_long_text_and_a_stale_version(personas, client_noord):
    entry = at_stage(Stage.WAITING, personas, client_noord).waiting_entry
    actor = Actor(personas["planner"])
    with pytest.raises(ValidationError) as error:
        services.bridging_care_record(actor=actor, entry=entry, text="x" * 301)
    assert set(error.value.message_dict) == {"bridging_care"}
    with pytest.raises(Conflict):
        services.bridging_care_record(
            actor=actor, entry=entry, text="Thuiszorg", version=entry.version - 1
        )
    entry.refresh_from_db()
    assert entry.bridging_care == ""


def test_contact_person_must_be_in_the_care_team(personas, client_noord):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        services.care_start(
            actor=Actor(personas["planner"]),
            referral=referral,
            starts_on=timezone.localdate(),
            contact_person=personas["nurse_zuid"],
        )
    assert "contact_person" in error.value.message_dict


def test_changing_the_contact_person_is_shared_with_relatives(personas, client_noord, teams):
    from halte.core.tests.factories import UserFactory

    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    episode = services.care_start(
        actor=Actor(personas["planner"]),
        referral=referral,
        starts_on=timezone.localdate() + datetime.timedelta(days=3),
        contact_person=personas["nurse_noord"],
    )
    colleague = UserFactory(role="care_professional", teams=[teams["noord"]], first_name="Sanne")
    services.contact_person_change(
        actor=Actor(personas["team_lead"]),
        episode=episode,
        contact_person=colleague,
        version=episode.version,
    )
    client_noord.refresh_from_db()
    assert client_noord.primary_contact == colleague
    from halte.journey.queries import news_for_relatives

    assert news_for_relatives(client_noord.pk).first().kind == EventKind.CONTACT_PERSON_CHANGED


def test_care_cannot_end_before_it_started_or_twice(personas, client_noord):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    episode = services.care_start(
        actor=Actor(personas["planner"]),
        referral=referral,
        starts_on=timezone.localdate(),
        contact_person=personas["nurse_noord"],
    )
    actor = Actor(personas["nurse_noord"])
    with pytest.raises(ValidationError):
        services.care_end(
            actor=actor,
            episode=episode,
            ended_on=episode.starts_on - datetime.timedelta(days=1),
            reason=EndReason.MOVED,
        )
    services.care_end(
        actor=actor, episode=episode, ended_on=timezone.localdate(), reason=EndReason.DECEASED
    )
    client_noord.refresh_from_db()
    assert client_noord.status == ClientStatus.DECEASED
    with pytest.raises(Conflict):
        services.care_end(
            actor=actor, episode=episode, ended_on=timezone.localdate(), reason=EndReason.OTHER
        )


# Nothing without its audit entry: each step's transaction undoes all it wrote when the
# entry (its last write) fails.


def test_a_referral_whose_audit_entry_fails_is_not_registered(personas, teams):
    from django.db import OperationalError

    from halte.audit.tests.failures import audit_write_fails
    from halte.clients.tests.factories import ClientFactory

    client = ClientFactory(team=None)  # registering also gives the client its team
    with audit_write_fails(), pytest.raises(OperationalError):
        services.referral_register(
            actor=Actor(personas["planner"]),
            client=client,
            source="gp",
            product=product(),
            team=teams["noord"],
            owner=personas["planner"],
        )
    assert not Referral.objects.exists() and not JourneyEvent.objects.exists()
    client.refresh_from_db()
    assert client.team is None


def test_care_whose_audit_entry_fails_does_not_start(personas, client_noord):
    from django.db import OperationalError

    from halte.audit.tests.failures import audit_write_fails

    referral = at_stage(Stage.WAITING, personas, client_noord)
    status, events = client_noord.status, kinds(client_noord)
    with audit_write_fails(), pytest.raises(OperationalError):
        services.care_start(
            actor=Actor(personas["planner"]),
            referral=referral,
            starts_on=timezone.localdate(),
            contact_person=personas["nurse_noord"],
        )
    assert not CareEpisode.objects.exists()
    referral.refresh_from_db()
    assert referral.stage == Stage.WAITING
    assert WaitingListEntry.objects.get(referral=referral).left_on is None
    client_noord.refresh_from_db()
    assert (client_noord.status, client_noord.primary_contact) == (status, None)
    assert kinds(client_noord) == events


@pytest.mark.parametrize("when", ["none", "before_start", "tomorrow"])
def test_care_end_refuses_a_bad_end_day_on_its_field(in_english, personas, client_noord, when):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    today = timezone.localdate()
    episode = services.care_start(
        actor=Actor(personas["planner"]),
        referral=referral,
        starts_on=today,
        contact_person=personas["nurse_noord"],
    )
    ended_on, message = {
        "none": (None, services.REQUIRED),
        "before_start": (today - datetime.timedelta(days=1), services.END_BEFORE_START),
        "tomorrow": (today + datetime.timedelta(days=1), services.IN_THE_FUTURE),
    }[when]
    with pytest.raises(ValidationError) as error:
        services.care_end(
            actor=Actor(personas["nurse_noord"]),
            episode=episode,
            ended_on=ended_on,
            reason="nonsense",
        )
    assert set(messages(error.value)) == {"ended_on", "reason"}
    assert messages(error.value)["ended_on"] == [english(message)]
    episode.refresh_from_db()
    assert episode.ended_on is None


def test_another_clients_running_care_does_not_keep_this_one_in_care(personas, client_noord):
    from halte.clients.tests.factories import ClientFactory

    other = ClientFactory(team=client_noord.team)
    episodes = []
    for client in (client_noord, other):
        episodes.append(
            services.care_start(
                actor=Actor(personas["planner"]),
                referral=at_stage(Stage.INTAKE_DONE, personas, client),
                starts_on=timezone.localdate(),
                contact_person=personas["nurse_noord"],
            )
        )
    services.care_end(
        actor=Actor(personas["nurse_noord"]),
        episode=episodes[0],
        ended_on=timezone.localdate(),
        reason=EndReason.MOVED,
    )
    client_noord.refresh_from_db()
    assert (client_noord.status, client_noord.primary_contact) == (ClientStatus.ENDED, None)
    event = JourneyEvent.objects.filter(client=client_noord).latest("id")
    assert (event.kind, event.episode_id, event.referral_id) == (
        EventKind.CARE_ENDED,
        episodes[0].pk,
        episodes[0].referral_id,
    )
    assert (event.shared_with_relatives, event.detail) == (True, "Verhuisd")


def test_care_whose_end_audit_entry_fails_runs_on(personas, client_noord):
    """Ending writes the episode, the client's status and contact person and an event
    before its audit entry: all of it is undone when the entry fails."""
    from django.db import OperationalError

    from halte.audit.tests.failures import audit_write_fails

    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    episode = services.care_start(
        actor=Actor(personas["planner"]),
        referral=referral,
        starts_on=timezone.localdate(),
        contact_person=personas["nurse_noord"],
    )
    client_noord.refresh_from_db()
    status, events = client_noord.status, kinds(client_noord)
    with audit_write_fails(), pytest.raises(OperationalError):
        services.care_end(
            actor=Actor(personas["nurse_noord"]),
            episode=episode,
            ended_on=timezone.localdate(),
            reason=EndReason.DECEASED,
        )
    episode.refresh_from_db()
    assert (episode.ended_on, episode.end_reason) == (None, "")
    client_noord.refresh_from_db()
    assert (client_noord.status, client_noord.primary_contact) == (
        status,
        personas["nurse_noord"],
    )
    assert kinds(client_noord) == events


@pytest.mark.parametrize("who", ["nobody", "gone", "manager", "nurse_zuid"])
def test_care_starts_only_with_a_care_professional_of_the_team(personas, client_noord, who):
    """The service's own check, with its own message per reason (the page shows it)."""
    gone = personas["nurse_noord"].__class__.objects.create(
        username="gone", role="care_professional", is_active=False
    )
    people = {
        "nobody": (None, services.REQUIRED),
        "gone": (gone, services.INACTIVE_STAFF),
        "manager": (personas["manager"], services.CANNOT_SEE_CLIENT),
        "nurse_zuid": (personas["nurse_zuid"], services.NOT_IN_TEAM),
    }
    person, message = people[who]
    referral = at_stage(Stage.WAITING, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        services.care_start(
            actor=Actor(personas["planner"]),
            referral=referral,
            starts_on=timezone.localdate(),
            contact_person=person,
        )
    assert error.value.message_dict == {"contact_person": [str(message)]}
    assert not CareEpisode.objects.exists()


@pytest.mark.parametrize("priority", [0, 9, None, "high"])
def test_a_place_on_the_waiting_list_needs_a_known_priority(personas, client_noord, priority):
    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        services.waiting_list_place(
            actor=Actor(personas["planner"]),
            referral=referral,
            status=WaitingStatus.ACTIVE,
            priority=priority,
        )
    assert list(error.value.message_dict) == ["priority"]
    assert not WaitingListEntry.objects.exists()


# The services' own field checks, reached directly (the forms and the API schema check
# much of this before; the service is the last word): each refusal's field and message,
# and nothing written.


@pytest.fixture
def in_english():
    """The messages read in English, whatever a test before left active (a refusal's
    message is put together in the language active when it is made)."""
    with translation.override("en"):
        yield


def messages(error):
    return {field: [str(m) for m in found] for field, found in error.message_dict.items()}


def english(message):
    return str(message)


@pytest.mark.parametrize(
    "care, status, office, refused",
    [
        ("wijkverpleging", "later", False, {"status": ["Unknown value 'later'."]}),
        ("wijkverpleging", None, False, {"status": ["Unknown value None."]}),
        ("wijkverpleging", WaitingStatus.URGENT, False, {"status": [services.PLAIN_STATUS_ONLY]}),
        (
            "verpleeghuiszorg",
            WaitingStatus.ACTIVE,
            True,
            {"status": [services.WLZ_STATUS_ONLY]},
        ),
        (
            "verpleeghuiszorg",
            WaitingStatus.URGENT,
            False,
            {"care_office": [services.CARE_OFFICE_NEEDED]},
        ),
    ],
)
def test_a_place_needs_a_status_of_its_care_and_for_wlz_an_office(
    in_english, personas, client_noord, care, status, office, refused
):
    from halte.journey.models import CareOffice

    referral = at_stage(Stage.INTAKE_DONE, personas, client_noord, care=product(care))
    office = CareOffice.objects.create(code="ZK-UT", name="Zorgkantoor Utrecht") if office else None
    with pytest.raises(ValidationError) as error:
        services.waiting_list_place(
            actor=Actor(personas["planner"]), referral=referral, status=status, care_office=office
        )
    assert messages(error.value) == {f: [english(m) for m in ms] for f, ms in refused.items()}
    assert not WaitingListEntry.objects.exists()
    referral.refresh_from_db()
    assert referral.stage == Stage.INTAKE_DONE


def test_a_status_change_is_checked_against_the_care_waited_for(in_english, personas, client_noord):
    referral = at_stage(Stage.WAITING, personas, client_noord)
    entry = referral.waiting_entry
    for status, message in [
        ("later", "Unknown value 'later'."),
        (WaitingStatus.PRECAUTIONARY, english(services.PLAIN_STATUS_ONLY)),
    ]:
        with pytest.raises(ValidationError) as error:
            services.waiting_entry_change(
                actor=Actor(personas["planner"]), entry=entry, status=status, reason="Verhuisd"
            )
        assert messages(error.value) == {"status": [message]}
    entry.refresh_from_db()
    assert (entry.status, entry.version) == (WaitingStatus.ACTIVE, referral.waiting_entry.version)


@pytest.mark.parametrize("priority", [0, "high"])
def test_an_unknown_priority_is_refused_with_its_message(
    in_english, personas, client_noord, priority
):
    referral = at_stage(Stage.WAITING, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        services.waiting_entry_change(
            actor=Actor(personas["planner"]),
            entry=referral.waiting_entry,
            priority=priority,
            reason="Spoed",
        )
    assert messages(error.value) == {"priority": ["Choose a priority."]}


def future(days=2):
    return timezone.now() + datetime.timedelta(days=days)


@pytest.mark.parametrize("when", ["missing", "before receipt"])
def test_an_intake_is_planned_at_a_moment_after_receipt(in_english, personas, client_noord, when):
    referral = at_stage(Stage.CONTACTED, personas, client_noord)
    planned_at, message = {
        "missing": (None, services.REQUIRED),
        "before receipt": (
            referral.received_at - datetime.timedelta(microseconds=1),
            services.BEFORE_RECEIPT,
        ),
    }[when]
    with pytest.raises(ValidationError) as error:
        services.intake_plan(
            actor=Actor(personas["planner"]),
            referral=referral,
            planned_at=planned_at,
            held_by=personas["nurse_noord"],
        )
    assert messages(error.value) == {"planned_at": [english(message)]}
    assert not Intake.objects.exists()


def test_an_intake_may_be_held_the_moment_the_referral_came_in(in_english, personas, client_noord):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    intake = services.intake_complete(
        actor=Actor(personas["nurse_noord"]),
        intake=referral.intake,
        held_at=referral.received_at,
        outcome=IntakeOutcome.NO_CARE_NEEDED,
    )
    assert intake.held_at == referral.received_at


def test_an_intake_cannot_be_written_up_before_it_is_held(in_english, personas, client_noord):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        services.intake_complete(
            actor=Actor(personas["nurse_noord"]),
            intake=referral.intake,
            held_at=future(),
            outcome=IntakeOutcome.NO_CARE_NEEDED,
        )
    assert messages(error.value) == {"held_at": [english(services.IN_THE_FUTURE)]}
    referral.intake.refresh_from_db()
    assert referral.intake.held_at is None


@pytest.mark.parametrize(
    "given, kept",
    [
        (None, None),
        ("", None),
        ("0", "0.0"),
        ("0.5", "0.5"),
        ("3.14", "3.1"),
        ("99.9", "99.9"),
    ],
)
def test_the_hours_of_an_indication_are_rounded_to_a_tenth(
    in_english, personas, client_noord, given, kept
):
    from decimal import Decimal

    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    intake = services.intake_complete(
        actor=Actor(personas["nurse_noord"]),
        intake=referral.intake,
        held_at=timezone.now(),
        outcome=IntakeOutcome.CARE_NEEDED,
        indicated_product=product(),
        hours_per_week=given,
    )
    intake.refresh_from_db()
    assert intake.hours_per_week == (None if kept is None else Decimal(kept))


@pytest.mark.parametrize("given", ["-0.1", "100", "100.5", "NaN", "Infinity", "veel"])
def test_hours_outside_0_to_99_are_refused(in_english, personas, client_noord, given):
    referral = at_stage(Stage.INTAKE_PLANNED, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        services.intake_complete(
            actor=Actor(personas["nurse_noord"]),
            intake=referral.intake,
            held_at=timezone.now(),
            outcome=IntakeOutcome.NO_CARE_NEEDED,
            hours_per_week=given,
        )
    assert messages(error.value) == {"hours_per_week": [english(services.NOT_A_NUMBER)]}
    referral.intake.refresh_from_db()
    assert referral.intake.held_at is None


@pytest.mark.parametrize("who", ["gone", "front_office", "nurse_zuid"])
def test_an_owner_is_an_active_planner_who_sees_the_client(in_english, personas, client_noord, who):
    gone = personas["planner"].__class__.objects.create(
        username="gone", role="planner", is_active=False
    )
    person, message = {
        "gone": (gone, services.INACTIVE_STAFF),
        "front_office": (personas["front_office"], services.CANNOT_PLAN),
        "nurse_zuid": (personas["nurse_zuid"], services.CANNOT_PLAN),
    }[who]
    referral = at_stage(Stage.RECEIVED, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        services.referral_assign(
            actor=Actor(personas["team_lead"]), referral=referral, owner=person
        )
    assert messages(error.value) == {"owner": [english(message)]}
    referral.refresh_from_db()
    assert referral.owner == personas["planner"]


@pytest.mark.parametrize("who", ["gone", "front_office", "nurse_zuid"])
def test_an_intake_is_held_by_an_active_colleague_who_sees_the_client(
    in_english, personas, client_noord, who
):
    gone = personas["nurse_noord"].__class__.objects.create(
        username="gone", role="care_professional", is_active=False
    )
    person, message = {
        "gone": (gone, services.INACTIVE_STAFF),
        "front_office": (personas["front_office"], services.CANNOT_HOLD_INTAKE),
        "nurse_zuid": (personas["nurse_zuid"], services.CANNOT_SEE_CLIENT),
    }[who]
    referral = at_stage(Stage.CONTACTED, personas, client_noord)
    with pytest.raises(ValidationError) as error:
        services.intake_plan(
            actor=Actor(personas["planner"]), referral=referral, planned_at=future(), held_by=person
        )
    assert messages(error.value) == {"held_by": [english(message)]}
    assert not Intake.objects.exists()


def test_a_closed_referral_takes_no_new_owner(in_english, personas, client_noord):
    referral = at_stage(Stage.RECEIVED, personas, client_noord)
    services.referral_move(
        actor=Actor(personas["planner"]),
        referral=referral,
        stage=Stage.WITHDRAWN,
        reason="Cliënt ziet ervan af",
    )
    events = kinds(client_noord)
    with pytest.raises(ValidationError) as error:
        services.referral_assign(
            actor=Actor(personas["planner"]), referral=referral, owner=personas["team_lead"]
        )
    assert messages(error.value) == {"owner": ["This referral has been closed."]}
    referral.refresh_from_db()
    assert referral.owner == personas["planner"]
    assert kinds(client_noord) == events


def test_an_owner_change_moves_the_version_on_by_one(in_english, personas, client_noord):
    referral = at_stage(Stage.RECEIVED, personas, client_noord)
    before = referral.version
    services.referral_assign(
        actor=Actor(personas["planner"]),
        referral=referral,
        owner=personas["team_lead"],
        version=before,
    )
    referral.refresh_from_db()
    assert (referral.owner, referral.version) == (personas["team_lead"], before + 1)


def test_a_stale_version_is_refused_with_its_message(in_english, personas, client_noord):
    referral = at_stage(Stage.RECEIVED, personas, client_noord)
    with pytest.raises(Conflict) as refused:
        services.referral_assign(
            actor=Actor(personas["planner"]),
            referral=referral,
            owner=personas["team_lead"],
            version=referral.version - 1,
        )
    assert english(refused.value.args[0]) == english(services.STALE)


def test_a_referral_refused_a_step_names_both_stages(in_english, personas, client_noord):
    referral = at_stage(Stage.RECEIVED, personas, client_noord)
    with pytest.raises(TransitionRefused) as refused:
        services.waiting_list_place(
            actor=Actor(personas["planner"]), referral=referral, status=WaitingStatus.ACTIVE
        )
    waiting = english(Stage(Stage.WAITING).label)
    assert english(refused.value.args[0]) == (
        f"A referral that is “Received” cannot go to “{waiting}”."
    )


def test_leaving_the_waiting_list_ends_only_this_referrals_place(
    in_english, personas, client_noord
):
    from halte.clients.tests.factories import ClientFactory

    other = at_stage(Stage.WAITING, personas, ClientFactory(team=client_noord.team))
    referral = at_stage(Stage.WAITING, personas, client_noord)
    entry = referral.waiting_entry
    # Half past midnight in Amsterdam, still yesterday in UTC: the day left is the local one.
    after_midnight = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(0, 30))
    ) + datetime.timedelta(days=1)
    with time_machine.travel(after_midnight, tick=False):
        services.referral_move(
            actor=Actor(personas["planner"]),
            referral=referral,
            stage=Stage.REFERRED_ELSEWHERE,
            reason="Past beter bij de GGZ",
        )
    left = WaitingListEntry.objects.get(pk=entry.pk)
    assert (left.left_on, left.left_reason) == (
        timezone.localdate(after_midnight),
        LeftReason.REFERRED_ELSEWHERE,
    )
    assert timezone.localdate(after_midnight) != after_midnight.astimezone(datetime.UTC).date()
    assert left.version == entry.version + 1 and left.updated_at > entry.updated_at
    still = WaitingListEntry.objects.get(referral=other)
    assert still.left_on is None and still.version == other.waiting_entry.version


def test_a_place_no_longer_waiting_or_care_ended_refuse_with_their_message(
    in_english, personas, client_noord
):
    referral = at_stage(Stage.WAITING, personas, client_noord)
    entry = referral.waiting_entry
    episode = services.care_start(
        actor=Actor(personas["planner"]),
        referral=referral,
        starts_on=timezone.localdate(),
        contact_person=personas["nurse_noord"],
    )
    with pytest.raises(Conflict) as refused:
        services.bridging_care_record(actor=Actor(personas["planner"]), entry=entry, text="Niets")
    assert english(refused.value.args[0]) == english(services.NOT_WAITING)
    with pytest.raises(Conflict) as refused:
        services.contact_person_change(
            actor=Actor(personas["team_lead"]),
            episode=episode,
            contact_person=personas["team_lead"],
            version=episode.version - 1,
        )
    assert english(refused.value.args[0]) == english(services.STALE)
    services.care_end(
        actor=Actor(personas["nurse_noord"]),
        episode=episode,
        ended_on=timezone.localdate(),
        reason=EndReason.RECOVERED,
    )
    with pytest.raises(Conflict) as refused:
        services.care_end(
            actor=Actor(personas["nurse_noord"]),
            episode=episode,
            ended_on=timezone.localdate(),
            reason=EndReason.OTHER,
        )
    assert english(refused.value.args[0]) == english(services.ALREADY_ENDED)


def test_each_change_to_the_client_moves_its_version_on_by_one(in_english, personas, client_noord):
    referral = at_stage(Stage.WAITING, personas, client_noord)
    client_noord.refresh_from_db()
    before = client_noord.version
    services.care_start(
        actor=Actor(personas["planner"]),
        referral=referral,
        starts_on=timezone.localdate(),
        contact_person=personas["nurse_noord"],
    )
    client_noord.refresh_from_db()
    assert client_noord.version == before + 1


def test_an_intake_is_due_written_up_by_the_close_of_its_day(in_english, personas, client_noord):
    from halte.contact.models import ServiceLevelPolicy
    from halte.core.calendar import is_working_day

    hours = ServiceLevelPolicy.current().hours
    day = timezone.localdate() + datetime.timedelta(days=2)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    referral = at_stage(Stage.CONTACTED, personas, client_noord)
    services.intake_plan(
        actor=Actor(personas["planner"]),
        referral=referral,
        planned_at=hours.at(day, datetime.time(10, 0)),
        held_by=personas["nurse_noord"],
    )
    referral.refresh_from_db()
    assert referral.due_at == hours.at(day, hours.closes)


def test_only_the_steps_meant_for_relatives_are_shared_with_them(
    in_english, personas, client_noord
):
    at_stage(Stage.RECEIVED, personas, client_noord)
    shared = dict(
        JourneyEvent.objects.filter(client=client_noord).values_list(
            "kind", "shared_with_relatives"
        )
    )
    assert shared == {EventKind.REFERRAL_RECEIVED: True, EventKind.OWNER_ASSIGNED: False}


def test_an_intake_is_planned_at_most_two_years_ahead(in_english, personas, client_noord):
    from halte.core.validation import PLANNED_MOMENT

    referral = at_stage(Stage.CONTACTED, personas, client_noord)
    planned_at = future(days=3 * 365)
    with pytest.raises(ValidationError) as error:
        services.intake_plan(
            actor=Actor(personas["planner"]),
            referral=referral,
            planned_at=planned_at,
            held_by=personas["nurse_noord"],
        )
    assert messages(error.value) == {"planned_at": [str(PLANNED_MOMENT.problem(planned_at))]}
    assert not Intake.objects.exists()
