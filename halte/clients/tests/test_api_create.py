"""POST /api/v1/clients."""

import pytest

from halte.api.tests.helpers import Api, audit_entries, error_of, last_seq
from halte.audit.models import Action, Outcome
from halte.clients.models import Client, Phone

pytestmark = pytest.mark.django_db

VALID_BSN = "111222333"


def valid_client(**overrides) -> dict:
    data = {
        "given_names": "Johanna Maria",
        "family_name": "Berg",
        "name_prefix": "van den",
        "preferred_name": "Jo",
        "date_of_birth": "1941-03-07",
        "bsn": VALID_BSN,
        "phones": [
            {"number": "06-12345678", "label": "mobile"},
            {"number": "+31 (0)33 123 4567", "label": "home"},
        ],
        "email": "jo@example.nl",
        "address": {
            "street": "Lange Gracht",
            "house_number": 12,
            "house_number_suffix": "a",
            "postcode": "3811 ab",
            "city": "Amersfoort",
        },
        "language": "TR",
        "interpreter_needed": True,
    }
    return data | overrides


def test_it_creates_a_client_and_returns_the_normalised_values(client, personas):
    api = Api(client, personas["planner"])
    before = last_seq()

    response = api.post("/clients", valid_client())

    assert response.status_code == 201, response.content
    body = response.json()
    stored = Client.objects.get()
    assert body["id"] == stored.pk
    assert body["version"] == 1
    assert body["phones"] == [
        {"e164": "+31612345678", "label": "mobile", "display": "06 12 34 56 78"},
        {"e164": "+31331234567", "label": "home", "display": "033 123 45 67"},
    ]
    assert body["address"]["postcode"] == "3811AB"
    assert body["language"] == "tr"
    assert body["bsn_masked"].endswith("333")
    assert VALID_BSN not in response.content.decode()
    # The check for duplicates is a search, audited as one before the creation.
    check, entry = audit_entries(before)
    assert (check.action, check.part, check.client_id) == (Action.SEARCH, "search:duplicates", None)
    assert (entry.action, entry.part, entry.client_id, entry.outcome) == (
        Action.CREATE,
        "card",
        stored.pk,
        Outcome.SUCCESS,
    )
    assert entry.on_behalf_of == "test token"


def _assert_nothing_written(before_seq):
    assert Client.objects.count() == 0
    assert Phone.objects.count() == 0
    assert audit_entries(before_seq) == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"bsn": "123456789"}, "bsn"),
        ({"address": {"postcode": "0123 AB"}}, "address.postcode"),
        ({"address": {"postcode": "1234 SS"}}, "address.postcode"),
        ({"address": {"house_number": 0}}, "address.house_number"),
        ({"address": {"house_number": "twelve"}}, "address.house_number"),
        ({"date_of_birth": "1941-02-30"}, "date_of_birth"),
        ({"date_of_birth": "07-03-1941"}, "date_of_birth"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "1850-01-01"}, "date_of_birth"),
        ({"phones": [{"number": "12345", "label": "mobile"}]}, "phones"),
        ({"phones": [{"number": "0612345678"}, {"number": "+31612345678"}]}, "phones"),
        ({"phones": [{"number": "0612345678", "label": "pager"}]}, "phones.0.label"),
        ({"phones": [{"label": "mobile"}]}, "phones.0.number"),
        ({"phones": None}, "phones"),
        ({"email": "jo@"}, "email"),
        ({"language": "xx"}, "language"),
        ({"language": "nederlands"}, "language"),
        ({"given_names": "J" * 101}, "given_names"),
        ({"family_name": ""}, "family_name"),
        ({"name_prefix": "v" * 21}, "name_prefix"),
        ({"address": {"street": "s" * 101}}, "address.street"),
        ({"address": {"city": "c" * 81}}, "address.city"),
        ({"email": "a" * 250 + "@example.nl"}, "email"),
        ({"given_names": "Jo\x00hanna"}, "given_names"),
        ({"interpreter_needed": "perhaps"}, "interpreter_needed"),
        ({"team_id": 999999}, "team_id"),
        ({"bsn_number": VALID_BSN}, "bsn_number"),
    ],
)
def test_it_refuses_invalid_values_with_422_naming_the_field_and_writes_nothing(
    client, personas, overrides, field
):
    api = Api(client, personas["planner"])
    before = last_seq()

    response = api.post("/clients", valid_client(**overrides))

    assert response.status_code == 422, response.content
    error = error_of(response)
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert all(error["fields"][field])
    _assert_nothing_written(before)


def test_it_names_every_invalid_field_at_once(client, personas):
    api = Api(client, personas["planner"])

    response = api.post("/clients", valid_client(bsn="123456789", email="x", language="zz"))

    assert set(error_of(response)["fields"]) == {"bsn", "email", "language"}


def test_it_refuses_a_bsn_another_client_has(client, personas):
    api = Api(client, personas["planner"])
    assert api.post("/clients", valid_client()).status_code == 201
    before = last_seq()

    response = api.post("/clients", valid_client(given_names="Kees"))

    assert response.status_code == 422
    assert "bsn" in error_of(response)["fields"]
    assert Client.objects.count() == 1
    assert audit_entries(before) == []


def test_it_requires_the_names(client, personas):
    response = Api(client, personas["front_office"]).post("/clients", {})

    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"given_names", "family_name"}


@pytest.mark.parametrize("raw", ['{"given_names": "Jo",', "not json", "\xff\xfe", "[" * 20000])
def test_it_answers_400_to_malformed_json_and_writes_nothing(client, personas, raw):
    api = Api(client, personas["front_office"])
    before = last_seq()

    response = api.post("/clients", raw=raw)

    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"
    _assert_nothing_written(before)


@pytest.mark.parametrize("raw", ["[]", '"text"', "null", "42"])
def test_it_answers_422_to_json_that_is_not_an_object(client, personas, raw):
    response = Api(client, personas["front_office"]).post("/clients", raw=raw)

    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid"


def test_it_answers_413_to_a_body_over_64_kb_and_writes_nothing(client, personas):
    api = Api(client, personas["front_office"])
    before = last_seq()

    response = api.post("/clients", valid_client(preferred_name="x" * 70_000))

    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    _assert_nothing_written(before)


def test_it_lets_the_planner_and_the_nurses_create(client, personas, teams):
    # The nurses and the team lead add a client to one of their own teams (test_api_scope).
    for name in ("planner", "nurse_noord", "team_lead"):
        response = Api(client, personas[name]).post(
            "/clients",
            valid_client(
                bsn=None, given_names=name, team_id=teams["noord"].pk, duplicates_checked=True
            ),
        )
        assert response.status_code == 201, (name, response.content)


@pytest.mark.parametrize("persona", ["manager", "privacy_officer", "administrator"])
def test_it_refuses_roles_that_may_not_create_with_one_denied_entry(client, personas, persona):
    api = Api(client, personas[persona])
    before = last_seq()

    response = api.post("/clients", valid_client())

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert Client.objects.count() == 0
    [entry] = audit_entries(before)
    assert (entry.action, entry.outcome, entry.client_id) == (Action.CREATE, Outcome.DENIED, None)


def test_it_puts_the_client_in_a_team(client, personas, teams):
    api = Api(client, personas["nurse_noord"])

    response = api.post("/clients", valid_client(team_id=teams["noord"].pk))

    assert response.json()["team"] == {"id": teams["noord"].pk, "name": "Wijkteam Noord"}
    assert api.get(f"/clients/{response.json()['id']}").status_code == 200
