import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.utils import timezone

from halte.audit.context import Actor
from halte.audit.models import AuditEntry
from halte.audit.tests.failures import audit_write_fails
from halte.clients.models import ClientStatus
from halte.clients.tests.factories import ClientFactory, PhoneFactory
from halte.clients.tests.pages import named_clients
from halte.contact.models import (
    CallEvent,
    Commitment,
    CommitmentAttempt,
    CommitmentKind,
    Interaction,
    ServiceLevelPolicy,
)
from halte.contact.queries import callers_for_number, client_card, commitment_list, escalations
from halte.contact.services import (
    CLIENT_DECEASED,
    RELATION_OF_OTHER_CLIENT,
    call_event_register,
    caller_number,
    commitment_attempt,
    commitment_complete,
    commitment_create,
    interaction_complete,
    interaction_log,
)
from halte.core.errors import Conflict

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=AMS)


@pytest.fixture
def policy(db):
    return ServiceLevelPolicy.current()


@pytest.fixture
def kcc(personas):
    return Actor(personas["front_office"])


@pytest.mark.parametrize(
    ("asked", "due"),
    [
        (at(2026, 11, 23, 9, 15), at(2026, 11, 23, 17, 0)),  # Monday morning: today
        (at(2026, 11, 23, 11, 59), at(2026, 11, 23, 17, 0)),
        (at(2026, 11, 23, 12, 0), at(2026, 11, 24, 12, 0)),  # from noon: next working day
        (at(2026, 11, 27, 15, 0), at(2026, 11, 30, 12, 0)),  # Friday afternoon: Monday
        (at(2026, 11, 28, 10, 0), at(2026, 11, 30, 12, 0)),  # Saturday: Monday noon
        (at(2026, 4, 24, 14, 0), at(2026, 4, 28, 12, 0)),  # Friday before Koningsdag
        (at(2026, 5, 13, 16, 0), at(2026, 5, 15, 12, 0)),  # the day before Hemelvaart
    ],
)
def test_it_makes_callbacks_due_by_the_policy(policy, asked, due):
    assert policy.due_at(CommitmentKind.CALLBACK, asked) == due


def test_it_gives_other_promises_working_days(policy):
    monday = at(2026, 11, 23, 10, 0)
    assert policy.due_at(CommitmentKind.SEND_INFORMATION, monday) == at(2026, 11, 25, 17, 0)
    assert policy.due_at(CommitmentKind.VISIT, monday) == at(2026, 11, 30, 17, 0)


def test_it_follows_the_organisations_own_policy(policy):
    policy.callback_cutoff = datetime.time(15, 0)
    policy.office_closes = datetime.time(18, 0)
    policy.save()
    due = ServiceLevelPolicy.current().due_at(CommitmentKind.CALLBACK, at(2026, 11, 23, 14, 0))
    assert due == at(2026, 11, 23, 18, 0)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("anonymous", ""),
        ("", ""),
        (None, ""),
        ("Withheld", ""),
        ("nonsense", ""),
        ("tel:+31-6-12345678", "+31612345678"),
    ],
)
def test_it_reads_withheld_and_odd_caller_numbers_as_no_caller(raw, stored):
    assert caller_number(raw) == stored


@pytest.fixture
def couple(teams):
    """Two clients sharing a landline, and a daughter who calls for her mother."""
    mother = ClientFactory(team=teams["noord"], given_names="Hendrika", family_name="Berg")
    father = ClientFactory(team=teams["noord"], given_names="Gerrit", family_name="Berg")
    PhoneFactory(client=mother, e164="+31337122160", label="home")
    PhoneFactory(client=father, e164="+31337122160", label="home")
    daughter = mother.relations.create(name="Marieke de Vries", kind="child")
    PhoneFactory(client=mother, relation=daughter, e164="+31612345678")
    return mother, father, daughter


def test_it_recognises_everyone_with_a_number_clients_first(couple, personas):
    mother, father, daughter = couple
    shared = callers_for_number("+31337122160")
    assert [(m.type, m.client) for m in shared] == [("client", mother), ("client", father)]
    [match] = callers_for_number("+31612345678")
    assert (match.type, match.client, match.relation) == ("relation", mother, daughter)
    assert callers_for_number("+31612345678", personas["nurse_zuid"]) == []


def test_it_recognises_a_caller_in_one_query(couple, django_assert_num_queries):
    with django_assert_num_queries(1):
        callers_for_number("+31337122160")


def test_it_opens_one_draft_per_call_and_ignores_replays(couple, personas):
    mother, _, daughter = couple
    personas["front_office"].phone_extension = "201"
    personas["front_office"].save()
    ringing = {
        "call_id": "c-1",
        "event": "ringing",
        "caller": "06-12345678",
        "agent_extension": "201",
        "at": timezone.now(),
    }
    first = call_event_register(**ringing)
    again = call_event_register(**ringing)
    assert not first.replayed and again.replayed
    assert Interaction.objects.count() == 1 and CallEvent.objects.count() == 1
    draft = first.interaction
    assert (draft.client, draft.relation, draft.status) == (mother, daughter, "open")
    assert draft.staff == personas["front_office"]
    entry = AuditEntry.objects.get()
    assert (entry.role, entry.username, entry.part, entry.client_id) == (
        "system",
        "telephone system",
        "caller_recognition",
        mother.pk,  # the one client the number names
    )
    assert first.matches and again.matches == []  # a replay looks nothing up unasked


def test_it_leaves_the_client_open_for_a_shared_landline(couple):
    draft = call_event_register(
        call_id="c-2", event="ringing", caller="033-7122160", at=timezone.now()
    ).interaction
    assert draft.client is None
    # One recognition, one entry naming both.
    [entry] = AuditEntry.objects.filter(part="caller_recognition")
    assert named_clients(entry) == sorted([couple[0].pk, couple[1].pk])


def test_it_takes_a_withheld_number_as_a_call_without_caller(db):
    draft = call_event_register(
        call_id="c-3", event="ringing", caller="anonymous", at=timezone.now()
    ).interaction
    assert (draft.caller_e164, draft.client) == ("", None)


def test_it_handles_events_out_of_order(couple):
    call_event_register(call_id="c-4", event="answered", caller="0612345678", at=timezone.now())
    done = call_event_register(
        call_id="c-4", event="ringing", caller="0612345678", at=timezone.now()
    ).interaction
    assert done.call_state == "answered"
    assert Interaction.objects.filter(call_id="c-4").count() == 1


def test_it_refuses_an_unknown_event(db):
    with pytest.raises(ValidationError):
        call_event_register(call_id="c-5", event="exploded", caller="", at=timezone.now())
    assert CallEvent.objects.count() == 0


def test_it_writes_up_a_call_once(couple, kcc):
    mother, _, daughter = couple
    draft = call_event_register(
        call_id="c-6", event="ringing", caller="0612345678", at=timezone.now()
    ).interaction
    done = interaction_complete(
        actor=kcc,
        interaction=draft,
        client=mother,
        relation=daughter,
        topic="Wondzorg",
        summary="Vraag over de wondzorg",
        outcome="follow_up",
    )
    assert (done.status, done.staff) == ("completed", kcc.user)
    with pytest.raises(Conflict):
        interaction_complete(actor=kcc, interaction=draft, client=mother, outcome="resolved")


def test_it_refuses_a_relation_of_another_client(couple, kcc):
    _mother, father, daughter = couple
    with pytest.raises(ValidationError) as error:
        interaction_log(
            actor=kcc,
            client=father,
            relation=daughter,
            channel="phone",
            direction="in",
            outcome="resolved",
        )
    assert "relation_id" in error.value.message_dict
    assert Interaction.objects.count() == 0


def test_it_keeps_a_promise_through_failed_attempts(couple, kcc, personas, teams):
    mother, _, daughter = couple
    promise = commitment_create(
        actor=kcc,
        client=mother,
        relation=daughter,
        kind="callback",
        description="Terugbellen over de planning",
        owner_team=teams["noord"],
        callback_number="06 12345678",
    )
    assert promise.due_at > timezone.now()
    assert promise.callback_e164 == "+31612345678"
    commitment_attempt(actor=kcc, commitment=promise, outcome="no_answer")
    promise.refresh_from_db()
    assert promise.status == "open"
    nurse = Actor(personas["nurse_noord"])
    done = commitment_complete(actor=nurse, commitment=promise, summary="Planning doorgegeven")
    assert (done.status, done.completed_by) == ("done", nurse.user)
    assert (done.result.channel, done.result.direction, done.result.relation) == (
        "phone",
        "out",
        daughter,
    )
    with pytest.raises(Conflict):
        commitment_complete(actor=nurse, commitment=promise, summary="nog een keer")
    with pytest.raises(Conflict):
        commitment_attempt(actor=nurse, commitment=promise, outcome="busy")
    assert [e.part for e in AuditEntry.objects.order_by("seq")] == [
        "promises",
        "promises",
        "contacts",
        "promises",
    ]


def _callback(kcc, teams, client, **fields):
    return commitment_create(
        actor=kcc,
        client=client,
        kind="callback",
        description="Terugbellen",
        owner_team=teams["noord"],
        **fields,
    )


def test_it_calls_back_on_the_number_the_caller_called_from(couple, kcc, teams):
    mother, _, daughter = couple
    call = call_event_register(
        call_id="c-9", event="ringing", caller="+31 6 23456789", at=timezone.now()
    ).interaction
    promise = _callback(kcc, teams, mother, relation=daughter, origin=call)
    assert promise.callback_e164 == "+31623456789"


def test_it_calls_back_the_relation_on_their_number_without_a_call(couple, kcc, teams):
    mother, _, daughter = couple
    assert _callback(kcc, teams, mother, relation=daughter).callback_e164 == "+31612345678"


def test_it_calls_back_the_client_on_her_first_number(couple, kcc, teams):
    mother = couple[0]
    PhoneFactory(client=mother, e164="+31687654321")  # a later, second number
    assert _callback(kcc, teams, mother).callback_e164 == "+31337122160"


def test_it_keeps_the_number_the_agent_gives(couple, kcc, teams):
    promise = _callback(kcc, teams, couple[0], callback_number="020-1234567")
    assert promise.callback_e164 == "+31201234567"


def test_it_gives_other_promises_no_number_of_their_own(couple, kcc, teams):
    promise = commitment_create(
        actor=kcc,
        client=couple[0],
        kind="send_information",
        description="Folder sturen",
        owner_team=teams["noord"],
    )
    assert promise.callback_e164 == ""


def test_it_makes_no_promise_about_a_deceased_client(couple, kcc, teams):
    mother = couple[0]
    mother.status = ClientStatus.DECEASED
    mother.save()
    with pytest.raises(ValidationError) as error:
        _callback(kcc, teams, mother)
    assert error.value.message_dict == {"client_id": [str(CLIENT_DECEASED)]}
    assert Commitment.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"kind": "gossip"}, "kind"),
        ({"description": " "}, "description"),
        ({"owner_team": None}, "owner"),
        ({"due_at": timezone.now() - datetime.timedelta(minutes=1)}, "due_at"),
        ({"callback_number": "12"}, "callback_number"),
    ],
)
def test_it_refuses_a_broken_promise_and_writes_nothing(couple, kcc, teams, fields, error_field):
    mother = couple[0]
    good = {"kind": "callback", "description": "Terugbellen", "owner_team": teams["noord"]}
    with pytest.raises(ValidationError) as error:
        commitment_create(actor=kcc, client=mother, **{**good, **fields})
    assert error_field in error.value.message_dict
    assert Commitment.objects.count() == AuditEntry.objects.count() == 0


def test_it_lists_queues_and_escalations(couple, kcc, personas, teams):
    mother = couple[0]
    soon = commitment_create(
        actor=kcc,
        client=mother,
        kind="other",
        description="Binnenkort",
        owner_team=teams["noord"],
        due_at=timezone.now() + datetime.timedelta(minutes=30),
    )
    neighbour = ClientFactory(team=teams["zuid"])
    later = commitment_create(
        actor=kcc,
        client=neighbour,
        kind="other",
        description="Later",
        owner_team=teams["zuid"],
        due_at=timezone.now() + datetime.timedelta(days=3),
    )
    assert list(commitment_list(personas["nurse_noord"], team=True)) == [soon]
    assert list(commitment_list(personas["nurse_zuid"], team=True)) == [later]
    assert list(escalations(personas["manager"])) == [soon]
    past_due = timezone.now() + datetime.timedelta(days=4)
    assert list(escalations(personas["manager"], past_due)) == [soon, later]


def test_it_builds_the_card_in_a_constant_number_of_queries(
    couple, kcc, teams, policy, django_assert_num_queries
):
    mother = couple[0]
    interaction_log(actor=kcc, client=mother, channel="phone", direction="in", outcome="resolved")
    with django_assert_num_queries(20, exact=False) as small:
        client_card(kcc, mother.pk)
    for i in range(5):
        interaction_log(
            actor=kcc,
            client=mother,
            channel="email",
            direction="out",
            outcome="resolved",
            topic=f"Mail {i}",
        )
        commitment_create(
            actor=kcc, client=mother, kind="visit", description=f"Bezoek {i}", owner_user=kcc.user
        )
        mother.relations.create(name=f"Buur {i}", kind="neighbour")
    with django_assert_num_queries(len(small.captured_queries)):
        card = client_card(kcc, mother.pk)
    assert len(card.recent_contacts) == 6
    assert [c.description for c in card.open_commitments][:1] == ["Bezoek 0"]


def test_it_never_makes_a_callback_due_in_the_past(policy):
    policy.callback_cutoff = datetime.time(18, 0)  # later than closing (17:00)
    asked = at(2026, 11, 23, 17, 30)
    assert policy.due_at(CommitmentKind.CALLBACK, asked) == at(2026, 11, 24, 12, 0)


def test_it_refuses_an_owner_who_cannot_see_the_client(couple, kcc, personas):
    mother = couple[0]  # a client of team Noord
    for outsider in ("nurse_zuid", "administrator", "privacy_officer"):
        with pytest.raises(ValidationError) as error:
            commitment_create(
                actor=kcc,
                client=mother,
                kind="callback",
                description="Terugbellen",
                owner_user=personas[outsider],
            )
        assert "owner_user" in error.value.message_dict
    promise = commitment_create(
        actor=kcc,
        client=mother,
        kind="callback",
        description="Terugbellen",
        owner_user=personas["nurse_noord"],
    )
    assert promise.owner_user == personas["nurse_noord"]


def test_it_shows_the_first_matches_of_a_number_shared_by_many(teams, personas):
    practice = "+31302345678"  # a GP practice: a relation of each of its patients
    for i in range(25):
        patient = ClientFactory(team=teams["noord"], given_names=f"Patiënt{i}")
        gp = patient.relations.create(name="Huisartsenpraktijk De Bilt", kind="gp")
        PhoneFactory(client=patient, relation=gp, e164=practice)
    own = ClientFactory(team=teams["zuid"], given_names="Zelf")
    PhoneFactory(client=own, e164=practice)

    matches = callers_for_number(practice)
    assert len(matches) == 20 and matches.more
    assert (matches[0].type, matches[0].client) == ("client", own)  # own numbers first
    narrowed = callers_for_number(practice, personas["nurse_zuid"])
    assert [m.client for m in narrowed] == [own] and not narrowed.more


# The services refuse what the forms and schemas refuse, themselves: an API or a page
# that forgets a check must not get a wrong write through.


def _written_up(kcc, mother, **fields):
    draft = call_event_register(
        call_id="c-guard", event="ringing", caller="0612345678", at=timezone.now()
    ).interaction
    done = {"client": mother, "topic": "Planning", "summary": "Vraag", "outcome": "resolved"}
    return draft, lambda: interaction_complete(actor=kcc, interaction=draft, **{**done, **fields})


@pytest.mark.parametrize("write", ["log", "log_without_client", "complete", "promise"])
def test_every_write_refuses_a_relation_of_another_client(couple, kcc, teams, write):
    mother, father, daughter = couple  # the daughter is the mother's relation only
    draft, complete = _written_up(kcc, mother, client=father, relation=daughter)
    entries = AuditEntry.objects.count()
    writes = {
        "log": lambda: interaction_log(
            actor=kcc,
            client=father,
            relation=daughter,
            channel="phone",
            direction="in",
            outcome="resolved",
        ),
        "log_without_client": lambda: interaction_log(
            actor=kcc,
            client=None,
            relation=daughter,
            channel="phone",
            direction="in",
            outcome="resolved",
        ),
        "complete": complete,
        "promise": lambda: _callback(kcc, teams, father, relation=daughter),
    }
    with pytest.raises(ValidationError) as error:
        writes[write]()
    assert error.value.message_dict == {"relation_id": [str(RELATION_OF_OTHER_CLIENT)]}
    draft.refresh_from_db()
    # The draft as the call opened it (the daughter's number: the mother's relation).
    assert (draft.status, draft.client, draft.relation) == ("open", mother, daughter)
    assert Interaction.objects.count() == 1
    assert Commitment.objects.count() == 0
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"outcome": "exploded"}, "outcome"),
        ({"outcome": None}, "outcome"),
        ({"topic": "t" * 201}, "topic"),
        ({"summary": "s" * 5001}, "summary"),
        ({"summary": 42}, "summary"),
    ],
)
def test_a_write_up_is_checked_by_the_service_itself(couple, kcc, fields, error_field):
    mother = couple[0]
    draft, complete = _written_up(kcc, mother, **fields)
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        complete()
    assert list(error.value.message_dict) == [error_field]
    draft.refresh_from_db()
    assert (draft.status, draft.client, draft.outcome) == ("open", mother, "")
    assert AuditEntry.objects.count() == entries


def test_a_write_up_takes_the_longest_texts_allowed(couple, kcc):
    mother = couple[0]
    _draft, complete = _written_up(kcc, mother, topic="t" * 200, summary="s" * 5000)
    done = complete()
    done.refresh_from_db()
    assert (len(done.topic), len(done.summary), done.status) == (200, 5000, "completed")


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"outcome": "exploded"}, "outcome"),
        ({"outcome": "resolved"}, "outcome"),  # a contact's outcome, not an attempt's
        ({"note": "n" * 301}, "note"),
        ({"note": ["a list"]}, "note"),
    ],
)
def test_an_attempt_is_checked_by_the_service_itself(couple, kcc, teams, fields, error_field):
    promise = _callback(kcc, teams, couple[0])
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        commitment_attempt(actor=kcc, commitment=promise, **{"outcome": "busy", **fields})
    assert list(error.value.message_dict) == [error_field]
    assert not CommitmentAttempt.objects.exists()
    assert AuditEntry.objects.count() == entries
    promise.refresh_from_db()
    assert promise.status == "open"


def test_an_attempt_is_recorded_as_given(couple, kcc, teams):
    promise = _callback(kcc, teams, couple[0])
    attempt = commitment_attempt(
        actor=kcc, commitment=promise, outcome="voicemail", note="  " + "n" * 300 + " "
    )
    attempt.refresh_from_db()
    assert (attempt.outcome, attempt.note, attempt.by) == ("voicemail", "n" * 300, kcc.user)
    assert [(e.action, e.part, e.client_id) for e in AuditEntry.objects.order_by("-seq")[:1]] == [
        ("update", "promises", couple[0].pk)
    ]


def test_keeping_a_promise_moves_its_version_on(couple, kcc, teams):
    """The version is what a second agent's stale form is refused by (409)."""
    promise = _callback(kcc, teams, couple[0])
    assert promise.version == 1
    commitment_attempt(actor=kcc, commitment=promise, outcome="busy")
    promise.refresh_from_db()
    assert promise.version == 1  # a try changes nothing a form shows
    commitment_complete(actor=kcc, commitment=promise, summary="Gebeld")
    promise.refresh_from_db()
    assert (promise.version, promise.status) == (2, "done")
    assert promise.completed_at is not None and promise.completed_by == kcc.user


def test_a_promise_whose_audit_entry_fails_is_not_made(couple, kcc, teams):
    with audit_write_fails(), pytest.raises(OperationalError):
        _callback(kcc, teams, couple[0])
    assert not Commitment.objects.exists()
    assert not AuditEntry.objects.exists()


def test_an_attempt_whose_audit_entry_fails_is_not_recorded(couple, kcc, teams):
    promise = _callback(kcc, teams, couple[0])
    with audit_write_fails(), pytest.raises(OperationalError):
        commitment_attempt(actor=kcc, commitment=promise, outcome="busy")
    assert not CommitmentAttempt.objects.exists()
    assert AuditEntry.objects.count() == 1  # the promise's own


def test_a_promise_kept_is_undone_whole_when_its_last_step_fails(couple, kcc, teams):
    """Keeping a promise logs the contact (with its entry), closes the promise, then
    writes the promise's entry: when that last write fails, neither the contact nor the
    closing remains."""
    promise = _callback(kcc, teams, couple[0])
    with audit_write_fails(at_entry=2), pytest.raises(OperationalError):
        commitment_complete(actor=kcc, commitment=promise, summary="Gebeld")
    promise.refresh_from_db()
    assert (promise.status, promise.version, promise.result) == ("open", 1, None)
    assert not Interaction.objects.exists()
    assert AuditEntry.objects.count() == 1  # the promise's own


def test_a_write_up_whose_audit_entry_fails_leaves_the_call_open(couple, kcc):
    mother = couple[0]
    draft, complete = _written_up(kcc, mother)
    entries = AuditEntry.objects.count()
    with audit_write_fails(), pytest.raises(OperationalError):
        complete()
    draft.refresh_from_db()
    assert (draft.status, draft.outcome, draft.topic) == ("open", "", "")
    assert AuditEntry.objects.count() == entries


def test_a_contact_whose_audit_entry_fails_is_not_logged(couple, kcc):
    with audit_write_fails(), pytest.raises(OperationalError):
        interaction_log(
            actor=kcc, client=couple[0], channel="email", direction="in", outcome="resolved"
        )
    assert not Interaction.objects.exists()


def test_a_second_hand_on_a_call_or_promise_is_told_why(couple, kcc, teams):
    """The conflict's message is what the page and the API show the second agent."""
    from halte.contact.services import (
        ALREADY_COMPLETED,
        ALREADY_DONE,
        ALREADY_PUT_ASIDE,
        interaction_discard,
    )

    mother = couple[0]
    _draft, complete = _written_up(kcc, mother)
    complete()
    with pytest.raises(Conflict) as error:
        complete()
    assert str(error.value) == str(ALREADY_COMPLETED)

    missed = call_event_register(
        call_id="c-missed", event="ringing", caller="0612345678", at=timezone.now()
    ).interaction
    call_event_register(call_id="c-missed", event="ended", caller="", at=timezone.now())
    interaction_discard(actor=kcc, interaction=missed)
    with pytest.raises(Conflict) as error:
        interaction_complete(actor=kcc, interaction=missed, client=mother, outcome="resolved")
    assert str(error.value) == str(ALREADY_PUT_ASIDE)

    promise = _callback(kcc, teams, mother)
    commitment_complete(actor=kcc, commitment=promise, summary="Gebeld")
    with pytest.raises(Conflict) as error:
        commitment_attempt(actor=kcc, commitment=promise, outcome="busy")
    assert str(error.value) == str(ALREADY_DONE)


def test_an_inactive_colleague_on_the_extension_is_not_given_the_call(couple, personas):
    gone = personas["planner"]
    gone.phone_extension, gone.is_active = "305", False
    gone.save()
    answered = {"call_id": "c-gone", "caller": "0612345678", "agent_extension": "305"}
    call_event_register(event="ringing", at=timezone.now(), **answered)
    draft = call_event_register(event="answered", at=timezone.now(), **answered).interaction
    assert (draft.agent_extension, draft.staff) == ("305", None)


def test_a_later_event_gives_the_callers_only_when_asked(couple):
    call = {"call_id": "c-later", "caller": "0612345678"}
    call_event_register(event="ringing", at=timezone.now(), **call)
    quiet = call_event_register(event="answered", at=timezone.now(), **call)
    assert quiet.matches == [] and not quiet.replayed
    asked = call_event_register(event="ended", at=timezone.now(), with_matches=True, **call)
    assert [(m.client, m.relation) for m in asked.matches] == [(couple[0], couple[2])]


def test_a_contact_without_topic_or_summary_keeps_them_empty(couple, kcc):
    logged = interaction_log(
        actor=kcc, client=couple[0], channel="email", direction="in", outcome="resolved"
    )
    logged.refresh_from_db()
    assert (logged.topic, logged.summary) == ("", "")


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"event": "exploded"}, "event"),
        ({"call_id": ""}, "call_id"),
        ({"call_id": "c" * 101}, "call_id"),
    ],
)
def test_a_call_event_is_checked_by_the_service_itself(db, fields, error_field):
    event = {"call_id": "c-check", "event": "ringing", "caller": "", "at": timezone.now()}
    with pytest.raises(ValidationError) as error:
        call_event_register(**{**event, **fields})
    assert list(error.value.message_dict) == [error_field]
    assert not CallEvent.objects.exists() and not Interaction.objects.exists()


def test_a_call_opens_as_an_incoming_phone_contact_as_the_system_gives_it(couple, personas):
    registered = call_event_register(
        call_id="c" * 100,  # the longest id taken
        event="ringing",
        caller="0612345678",
        agent_extension=" 2" + "0" * 20 + " ",
        at=timezone.now(),
        source_ip="192.0.2.7",
    )
    draft = registered.interaction
    draft.refresh_from_db()
    assert registered.replayed is False
    assert (draft.channel, draft.direction, draft.call_id) == ("phone", "in", "c" * 100)
    assert draft.agent_extension == "2" + "0" * 19  # stripped, at most 20 characters
    entry = AuditEntry.objects.get(part="caller_recognition")
    assert entry.source_ip == "192.0.2.7"
    bare = call_event_register(call_id="c-bare", event="ringing", caller="", at=timezone.now())
    assert bare.interaction.agent_extension == ""


def test_a_number_of_the_client_and_her_relative_names_no_relation(couple):
    """The mother's own number that her daughter also gives: the client is known, who
    is calling is not."""
    mother, _, daughter = couple
    PhoneFactory(client=mother, e164="+31687654321")
    PhoneFactory(client=mother, relation=daughter, e164="+31687654321")
    draft = call_event_register(
        call_id="c-both", event="ringing", caller="0687654321", at=timezone.now()
    ).interaction
    assert (draft.client, draft.relation) == (mother, None)


def _missed_call(call_id="c-aside", caller="0612345678", **event):
    missed = call_event_register(
        call_id=call_id, event="ringing", caller=caller, at=timezone.now(), **event
    ).interaction
    call_event_register(call_id=call_id, event="ended", caller=caller, at=timezone.now())
    return missed


def test_a_missed_call_is_put_aside_by_whoever_does_it_and_audited(couple, kcc):
    from halte.contact.services import interaction_discard

    mother = couple[0]
    missed = _missed_call()
    entries = AuditEntry.objects.count()

    aside = interaction_discard(actor=kcc, interaction=missed)

    missed.refresh_from_db()
    assert (aside.status, missed.status, missed.staff) == ("discarded", "discarded", kcc.user)
    assert AuditEntry.objects.count() == entries + 1
    entry = AuditEntry.objects.order_by("-pk").first()
    assert (entry.action, entry.part, entry.client_id) == ("update", "contacts", mother.pk)


def test_a_missed_call_keeps_the_agent_it_rang_for(couple, kcc, personas):
    from halte.contact.services import interaction_discard

    agent = personas["planner"]
    agent.phone_extension = "207"
    agent.save()
    missed = _missed_call(agent_extension="207")
    interaction_discard(actor=kcc, interaction=missed)
    missed.refresh_from_db()
    assert (missed.status, missed.staff) == ("discarded", agent)


def test_a_missed_call_without_a_client_is_put_aside_without_an_entry(db, kcc):
    from halte.contact.services import interaction_discard

    missed = _missed_call(caller="anonymous")
    entries = AuditEntry.objects.count()
    assert interaction_discard(actor=kcc, interaction=missed).status == "discarded"
    assert AuditEntry.objects.count() == entries


def test_only_a_missed_call_that_is_over_is_put_aside(couple, kcc):
    from halte.contact.services import (
        ANSWERED_CALL_TO_WRITE_UP,
        CALL_STILL_GOING,
        interaction_discard,
    )

    ringing = call_event_register(
        call_id="c-ringing", event="ringing", caller="0612345678", at=timezone.now()
    ).interaction
    answered = {"call_id": "c-answered", "caller": "0612345678"}
    for event in ("ringing", "answered", "ended"):
        call_event_register(event=event, at=timezone.now(), **answered)
    for call, message in [
        (ringing, CALL_STILL_GOING),
        (Interaction.objects.get(call_id="c-answered"), ANSWERED_CALL_TO_WRITE_UP),
    ]:
        with pytest.raises(Conflict) as error:
            interaction_discard(actor=kcc, interaction=call)
        assert str(error.value) == str(message)
        call.refresh_from_db()
        assert call.status == "open"


def test_a_ringing_call_past_its_time_out_is_over_and_can_be_put_aside(couple, kcc):
    from halte.contact.services import interaction_discard

    rang = timezone.now() - datetime.timedelta(hours=2)
    missed = call_event_register(
        call_id="c-lost", event="ringing", caller="0612345678", at=rang
    ).interaction
    assert interaction_discard(actor=kcc, interaction=missed).status == "discarded"


def test_a_put_aside_whose_audit_entry_fails_leaves_the_call_open(couple, kcc):
    from halte.contact.services import interaction_discard

    missed = _missed_call()
    with audit_write_fails(), pytest.raises(OperationalError):
        interaction_discard(actor=kcc, interaction=missed)
    missed.refresh_from_db()
    assert (missed.status, missed.staff) == ("open", None)


def _last_entry():
    entry = AuditEntry.objects.order_by("-seq").first()
    return entry.action, entry.part, entry.client_id


def test_a_logged_contact_is_the_agents_and_audited_for_its_client(couple, kcc):
    mother = couple[0]
    logged = interaction_log(
        actor=kcc, client=mother, channel="email", direction="in", outcome="resolved"
    )
    logged.refresh_from_db()
    assert (logged.staff, logged.status, logged.client) == (kcc.user, "completed", mother)
    assert _last_entry() == ("create", "contacts", mother.pk)


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"direction": "sideways"}, "direction"),
        ({"outcome": "exploded"}, "outcome"),
        ({"occurred_at": at(1800, 1, 1, 12, 0)}, "occurred_at"),
    ],
)
def test_a_contact_is_checked_by_the_service_itself(couple, kcc, fields, error_field):
    given = {"channel": "email", "direction": "in", "outcome": "resolved", **fields}
    with pytest.raises(ValidationError) as error:
        interaction_log(actor=kcc, client=couple[0], **given)
    assert list(error.value.message_dict) == [error_field]
    assert not Interaction.objects.exists()


def test_a_contact_may_lie_at_most_five_minutes_ahead_of_the_clock(couple, kcc):
    """Another device's clock may run a little ahead; further is a contact to come."""
    from halte.contact.services import IN_THE_FUTURE

    now = timezone.now()
    log = {
        "actor": kcc,
        "client": couple[0],
        "channel": "phone",
        "direction": "out",
        "outcome": "resolved",
    }
    with time_machine.travel(now, tick=False):
        interaction_log(occurred_at=now + datetime.timedelta(minutes=5), **log)
        with pytest.raises(ValidationError) as error:
            interaction_log(occurred_at=now + datetime.timedelta(minutes=5, seconds=1), **log)
    assert error.value.message_dict == {"occurred_at": [str(IN_THE_FUTURE)]}
    assert Interaction.objects.count() == 1


def test_a_write_up_is_audited_for_the_client_it_names(couple, kcc):
    mother = couple[0]
    _draft, complete = _written_up(kcc, mother)
    complete()
    assert _last_entry() == ("create", "contacts", mother.pk)


def test_a_promise_kept_records_its_contact_under_the_promises_kind(couple, kcc, teams):
    mother = couple[0]
    promise = _callback(kcc, teams, mother)
    kept = commitment_complete(actor=kcc, commitment=promise, summary="Gebeld")
    assert (kept.result.topic, kept.result.summary) == (
        "Terugbellen",
        "Gebeld",
    )  # the kind, in Dutch
    assert _last_entry() == ("update", "promises", mother.pk)
    other = _callback(kcc, teams, mother)
    kept = commitment_complete(actor=kcc, commitment=other, summary="Gebeld", topic="Recept")
    assert kept.result.topic == "Recept"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"owner_team": None}, "owner", "ONE_OWNER"),
        ({"owner_team": None, "owner_user": "gone"}, "owner_user", "INACTIVE_OWNER"),
        ({"owner_team": None, "owner_user": "nurse_zuid"}, "owner_user", "OWNER_CANNOT_SEE_CLIENT"),
        ({"due_at": "now"}, "due_at", "DUE_IN_THE_PAST"),
        ({"due_at": "in three years"}, "due_at", None),
    ],
)
def test_a_refused_promise_says_which_field_and_why(
    couple, kcc, teams, personas, fields, field, message
):
    from halte.contact import services

    gone = personas["planner"]
    gone.is_active = False
    gone.save()
    now = timezone.now()
    given = {
        "owner_user": {"gone": gone, "nurse_zuid": personas["nurse_zuid"]}.get(
            fields.get("owner_user")
        ),
        "due_at": {"now": now, "in three years": now + datetime.timedelta(days=3 * 366)}.get(
            fields.get("due_at")
        ),
    }
    good = {"kind": "callback", "description": "Terugbellen", "owner_team": teams["noord"]}
    with time_machine.travel(now, tick=False), pytest.raises(ValidationError) as error:
        commitment_create(actor=kcc, client=couple[0], **{**good, **fields, **given})
    assert list(error.value.message_dict) == [field]
    if message:
        assert error.value.message_dict[field] == [str(getattr(services, message))]


def test_a_promise_is_made_as_given_and_audited(couple, kcc, personas, policy):
    mother = couple[0]
    nurse = personas["nurse_noord"]
    origin = interaction_log(
        actor=kcc, client=mother, channel="phone", direction="in", outcome="follow_up"
    )
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        made = commitment_create(
            actor=kcc,
            client=mother,
            kind="visit",
            description="Langsgaan",
            owner_user=nurse,
            origin=origin,
        )
    made.refresh_from_db()
    assert (made.kind, made.owner_user, made.origin) == ("visit", nurse, origin)
    assert made.due_at == policy.due_at("visit", now)
    assert made.callback_e164 == ""
    assert _last_entry() == ("create", "promises", mother.pk)


def test_an_attempt_without_a_note_has_none(couple, kcc, teams):
    promise = _callback(kcc, teams, couple[0])
    attempt = commitment_attempt(actor=kcc, commitment=promise, outcome="busy")
    attempt.refresh_from_db()
    assert attempt.note == ""
