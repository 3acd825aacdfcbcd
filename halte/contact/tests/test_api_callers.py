"""GET /api/v1/callers?number=."""

import csv
from pathlib import Path

import pytest

from halte.api.tests.helpers import Api, audit_entries, error_of, last_seq, named_clients
from halte.audit.models import Action, Outcome
from halte.audit.queries import verify_chain
from halte.clients.models import Salutation
from halte.clients.tests.factories import ClientFactory, PhoneFactory, RelationFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path("/work/shared/data/phone_numbers.csv")


def _samples() -> list[dict]:
    with SAMPLES.open(newline="") as rows:
        return list(csv.DictReader(rows))


def _other_notation(sample: dict, samples: list[dict]) -> str:
    """Another sample's notation of the same number, or the E.164 form itself."""
    others = [s["input"] for s in samples if s["e164"] == sample["e164"] and s is not sample]
    return others[0] if others else sample["e164"]


def _lookup(client, user, number):
    return Api(client, user).get("/callers", {"number": number})


@pytest.mark.parametrize("sample", _samples(), ids=lambda s: s["note"])
def test_it_finds_every_sample_number_stored_in_one_notation_by_another(
    client, personas, teams, sample
):
    samples = _samples()
    person = ClientFactory(team=teams["noord"])
    PhoneFactory(client=person, e164=sample["e164"])

    for number in {sample["input"], _other_notation(sample, samples)}:
        response = _lookup(client, personas["front_office"], number)

        assert response.status_code == 200, number
        assert [m["client_id"] for m in response.json()["matches"]] == [person.pk], number


def test_it_returns_the_exact_shape_for_a_client(client, personas, client_noord):
    response = _lookup(client, personas["front_office"], "06-12345678")

    [match] = response.json()["matches"]
    assert {k: match[k] for k in ("type", "client_id", "relation_id", "relation_kind")} == {
        "type": "client",
        "client_id": client_noord.pk,
        "relation_id": None,
        "relation_kind": None,
    }
    assert match["display_name"] == "Hendrika van den Berg"


def test_it_shows_a_relation_with_the_client_it_belongs_to(client, personas, client_noord):
    client_noord.salutation = Salutation.MRS
    client_noord.save()
    relation = client_noord.relations.get()

    response = _lookup(client, personas["front_office"], "+31 6 87654321")

    [match] = response.json()["matches"]
    assert match["type"] == "relation"
    assert match["client_id"] == client_noord.pk
    assert match["relation_id"] == relation.pk
    assert match["display_name"] == "Marieke de Vries"
    assert match["relation_kind"] == "child"
    assert match["client_display_name"] == client_noord.formal_name
    assert match["may_receive_information"] is relation.may_receive_information


def test_it_returns_both_clients_of_a_shared_landline_before_relations(client, personas, teams):
    husband = ClientFactory(team=teams["noord"], given_names="Kees")
    wife = ClientFactory(team=teams["noord"], given_names="Truus")
    other = ClientFactory(team=teams["noord"])
    neighbour = RelationFactory(client=other, kind="neighbour")
    PhoneFactory(client=other, relation=neighbour, e164="+31337122160")
    PhoneFactory(client=husband, e164="+31337122160", label="home")
    PhoneFactory(client=wife, e164="+31337122160", label="home")

    response = _lookup(client, personas["front_office"], "(033) 712 21 60")

    matches = response.json()["matches"]
    assert [(m["type"], m["client_id"]) for m in matches] == [
        ("client", husband.pk),
        ("client", wife.pk),
        ("relation", other.pk),
    ]


def test_it_answers_an_unknown_number_with_an_empty_list_and_no_entry(client, personas):
    before = last_seq()

    response = _lookup(client, personas["front_office"], "0612345678")

    assert response.status_code == 200
    assert response.json() == {"matches": [], "more": False}
    assert audit_entries(before) == []


@pytest.mark.parametrize("number", ["abc", "12", "", "06-1234", "+31 6 1234 5678 9999 9999"])
def test_it_refuses_what_cannot_be_a_phone_number_with_400(client, personas, number):
    before = last_seq()

    response = _lookup(client, personas["front_office"], number)

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "bad_request"
    assert "telefoonnummer" in error["message"]  # Dutch unless the client asks for English
    assert "number" in error["fields"]
    assert audit_entries(before) == []


def test_it_refuses_a_missing_number_with_400(client, personas):
    response = Api(client, personas["front_office"]).get("/callers")

    assert response.status_code == 400
    assert "number" in error_of(response)["fields"]


def test_it_shows_a_nurse_only_her_teams_callers(client, personas, client_noord):
    noord = _lookup(client, personas["nurse_noord"], "0612345678").json()["matches"]
    zuid = _lookup(client, personas["nurse_zuid"], "0612345678").json()["matches"]
    relation_for_zuid = _lookup(client, personas["nurse_zuid"], "0687654321").json()["matches"]

    assert [m["client_id"] for m in noord] == [client_noord.pk]
    assert zuid == []
    assert relation_for_zuid == []


def test_one_lookup_is_one_entry_naming_every_client_shown(client, personas, teams, client_noord):
    second = ClientFactory(team=teams["zuid"])
    relation = RelationFactory(client=second)
    PhoneFactory(client=second, relation=relation, e164="+31612345678")
    before = last_seq()

    _lookup(client, personas["front_office"], "06 12345678")

    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.outcome, entry.username) == (
        Action.READ,
        "caller_recognition",
        Outcome.SUCCESS,
        "kcc",
    )
    assert named_clients(entry) == sorted([client_noord.pk, second.pk])
    assert verify_chain().problem is None


def test_a_lookup_finding_one_client_names_it_in_the_entry_itself(client, personas, client_noord):
    """The hot path: one client found is the plain single-client entry (no listing
    rows), as cheap as before."""
    before = last_seq()

    _lookup(client, personas["front_office"], "0612345678")

    [entry] = audit_entries(before)
    assert (entry.part, entry.client_id) == ("caller_recognition", client_noord.pk)
    assert not entry.clients.exists()


def test_it_writes_one_entry_for_a_client_found_by_own_and_relation_number(
    client, personas, client_noord
):
    relation = client_noord.relations.get()
    PhoneFactory(client=client_noord, relation=relation, e164="+31612345678")
    before = last_seq()

    response = _lookup(client, personas["front_office"], "0612345678")

    assert len(response.json()["matches"]) == 2
    assert [e.client_id for e in audit_entries(before)] == [client_noord.pk]


@pytest.mark.parametrize(("clients", "queries"), [(1, 7), (2, 8), (6, 8)])
def test_it_runs_the_same_number_of_queries_however_many_match(
    client, personas, teams, django_assert_num_queries, clients, queries
):
    for _ in range(clients):
        person = ClientFactory(team=teams["noord"])
        PhoneFactory(client=person, e164="+31201234567")
        relation = RelationFactory(client=person)
        PhoneFactory(client=person, relation=relation, e164="+31201234567")
    api = Api(client, personas["nurse_noord"])
    api.get("/callers", {"number": "020 123 4567"})  # the token's last use: once a minute

    # token, the token's rate count, the nurse's teams, the phones with their clients
    # and relations; the audit entry (chain head, one insert, head update), and for a
    # number several clients share, one insert naming them all
    with django_assert_num_queries(queries):
        response = api.get("/callers", {"number": "020 123 4567"})

    assert len(response.json()["matches"]) == 2 * clients


@pytest.mark.parametrize("persona", ["front_office", "planner", "nurse_noord", "team_lead"])
def test_it_lets_roles_of_the_workplace_look_up(client, personas, client_noord, persona):
    assert _lookup(client, personas[persona], "0612345678").status_code == 200


@pytest.mark.parametrize("persona", ["manager", "privacy_officer", "administrator"])
def test_it_refuses_other_roles_with_one_denied_entry(client, personas, client_noord, persona):
    before = last_seq()

    response = _lookup(client, personas[persona], "0612345678")

    assert response.status_code == 403
    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.client_id, entry.outcome) == (
        Action.READ,
        "caller_recognition",
        None,
        Outcome.DENIED,
    )


def test_it_needs_the_contacts_read_scope(client, personas, client_noord):
    narrow = Api(client, personas["front_office"], scopes=["clients:read"])
    reader = Api(client, personas["front_office"], scopes=["contacts:read"])

    assert narrow.get("/callers", {"number": "0612345678"}).status_code == 403
    assert reader.get("/callers", {"number": "0612345678"}).status_code == 200


def test_it_needs_authentication(client, client_noord):
    response = Api(client).get("/callers", {"number": "0612345678"})

    assert response.status_code == 401


def test_it_caps_a_number_shared_by_many_and_says_so(client, personas, teams):
    from halte.clients.tests.factories import ClientFactory, PhoneFactory

    for i in range(21):
        patient = ClientFactory(team=teams["noord"], given_names=f"Patiënt{i}")
        gp = patient.relations.create(name="Huisartsenpraktijk De Bilt", kind="gp")
        PhoneFactory(client=patient, relation=gp, e164="+31302345678")
    before = last_seq()

    body = _lookup(client, personas["front_office"], "030-2345678").json()

    assert (len(body["matches"]), body["more"]) == (20, True)
    [entry] = audit_entries(before)
    assert len(named_clients(entry)) == 20  # only the clients shown are read
