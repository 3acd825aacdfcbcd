"""POST /api/v1/clients/{id}/relations."""

import pytest

from halte.api.tests.helpers import Api, audit_entries, error_of, last_seq
from halte.audit.models import Action, Outcome
from halte.clients.models import Phone, Relation

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Piet de Vries",
    "kind": "informal_carer",
    "phones": [{"number": "0031 6 1111 2222", "label": "mobile"}],
    "email": "piet@example.nl",
    "may_receive_information": True,
    "may_act_on_behalf": False,
    "emergency_contact": True,
}


def test_it_adds_a_relation_with_its_phones(client, personas, client_noord):
    before = last_seq()

    response = Api(client, personas["front_office"]).post(
        f"/clients/{client_noord.pk}/relations", VALID
    )

    assert response.status_code == 201, response.content
    body = response.json()
    relation = Relation.objects.get(pk=body["id"])
    assert relation.client == client_noord
    assert body["phones"] == [
        {"e164": "+31611112222", "label": "mobile", "display": "06 11 11 22 22"}
    ]
    assert (body["kind"], body["emergency_contact"], body["may_act_on_behalf"]) == (
        "informal_carer",
        True,
        False,
    )
    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.client_id, entry.outcome) == (
        Action.CREATE,
        "relations",
        client_noord.pk,
        Outcome.SUCCESS,
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "cousin"}, "kind"),
        ({"kind": None}, "kind"),
        ({"name": ""}, "name"),
        ({"name": "n" * 151}, "name"),
        ({"phones": [{"number": "0612"}]}, "phones"),
        ({"phones": [{"number": "0612345678", "label": "fax"}]}, "phones.0.label"),
        ({"email": "piet"}, "email"),
        ({"emergency_contact": "sometimes"}, "emergency_contact"),
    ],
)
def test_it_refuses_invalid_relations_and_writes_nothing(
    client, personas, client_noord, overrides, field
):
    before = last_seq()
    relations, phones = Relation.objects.count(), Phone.objects.count()

    response = Api(client, personas["front_office"]).post(
        f"/clients/{client_noord.pk}/relations", VALID | overrides
    )

    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert (Relation.objects.count(), Phone.objects.count()) == (relations, phones)
    assert audit_entries(before) == []


def test_it_hides_another_teams_client(client, personas, client_noord):
    before = last_seq()

    response = Api(client, personas["nurse_zuid"]).post(
        f"/clients/{client_noord.pk}/relations", VALID
    )

    assert response.status_code == 404
    assert Relation.objects.filter(client=client_noord).count() == 1
    [entry] = audit_entries(before)
    assert (entry.part, entry.outcome) == ("relations", Outcome.DENIED)


@pytest.mark.parametrize("persona", ["manager", "privacy_officer", "administrator"])
def test_it_refuses_roles_that_may_not_edit(client, personas, client_noord, persona):
    before = last_seq()

    response = Api(client, personas[persona]).post(f"/clients/{client_noord.pk}/relations", VALID)

    assert response.status_code == 403
    [entry] = audit_entries(before)
    assert (entry.action, entry.outcome) == (Action.CREATE, Outcome.DENIED)


def test_it_answers_404_for_a_missing_client(client, personas):
    response = Api(client, personas["planner"]).post("/clients/424242/relations", VALID)

    assert response.status_code == 404
