"""POST /api/v1/clients: 409 with the candidates a new client may duplicate, unless
the request says it has checked; the same BSN is refused either way."""

import datetime

import pytest

from halte.api.tests.helpers import Api, audit_entries, error_of, last_seq
from halte.audit.models import Action, Outcome
from halte.clients.models import Client
from halte.clients.tests.factories import ClientFactory, PhoneFactory
from halte.clients.tests.pages import named_clients
from halte.core import bsn as bsn_codec

pytestmark = pytest.mark.django_db

BORN = datetime.date(1941, 3, 12)
BSN = "111222333"
NEW = {
    "given_names": "Hendrica",
    "family_name": "Jansen",
    "date_of_birth": "1941-03-12",
    "phones": [{"number": "06 11122233"}],
}


@pytest.fixture
def hendrika(teams):
    client = ClientFactory(
        team=teams["noord"],
        given_names="Hendrika",
        preferred_name="Riek",
        family_name="Janssen",
        date_of_birth=BORN,
    )
    PhoneFactory(client=client, e164="+31611122233")
    return client


def _entries(before):
    return [(e.action, e.part, e.client_id, e.outcome) for e in audit_entries(before)]


def test_it_answers_409_with_the_candidates_and_writes_nothing(client, personas, hendrika):
    api = Api(client, personas["front_office"])
    before = last_seq()

    response = api.post("/clients", NEW)

    assert response.status_code == 409, response.content
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "fields", "candidates"}
    assert error["code"] == "possible_duplicate"
    assert "duplicates_checked" in error["message"]
    assert error["fields"] == {}
    assert error["candidates"] == [
        {
            "id": hendrika.pk,
            "client_number": hendrika.client_number,
            "display_name": "Hendrika Janssen",
            "date_of_birth": "1941-03-12",
            "reasons": ["birth_date", "phone"],
        }
    ]
    assert Client.objects.count() == 1
    assert _entries(before) == [(Action.SEARCH, "search:duplicates", None, Outcome.SUCCESS)]
    # The entry names the client shown, as any list of clients does.
    assert named_clients(audit_entries(before)[0]) == [hendrika.pk]


def test_it_creates_the_client_when_the_request_says_it_has_checked(client, personas, hendrika):
    api = Api(client, personas["front_office"])
    before = last_seq()

    response = api.post("/clients", NEW | {"duplicates_checked": True})

    assert response.status_code == 201, response.content
    created = Client.objects.get(pk=response.json()["id"])
    assert created.family_name == "Jansen"
    assert _entries(before) == [(Action.CREATE, "card", created.pk, Outcome.SUCCESS)]


def test_it_checks_when_the_flag_is_false(client, personas, hendrika):
    response = Api(client, personas["front_office"]).post(
        "/clients", NEW | {"duplicates_checked": False}
    )

    assert response.status_code == 409


def test_it_refuses_a_flag_that_is_not_a_boolean(client, personas, hendrika):
    response = Api(client, personas["front_office"]).post(
        "/clients", NEW | {"duplicates_checked": "perhaps"}
    )

    assert response.status_code == 422
    assert "duplicates_checked" in error_of(response)["fields"]


def test_it_creates_a_client_alike_in_nothing_at_once(client, personas, hendrika):
    response = Api(client, personas["front_office"]).post(
        "/clients", NEW | {"given_names": "Pieter"}
    )

    assert response.status_code == 201


def test_it_answers_as_if_a_client_outside_the_scope_did_not_exist(
    client, personas, hendrika, teams
):
    response = Api(client, personas["nurse_zuid"]).post(
        "/clients", NEW | {"team_id": teams["zuid"].pk}
    )

    assert response.status_code == 201
    assert "Janssen" not in response.content.decode()


def test_it_shows_a_nurse_the_candidates_of_her_own_team(client, personas, hendrika, teams):
    response = Api(client, personas["nurse_noord"]).post(
        "/clients", NEW | {"team_id": teams["noord"].pk}
    )

    assert response.status_code == 409
    assert [c["id"] for c in response.json()["error"]["candidates"]] == [hendrika.pk]


@pytest.mark.parametrize("checked", [True, False])
def test_it_refuses_the_same_bsn_as_before(client, personas, hendrika, checked):
    hendrika.bsn_encrypted = bsn_codec.encrypt(BSN)
    hendrika.bsn_hash = bsn_codec.lookup_hash(BSN)
    hendrika.save()
    before = last_seq()

    response = Api(client, personas["planner"]).post(
        "/clients", NEW | {"bsn": BSN, "duplicates_checked": checked}
    )

    assert response.status_code == 422
    assert "bsn" in error_of(response)["fields"]
    assert Client.objects.count() == 1
    assert audit_entries(before) == []


def test_it_says_what_is_invalid_before_any_candidates(client, personas, hendrika):
    response = Api(client, personas["front_office"]).post("/clients", NEW | {"email": "riek@"})

    assert response.status_code == 422
    assert "email" in error_of(response)["fields"]


def test_it_answers_409_in_a_constant_number_of_queries(
    client, personas, teams, hendrika, django_assert_num_queries
):
    api = Api(client, personas["front_office"])
    api.post("/clients", NEW)  # the token's first use
    with django_assert_num_queries(50, exact=False) as one:
        assert api.post("/clients", NEW).status_code == 409
    for _ in range(6):
        other = ClientFactory(
            team=teams["zuid"], given_names="Hendrika", family_name="Jansen", date_of_birth=BORN
        )
        PhoneFactory(client=other, e164="+31611122233")
    with django_assert_num_queries(len(one.captured_queries)):
        response = api.post("/clients", NEW)
    assert len(response.json()["error"]["candidates"]) == 7


def test_it_documents_the_flag_and_the_409(client):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/clients"]["post"]
    schemas = document["components"]["schemas"]

    assert "409" in operation["responses"]
    flag = schemas["ClientCreateIn"]["properties"]["duplicates_checked"]
    assert flag["type"] == "boolean"
    assert "409" in flag["description"]
    assert "candidates" in schemas["DuplicateErrorDetail"]["properties"]


def test_it_tells_a_token_that_may_not_search_nothing_of_other_clients(client, personas, hendrika):
    # clients:write alone may not search, so the check, a search, is not run for it.
    api = Api(client, personas["front_office"], scopes=["clients:write"])
    before = last_seq()

    response = api.post("/clients", NEW)

    assert response.status_code == 201, response.content
    assert "candidates" not in response.content.decode()
    assert [e.action for e in audit_entries(before)] == [Action.CREATE]
