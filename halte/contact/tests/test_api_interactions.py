"""POST /api/v1/interactions and /interactions/{id}/complete."""

import datetime

import pytest
from django.utils import timezone

from halte.api.tests.helpers import Api, audit_entries, error_of, last_seq
from halte.audit.models import Action, AuditEntry, Outcome
from halte.clients.tests.factories import ClientFactory, RelationFactory
from halte.contact.models import Interaction, InteractionStatus
from halte.contact.services import call_event_register

pytestmark = pytest.mark.django_db


def _contact(client_noord, **changes) -> dict:
    return {
        "client_id": client_noord.pk,
        "channel": "phone",
        "direction": "in",
        "topic": "Planning",
        "summary": "Vraagt of de zorg morgen later kan komen.",
        "outcome": "resolved",
        **changes,
    }


def _call(call_id="call-1", caller="+31612345678") -> Interaction:
    return call_event_register(
        call_id=call_id, event="ringing", caller=caller, at=timezone.now()
    ).interaction


def test_it_logs_a_contact_with_a_relation(client, personas, client_noord):
    relation = client_noord.relations.get()

    response = Api(client, personas["front_office"]).post(
        "/interactions", _contact(client_noord, relation_id=relation.pk)
    )

    assert response.status_code == 201
    body = response.json()
    interaction = Interaction.objects.get()
    assert body["id"] == interaction.pk
    assert (body["client_id"], body["relation_id"]) == (client_noord.pk, relation.pk)
    assert (body["channel"], body["direction"], body["outcome"]) == ("phone", "in", "resolved")
    assert body["status"] == "completed"
    assert body["staff_id"] == personas["front_office"].pk
    assert "+01:00" in body["occurred_at"] or "+02:00" in body["occurred_at"]


@pytest.mark.parametrize(
    "channel", ["phone", "email", "sms", "letter", "portal", "visit", "walk_in"]
)
def test_it_takes_every_channel(client, personas, client_noord, channel):
    response = Api(client, personas["front_office"]).post(
        "/interactions", _contact(client_noord, channel=channel, direction="out")
    )

    assert response.status_code == 201


def test_it_logs_a_contact_without_a_client_and_without_an_entry(client, personas):
    before = last_seq()

    response = Api(client, personas["front_office"]).post(
        "/interactions",
        {"client_id": None, "channel": "walk_in", "direction": "in", "outcome": "resolved"},
    )

    assert response.status_code == 201
    assert response.json()["client_id"] is None
    assert audit_entries(before) == []


def test_it_writes_one_create_entry(client, personas, client_noord):
    before = last_seq()

    Api(client, personas["nurse_noord"]).post("/interactions", _contact(client_noord))

    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.client_id, entry.outcome) == (
        Action.CREATE,
        "contacts",
        client_noord.pk,
        Outcome.SUCCESS,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"direction": "sideways"}, "direction"),
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": None}, "outcome"),
        ({"topic": "x" * 201}, "topic"),
        ({"summary": "x" * 5001}, "summary"),
        ({"summary": "a\x00b"}, "summary"),
        ({"relation_id": 987654}, "relation_id"),
        ({"client_id": 987654}, "client_id"),
        ({"client_id": 0}, "client_id"),
        ({"occurred_at": "2999-01-01T10:00:00+01:00"}, "occurred_at"),
        ({"occurred_at": "2026-11-23T10:00:00"}, "occurred_at"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_it_refuses_bad_input_with_422_naming_the_field_and_writes_nothing(
    client, personas, client_noord, change, field
):
    before = (last_seq(), Interaction.objects.count())

    response = Api(client, personas["front_office"]).post(
        "/interactions", _contact(client_noord, **change)
    )

    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid"
    assert field in error_of(response)["fields"]
    assert (last_seq(), Interaction.objects.count()) == before


def test_it_refuses_a_relation_of_another_client(client, personas, teams, client_noord):
    stranger = RelationFactory(client=ClientFactory(team=teams["noord"]))

    response = Api(client, personas["front_office"]).post(
        "/interactions", _contact(client_noord, relation_id=stranger.pk)
    )

    assert response.status_code == 422
    assert "relation_id" in error_of(response)["fields"]


def test_it_treats_a_client_of_another_team_as_unknown_with_a_denied_entry(
    client, personas, client_noord
):
    before = last_seq()

    response = Api(client, personas["nurse_zuid"]).post("/interactions", _contact(client_noord))

    assert response.status_code == 422
    assert "client_id" in error_of(response)["fields"]
    [entry] = audit_entries(before)
    assert (entry.client_id, entry.outcome) == (client_noord.pk, Outcome.DENIED)
    assert Interaction.objects.count() == 0


def test_it_refuses_malformed_json_with_400(client, personas):
    response = Api(client, personas["front_office"]).post("/interactions", raw="{")

    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


@pytest.mark.parametrize("persona", ["front_office", "planner", "nurse_noord", "team_lead"])
def test_it_lets_roles_that_log_contacts(client, personas, client_noord, persona):
    response = Api(client, personas[persona]).post("/interactions", _contact(client_noord))

    assert response.status_code == 201


@pytest.mark.parametrize("persona", ["manager", "privacy_officer", "administrator"])
def test_it_refuses_roles_that_may_not_log_contacts_with_one_denied_entry(
    client, personas, client_noord, persona
):
    before = last_seq()

    response = Api(client, personas[persona]).post("/interactions", _contact(client_noord))

    assert response.status_code == 403
    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.outcome) == (
        Action.CREATE,
        "contacts",
        Outcome.DENIED,
    )
    assert Interaction.objects.count() == 0


def test_it_needs_the_contacts_write_scope(client, personas, client_noord):
    reader = Api(client, personas["front_office"], scopes=["contacts:read"])
    writer = Api(client, personas["front_office"], scopes=["contacts:write"])

    assert reader.post("/interactions", _contact(client_noord)).status_code == 403
    assert writer.post("/interactions", _contact(client_noord)).status_code == 201


# Writing up a call


def test_it_completes_a_calls_draft_with_the_recognised_client(client, personas, client_noord):
    draft = _call()
    before = last_seq()

    response = Api(client, personas["front_office"]).post(
        f"/interactions/{draft.pk}/complete",
        {"topic": "Medicatie", "summary": "Vraag doorgezet.", "outcome": "follow_up"},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["client_id"], body["status"]) == (
        draft.pk,
        client_noord.pk,
        "completed",
    )
    assert body["outcome"] == "follow_up"
    assert body["call_id"] == "call-1"
    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.client_id) == (
        Action.CREATE,
        "contacts",
        client_noord.pk,
    )


def test_it_completes_a_draft_of_a_shared_number_with_the_client_chosen(
    client, personas, teams, client_noord
):
    draft = _call(caller="+31201234567")  # nobody known: no client on the draft
    relation = client_noord.relations.get()

    response = Api(client, personas["front_office"]).post(
        f"/interactions/{draft.pk}/complete",
        {"client_id": client_noord.pk, "relation_id": relation.pk, "outcome": "resolved"},
    )

    assert response.status_code == 200
    assert (response.json()["client_id"], response.json()["relation_id"]) == (
        client_noord.pk,
        relation.pk,
    )


def test_it_refuses_to_complete_a_contact_twice_with_409(client, personas, client_noord):
    draft = _call()
    api = Api(client, personas["front_office"])
    api.post(f"/interactions/{draft.pk}/complete", {"outcome": "resolved"})
    before = last_seq()

    response = api.post(f"/interactions/{draft.pk}/complete", {"outcome": "follow_up"})

    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"
    assert audit_entries(before) == []
    assert Interaction.objects.get().outcome == "resolved"


def test_it_refuses_an_unknown_outcome_when_completing(client, personas, client_noord):
    draft = _call()

    response = Api(client, personas["front_office"]).post(
        f"/interactions/{draft.pk}/complete", {"outcome": "gone"}
    )

    assert response.status_code == 422
    assert "outcome" in error_of(response)["fields"]
    assert Interaction.objects.get().status == InteractionStatus.OPEN


def test_it_hides_a_draft_of_another_teams_client_as_404(client, personas, client_noord):
    draft = _call()

    response = Api(client, personas["nurse_zuid"]).post(
        f"/interactions/{draft.pk}/complete", {"outcome": "resolved"}
    )

    assert response.status_code == 404
    assert Interaction.objects.get().status == InteractionStatus.OPEN


@pytest.mark.parametrize("path", ["/interactions/987654/complete", "/interactions/0/complete"])
def test_it_answers_404_to_an_unknown_contact(client, personas, path):
    response = Api(client, personas["front_office"]).post(path, {"outcome": "resolved"})

    assert response.status_code == 404


def test_it_refuses_a_manager_to_complete_a_call(client, personas, client_noord):
    draft = _call()

    response = Api(client, personas["manager"]).post(
        f"/interactions/{draft.pk}/complete", {"outcome": "resolved"}
    )

    assert response.status_code == 403
    assert AuditEntry.objects.filter(outcome=Outcome.DENIED).count() == 1


def test_it_keeps_the_time_the_call_came_in(client, personas, client_noord):
    draft = _call()
    rang_at = draft.occurred_at

    Api(client, personas["front_office"]).post(
        f"/interactions/{draft.pk}/complete", {"outcome": "resolved"}
    )

    draft.refresh_from_db()
    assert abs(draft.occurred_at - rang_at) < datetime.timedelta(seconds=1)
