"""GET /api/v1/clients/{id}."""

import pytest

from halte.api.tests.helpers import Api, audit_entries, error_of, last_seq
from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.clients.services import client_update
from halte.clients.tests.factories import ClientFactory, PhoneFactory, RelationFactory

pytestmark = pytest.mark.django_db


def test_it_shows_the_card_with_relations_and_their_phones(client, personas, client_noord):
    response = Api(client, personas["front_office"]).get(f"/clients/{client_noord.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["given_names"] == "Hendrika"
    assert body["name_prefix"] == "van den"
    assert body["phones"] == [
        {"e164": "+31612345678", "label": "mobile", "display": "06 12 34 56 78"}
    ]
    [relation] = body["relations"]
    assert relation["name"] == "Marieke de Vries"
    assert relation["kind"] == "child"
    assert relation["phones"][0]["e164"] == "+31687654321"
    assert relation["may_receive_information"] is True
    assert relation["may_act_on_behalf"] is False
    assert relation["emergency_contact"] is False
    assert response["ETag"] == f'"{client_noord.version}"'


def test_it_masks_the_bsn(client, personas, client_noord):
    client_update(actor=Actor(user=personas["planner"]), client=client_noord, bsn="111222333")

    response = Api(client, personas["planner"]).get(f"/clients/{client_noord.pk}")

    assert response.json()["bsn_masked"] == "••••••333"
    assert "111222333" not in response.content.decode()
    assert "bsn" not in response.json()


def test_it_writes_one_read_entry(client, personas, client_noord):
    before = last_seq()

    Api(client, personas["nurse_noord"]).get(f"/clients/{client_noord.pk}")

    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.client_id, entry.outcome) == (
        Action.READ,
        "card",
        client_noord.pk,
        Outcome.SUCCESS,
    )
    assert entry.username == "nurse_noord"
    assert entry.on_behalf_of == "test token"


def test_it_hides_a_client_of_another_team_as_404_with_one_denied_entry(
    client, personas, client_noord
):
    before = last_seq()

    response = Api(client, personas["nurse_zuid"]).get(f"/clients/{client_noord.pk}")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    [entry] = audit_entries(before)
    assert (entry.action, entry.client_id, entry.outcome) == (
        Action.READ,
        client_noord.pk,
        Outcome.DENIED,
    )


def test_it_answers_404_without_an_entry_for_a_client_that_does_not_exist(client, personas):
    before = last_seq()

    response = Api(client, personas["front_office"]).get("/clients/987654")

    assert response.status_code == 404
    assert audit_entries(before) == []


@pytest.mark.parametrize("path", ["/clients/0", "/clients/abc", "/clients/99999999999999999999"])
def test_it_answers_404_to_an_id_that_cannot_exist(client, personas, path):
    response = Api(client, personas["front_office"]).get(path)

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize(
    "persona", ["front_office", "planner", "nurse_noord", "team_lead", "manager"]
)
def test_it_shows_the_card_to_roles_that_may_see_it(client, personas, client_noord, persona):
    assert Api(client, personas[persona]).get(f"/clients/{client_noord.pk}").status_code == 200


@pytest.mark.parametrize("persona", ["privacy_officer", "administrator"])
def test_it_refuses_roles_without_client_access_with_one_denied_entry(
    client, personas, client_noord, persona
):
    before = last_seq()

    response = Api(client, personas[persona]).get(f"/clients/{client_noord.pk}")

    assert response.status_code == 403
    [entry] = audit_entries(before)
    assert (entry.action, entry.client_id, entry.outcome) == (
        Action.READ,
        client_noord.pk,
        Outcome.DENIED,
    )


def test_it_has_no_care_notes_in_the_card(client, personas, client_noord):
    body = Api(client, personas["nurse_noord"]).get(f"/clients/{client_noord.pk}").json()

    assert "care_notes" not in body


@pytest.mark.parametrize(("relations", "phones_each"), [(1, 0), (1, 1), (8, 3)])
def test_it_runs_the_same_number_of_queries_however_many_relations(
    client, personas, teams, django_assert_num_queries, relations, phones_each
):
    subject = ClientFactory(team=teams["noord"])
    PhoneFactory(client=subject)
    for _ in range(relations):
        relation = RelationFactory(client=subject)
        for _ in range(phones_each):
            PhoneFactory(client=subject, relation=relation)
    api = Api(client, personas["nurse_noord"])
    api.get(f"/clients/{subject.pk}")  # the token's last use is recorded once a minute

    # token, the token's rate count, the nurse's teams, the client with its team, its
    # phones, relations, their phones, preferences; the audit entry (chain head,
    # insert, update)
    with django_assert_num_queries(11):
        response = api.get(f"/clients/{subject.pk}")

    assert len(response.json()["relations"]) == relations
