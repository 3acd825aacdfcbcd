"""PATCH /api/v1/clients/{id}."""

import pytest

from halte.api.tests.helpers import Api, audit_entries, error_of, last_seq
from halte.audit.models import Action, Outcome
from halte.clients.models import Client, Phone

pytestmark = pytest.mark.django_db


def test_it_changes_only_the_fields_sent(client, personas, client_noord):
    before = last_seq()

    response = Api(client, personas["front_office"]).patch(
        f"/clients/{client_noord.pk}", {"preferred_name": "Riek", "address": {"city": "Leusden"}}
    )

    assert response.status_code == 200, response.content
    stored = Client.objects.get(pk=client_noord.pk)
    assert (stored.preferred_name, stored.city, stored.postcode) == (
        "Riek",
        "Leusden",
        client_noord.postcode,
    )
    assert stored.version == client_noord.version + 1
    assert response.json()["version"] == stored.version
    assert response["ETag"] == f'"{stored.version}"'
    [entry] = audit_entries(before)
    assert (entry.action, entry.client_id, entry.outcome) == (
        Action.UPDATE,
        client_noord.pk,
        Outcome.SUCCESS,
    )
    assert set(entry.part.split(",")) == {"preferred_name", "city"}


def test_it_replaces_the_phones_and_keeps_the_relations_phones(client, personas, client_noord):
    response = Api(client, personas["planner"]).patch(
        f"/clients/{client_noord.pk}", {"phones": [{"number": "033-1234567", "label": "home"}]}
    )

    assert response.json()["phones"] == [
        {"e164": "+31331234567", "label": "home", "display": "033 123 45 67"}
    ]
    assert Phone.objects.filter(client=client_noord, relation__isnull=False).count() == 1


@pytest.mark.parametrize("if_match", ["1", '"1"', 'W/"1"', "*"])
def test_it_accepts_a_current_if_match(client, personas, client_noord, if_match):
    response = Api(client, personas["planner"]).patch(
        f"/clients/{client_noord.pk}", {"preferred_name": "Riek"}, HTTP_IF_MATCH=if_match
    )

    assert response.status_code == 200


def test_it_refuses_a_stale_version_with_409_and_writes_nothing(client, personas, client_noord):
    api = Api(client, personas["planner"])
    api.patch(f"/clients/{client_noord.pk}", {"preferred_name": "Riek"}, HTTP_IF_MATCH='"1"')
    before = last_seq()

    response = api.patch(
        f"/clients/{client_noord.pk}", {"preferred_name": "Rika"}, HTTP_IF_MATCH='"1"'
    )

    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"
    assert Client.objects.get(pk=client_noord.pk).preferred_name == "Riek"
    assert audit_entries(before) == []


def test_it_refuses_an_if_match_that_is_no_version(client, personas, client_noord):
    response = Api(client, personas["planner"]).patch(
        f"/clients/{client_noord.pk}", {"preferred_name": "Riek"}, HTTP_IF_MATCH="yesterday"
    )

    assert response.status_code == 400
    assert "If-Match" in error_of(response)["fields"]


def test_it_records_a_read_when_nothing_changed(client, personas, client_noord):
    before = last_seq()

    response = Api(client, personas["planner"]).patch(
        f"/clients/{client_noord.pk}", {"given_names": "Hendrika"}
    )

    assert response.json()["version"] == client_noord.version
    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.outcome) == (Action.READ, "card", Outcome.SUCCESS)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"given_names": None}, "given_names"),
        ({"given_names": ""}, "given_names"),
        ({"phones": None}, "phones"),
        ({"address": None}, "address"),
        ({"bsn": "12345678"}, "bsn"),
        ({"address": {"postcode": "ABCD 12"}}, "address.postcode"),
        ({"email": "not an email"}, "email"),
        ({"language": "klingon"}, "language"),
        ({"version": 4}, "version"),
    ],
)
def test_it_refuses_invalid_changes_and_writes_nothing(client, personas, client_noord, data, field):
    before = last_seq()

    response = Api(client, personas["planner"]).patch(f"/clients/{client_noord.pk}", data)

    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    stored = Client.objects.get(pk=client_noord.pk)
    assert (stored.version, stored.given_names, stored.postcode) == (
        1,
        "Hendrika",
        client_noord.postcode,
    )
    assert audit_entries(before) == []


def test_it_clears_optional_fields_with_null(client, personas, client_noord):
    response = Api(client, personas["planner"]).patch(
        f"/clients/{client_noord.pk}", {"date_of_birth": None, "name_prefix": None}
    )

    assert response.status_code == 200
    stored = Client.objects.get(pk=client_noord.pk)
    assert (stored.date_of_birth, stored.name_prefix) == (None, "")


def test_it_answers_400_to_malformed_json(client, personas, client_noord):
    response = Api(client, personas["planner"]).patch(f"/clients/{client_noord.pk}", raw="{")

    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


def test_it_answers_413_to_a_huge_body(client, personas, client_noord):
    response = Api(client, personas["planner"]).patch(
        f"/clients/{client_noord.pk}", {"preferred_name": "x" * 65_536}
    )

    assert response.status_code == 413


@pytest.mark.parametrize("persona", ["manager", "privacy_officer", "administrator"])
def test_it_refuses_roles_that_may_not_edit_with_one_denied_entry(
    client, personas, client_noord, persona
):
    before = last_seq()

    response = Api(client, personas[persona]).patch(
        f"/clients/{client_noord.pk}", {"preferred_name": "Riek"}
    )

    assert response.status_code == 403
    assert Client.objects.get(pk=client_noord.pk).preferred_name == ""
    [entry] = audit_entries(before)
    assert (entry.action, entry.client_id, entry.outcome) == (
        Action.UPDATE,
        client_noord.pk,
        Outcome.DENIED,
    )


def test_it_hides_another_teams_client_from_a_nurse(client, personas, client_noord):
    before = last_seq()

    response = Api(client, personas["nurse_zuid"]).patch(
        f"/clients/{client_noord.pk}", {"preferred_name": "Riek"}
    )

    assert response.status_code == 404
    [entry] = audit_entries(before)
    assert entry.outcome == Outcome.DENIED
    assert Client.objects.get(pk=client_noord.pk).preferred_name == ""


def test_it_lets_the_front_office_edit_the_card(client, personas, client_noord):
    response = Api(client, personas["front_office"]).patch(
        f"/clients/{client_noord.pk}", {"interpreter_needed": True, "language": "ar"}
    )

    assert response.status_code == 200
    assert (response.json()["language"], response.json()["interpreter_needed"]) == ("ar", True)
