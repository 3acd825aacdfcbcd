"""GET /api/v1/clients/{id}/messages and /api/v1/messages/{id}."""

import pytest

from halte.api.tests.helpers import Api, audit_entries, error_of, last_seq
from halte.audit.models import Action, Outcome
from halte.clients.tests.factories import ClientFactory
from halte.outreach.models import MessageStatus
from halte.outreach.tests.test_pages import make_message

pytestmark = pytest.mark.django_db


def test_a_clients_messages_newest_first_and_paged(client, personas, client_noord):
    made = [make_message(client_noord, n) for n in range(5)]
    api = Api(client, personas["front_office"])
    seq = last_seq()

    first = api.get(f"/clients/{client_noord.pk}/messages", {"limit": 3}).json()
    assert [m["id"] for m in first["items"]] == [m.pk for m in reversed(made)][:3]
    assert first["items"][0]["status"] == "sent"
    assert first["items"][0]["channel"] == "email"
    second = api.get(f"/clients/{client_noord.pk}/messages", {"cursor": first["next"]}).json()
    assert [m["id"] for m in second["items"]] == [made[1].pk, made[0].pk]
    assert second["next"] is None

    reads = [e for e in audit_entries(seq) if e.part == "messages"]
    assert [(e.action, e.client_id, e.outcome) for e in reads] == [
        (Action.READ, client_noord.pk, Outcome.SUCCESS)
    ] * 2


def test_one_message(client, personas, client_noord):
    message = make_message(client_noord, status=MessageStatus.FAILED, last_error="smtp_550")
    body = Api(client, personas["planner"]).get(f"/messages/{message.pk}").json()
    assert (body["id"], body["status"], body["last_error"]) == (message.pk, "failed", "smtp_550")
    assert body["client_id"] == client_noord.pk
    assert body["relation_id"] is None


def test_a_message_of_a_client_out_of_scope_is_not_found(client, personas, teams):
    zuid = ClientFactory(team=teams["zuid"])
    message = make_message(zuid)
    api = Api(client, personas["nurse_noord"])
    assert api.get(f"/messages/{message.pk}").status_code == 404
    assert api.get(f"/clients/{zuid.pk}/messages").status_code == 404
    assert api.get("/messages/999999").status_code == 404


def test_roles_without_the_client_timeline_are_refused(client, personas, client_noord):
    message = make_message(client_noord)
    for role in ("manager", "privacy_officer", "administrator"):
        api = Api(client, personas[role])
        response = api.get(f"/clients/{client_noord.pk}/messages")
        assert response.status_code == 403, role
        assert error_of(response)["code"] == "forbidden"
        assert api.get(f"/messages/{message.pk}").status_code == 403


def test_a_token_without_the_contacts_scope_is_refused(client, personas, client_noord):
    api = Api(client, personas["front_office"], scopes=["clients:read"])
    assert api.get(f"/clients/{client_noord.pk}/messages").status_code == 403


def test_the_paths_are_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json()
    assert {"400", "401", "403", "404"} <= set(
        document["paths"]["/api/v1/clients/{client_id}/messages"]["get"]["responses"]
    )
    assert {"401", "403", "404"} <= set(
        document["paths"]["/api/v1/messages/{message_id}"]["get"]["responses"]
    )
