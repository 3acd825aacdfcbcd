"""GET /api/v1/clients?q=."""

import pytest

from halte.api.tests.helpers import Api, audit_entries, error_of, last_seq
from halte.audit.models import Action, Outcome
from halte.clients.tests.factories import ClientFactory, PhoneFactory

pytestmark = pytest.mark.django_db


def _noord_bergs(teams, count):
    return [
        ClientFactory(team=teams["noord"], given_names=f"Anna{i}", family_name="Bergsma")
        for i in range(count)
    ]


def test_it_finds_by_name_fragment(client, personas, client_noord):
    response = Api(client, personas["front_office"]).get("/clients", {"q": "berg"})

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [client_noord.pk]
    assert body["items"][0]["family_name"] == "Berg"
    assert body["next"] is None


def test_it_finds_by_phone_in_any_notation(client, personas, client_noord):
    response = Api(client, personas["front_office"]).get("/clients", {"q": "06-12345678"})

    assert [item["id"] for item in response.json()["items"]] == [client_noord.pk]


def test_it_finds_by_client_number(client, personas, client_noord):
    response = Api(client, personas["front_office"]).get(
        "/clients", {"q": str(client_noord.client_number)}
    )

    assert [item["id"] for item in response.json()["items"]] == [client_noord.pk]


def test_it_writes_one_search_entry_without_the_query(client, personas, client_noord):
    before = last_seq()

    Api(client, personas["front_office"]).get("/clients", {"q": "Hendrika"})

    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.client_id, entry.outcome) == (
        Action.SEARCH,
        "search:name",
        None,
        Outcome.SUCCESS,
    )
    assert "Hendrika" not in entry.part


def test_it_pages_with_an_opaque_cursor(client, personas, teams):
    clients = _noord_bergs(teams, 5)
    api = Api(client, personas["planner"])

    first = api.get("/clients", {"q": "bergsma", "limit": 2}).json()
    second = api.get("/clients", {"q": "bergsma", "limit": 2, "cursor": first["next"]}).json()
    third = api.get("/clients", {"q": "bergsma", "cursor": second["next"]}).json()

    seen = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert sorted(seen) == sorted(c.pk for c in clients)
    assert (len(first["items"]), len(second["items"]), len(third["items"])) == (2, 2, 1)
    assert third["next"] is None


def test_it_defaults_to_50_and_allows_at_most_200(client, personas, teams):
    _noord_bergs(teams, 51)
    api = Api(client, personas["planner"])

    body = api.get("/clients", {"q": "bergsma"}).json()

    assert len(body["items"]) == 50
    assert body["next"] is not None
    assert api.get("/clients", {"q": "bergsma", "limit": 201}).status_code == 400


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": "berg", "limit": "many"}, "limit"),
        ({"q": "berg", "limit": 0}, "limit"),
        ({"q": "berg", "cursor": "not-a-cursor"}, "cursor"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_it_answers_400_to_bad_query_parameters(client, personas, params, field):
    before = last_seq()

    response = Api(client, personas["planner"]).get("/clients", params)

    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"
    assert field in error_of(response)["fields"]
    assert audit_entries(before) == []


def test_it_refuses_a_cursor_of_another_query(client, personas, teams):
    _noord_bergs(teams, 3)
    api = Api(client, personas["planner"])
    cursor = api.get("/clients", {"q": "bergsma", "limit": 1}).json()["next"]

    response = api.get("/clients", {"q": "anna", "cursor": cursor})

    assert response.status_code == 400


def test_it_shows_a_nurse_only_her_teams_clients(client, personas, teams, client_noord):
    zuid = ClientFactory(team=teams["zuid"], given_names="Hendrika", family_name="Bergman")
    PhoneFactory(client=zuid, e164="+31612345678")

    noord_view = Api(client, personas["nurse_noord"]).get("/clients", {"q": "0612345678"}).json()
    zuid_view = Api(client, personas["nurse_zuid"]).get("/clients", {"q": "0612345678"}).json()

    assert [item["id"] for item in noord_view["items"]] == [client_noord.pk]
    assert [item["id"] for item in zuid_view["items"]] == [zuid.pk]


@pytest.mark.parametrize(
    "persona", ["front_office", "planner", "nurse_noord", "team_lead", "manager"]
)
def test_it_lets_roles_that_may_search(client, personas, client_noord, persona):
    assert Api(client, personas[persona]).get("/clients", {"q": "berg"}).status_code == 200


@pytest.mark.parametrize("persona", ["privacy_officer", "administrator"])
def test_it_refuses_roles_that_may_not_search_with_one_denied_entry(
    client, personas, client_noord, persona
):
    before = last_seq()

    response = Api(client, personas[persona]).get("/clients", {"q": "berg"})

    assert response.status_code == 403
    [entry] = audit_entries(before)
    assert (entry.action, entry.outcome) == (Action.SEARCH, Outcome.DENIED)
