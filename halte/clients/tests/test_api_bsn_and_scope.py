"""The BSN and the team scope through the API as on the pages (issue 12, §4).

The front office and managers (roles without REVEAL_BSN) see nothing of a BSN, not its
last digits nor whether there is one; cannot write one; and cannot learn from a "this
BSN is taken" answer whether a BSN belongs to a client. A user who sees only their own
teams' clients cannot move a client to another team, as the form forbids.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from halte.api.tests.helpers import Api, audit_entries, error_of, last_seq
from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.clients.access import BSN_NOT_ALLOWED, BsnNotAllowed
from halte.clients.duplicates import check_new_client
from halte.clients.models import Client
from halte.clients.services import client_update
from halte.clients.tests.factories import ClientFactory
from halte.clients.tests.pages import assert_shows
from halte.clients.validation import TEAM_OUTSIDE_OWN
from halte.core import bsn as bsn_codec
from halte.core.roles import CAPABILITIES, Capability

pytestmark = pytest.mark.django_db

BSN = "111222333"
OTHER_BSN = "123456782"
# The roles that may read a client's card, and whether each may see the BSN.
READERS = {
    "front_office": False,
    "manager": False,
    "planner": True,
    "nurse_noord": True,
    "team_lead": True,
}
WRITERS = ["front_office", "planner", "nurse_noord", "team_lead"]


def _with_bsn(client_obj, bsn=BSN):
    client_obj.bsn_encrypted = bsn_codec.encrypt(bsn)
    client_obj.bsn_hash = bsn_codec.lookup_hash(bsn)
    client_obj.save()
    return client_obj


def test_the_readers_and_writers_here_are_the_roles_policy(personas):
    for persona, sees in READERS.items():
        role = personas[persona].role
        assert (Capability.REVEAL_BSN in CAPABILITIES[role]) is sees
    for persona in WRITERS:
        assert Capability.EDIT_CLIENT in CAPABILITIES[personas[persona].role]


# Reading


@pytest.mark.parametrize(("persona", "sees"), READERS.items())
def test_the_api_shows_the_masked_bsn_only_to_roles_that_may_see_it(
    client, personas, client_noord, persona, sees
):
    _with_bsn(client_noord)

    response = Api(client, personas[persona]).get(f"/clients/{client_noord.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["bsn_masked"] == bsn_codec.mask(BSN)) is sees
    if not sees:
        assert body["bsn_masked"] is None
        assert bsn_codec.mask(BSN) not in response.content.decode()
    assert BSN not in response.content.decode()


@pytest.mark.parametrize("persona", ["front_office", "manager"])
def test_a_client_with_a_bsn_and_one_without_look_the_same_to_them(
    client, personas, teams, persona
):
    with_bsn = _with_bsn(ClientFactory(team=teams["noord"]))
    without = ClientFactory(team=teams["noord"])
    api = Api(client, personas[persona])

    first = api.get(f"/clients/{with_bsn.pk}").json()
    second = api.get(f"/clients/{without.pk}").json()

    assert first["bsn_masked"] is None and second["bsn_masked"] is None
    assert {k for k in first if "bsn" in k} == {k for k in second if "bsn" in k} == {"bsn_masked"}


@pytest.mark.parametrize(("persona", "sees"), READERS.items())
def test_the_client_page_shows_the_bsn_row_only_to_roles_that_may_see_it(
    client, personas, client_noord, persona, sees
):
    _with_bsn(client_noord)
    client.force_login(personas[persona])

    content = client.get(reverse("clients:detail", args=[client_noord.pk])).content.decode()

    assert (bsn_codec.mask(BSN) in content) is sees
    assert ('id="bsn"' in content) is sees
    assert BSN not in content


def test_the_search_answers_no_bsn_at_all(client, personas, client_noord):
    _with_bsn(client_noord)

    response = Api(client, personas["front_office"]).get("/clients", {"q": "Berg"})

    assert response.status_code == 200
    assert response.json()["items"]
    assert "bsn" not in response.content.decode()


def test_a_change_by_the_front_office_answers_without_the_masked_bsn(
    client, personas, client_noord
):
    _with_bsn(client_noord)

    response = Api(client, personas["front_office"]).patch(
        f"/clients/{client_noord.pk}", {"preferred_name": "Riek"}
    )

    assert response.status_code == 200
    assert response.json()["bsn_masked"] is None


# Writing


@pytest.mark.parametrize("persona", WRITERS)
def test_a_bsn_sent_in_a_change_is_written_only_by_roles_that_may_see_it(
    client, personas, client_noord, persona
):
    user = personas[persona]
    before = last_seq()

    response = Api(client, user).patch(f"/clients/{client_noord.pk}", {"bsn": BSN})

    stored = Client.objects.get(pk=client_noord.pk)
    if Capability.REVEAL_BSN in CAPABILITIES[user.role]:
        assert response.status_code == 200, response.content
        assert stored.bsn_hash == bsn_codec.lookup_hash(BSN)
        return
    assert response.status_code == 403
    error = error_of(response)
    assert (error["code"], error["fields"]) == ("forbidden", {"bsn": [str(BSN_NOT_ALLOWED)]})
    assert stored.bsn_hash is None and stored.version == client_noord.version
    [entry] = audit_entries(before)
    assert (entry.username, entry.action, entry.part, entry.client_id, entry.outcome) == (
        user.username,
        Action.UPDATE,
        "bsn",
        client_noord.pk,
        Outcome.DENIED,
    )


def test_the_manager_may_not_change_a_client_at_all(client, personas, client_noord):
    response = Api(client, personas["manager"]).patch(f"/clients/{client_noord.pk}", {"bsn": BSN})
    assert response.status_code == 403


@pytest.mark.parametrize("value", [BSN, OTHER_BSN, "123456789", "", None])
def test_the_front_office_gets_the_same_answer_for_any_bsn_so_it_learns_nothing(
    client, personas, client_noord, teams, value
):
    # BSN belongs to a client, OTHER_BSN to nobody, 123456789 fails the 11-proef.
    _with_bsn(ClientFactory(team=teams["zuid"]))
    api = Api(client, personas["front_office"])

    created = api.post("/clients", {"given_names": "Jo", "family_name": "Berg", "bsn": value})
    changed = api.patch(f"/clients/{client_noord.pk}", {"bsn": value})

    for response in (created, changed):
        assert response.status_code == 403
        assert error_of(response)["fields"] == {"bsn": [str(BSN_NOT_ALLOWED)]}
    assert not Client.objects.filter(given_names="Jo").exists()


def test_a_planner_is_told_a_bsn_is_taken(client, personas, client_noord, teams):
    _with_bsn(ClientFactory(team=teams["zuid"]))

    response = Api(client, personas["planner"]).patch(f"/clients/{client_noord.pk}", {"bsn": BSN})

    assert response.status_code == 422
    assert "bsn" in error_of(response)["fields"]


def test_the_openapi_document_declares_the_bsn_refusal(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for method in ("post", "patch"):
        operation = paths["/api/v1/clients" + ("" if method == "post" else "/{client_id}")][method]
        assert "403" in operation["responses"]
        assert "fields.bsn" in operation["description"]


def test_the_service_refuses_a_bsn_from_the_front_office_with_one_entry(personas, client_noord):
    actor = Actor(personas["front_office"])
    before = last_seq()

    with pytest.raises(BsnNotAllowed):
        client_update(actor=actor, client=client_noord, bsn=BSN)

    assert [(e.part, e.outcome) for e in audit_entries(before)] == [("bsn", Outcome.DENIED)]
    assert Client.objects.get(pk=client_noord.pk).bsn_hash is None


def test_the_duplicate_check_refuses_a_bsn_from_the_front_office(personas, teams):
    _with_bsn(ClientFactory(team=teams["zuid"]))

    with pytest.raises(BsnNotAllowed):
        check_new_client(
            Actor(personas["front_office"]), {"given_names": "Jo", "family_name": "B", "bsn": BSN}
        )


# A care professional keeps a client in their own teams


@pytest.mark.parametrize("persona", ["nurse_noord", "team_lead"])
@pytest.mark.parametrize("target", ["zuid", None])
def test_a_user_of_own_teams_cannot_move_a_client_out_through_the_api(
    client, personas, client_noord, teams, persona, target
):
    before = last_seq()
    team_id = teams[target].pk if target else None

    response = Api(client, personas[persona]).patch(
        f"/clients/{client_noord.pk}", {"team_id": team_id}
    )

    assert response.status_code == 422
    assert error_of(response)["fields"] == {"team_id": [str(TEAM_OUTSIDE_OWN)]}
    stored = Client.objects.get(pk=client_noord.pk)
    assert (stored.team_id, stored.version) == (teams["noord"].pk, client_noord.version)
    assert audit_entries(before) == []


def test_a_nurse_may_move_a_client_between_her_own_teams(client, personas, client_noord, teams):
    nurse = personas["nurse_noord"]
    nurse.teams.add(teams["zuid"])

    response = Api(client, nurse).patch(
        f"/clients/{client_noord.pk}", {"team_id": teams["zuid"].pk}
    )

    assert response.status_code == 200, response.content
    assert Client.objects.get(pk=client_noord.pk).team == teams["zuid"]


@pytest.mark.parametrize("persona", ["planner", "front_office"])
def test_roles_that_see_every_client_may_move_one(client, personas, client_noord, teams, persona):
    response = Api(client, personas[persona]).patch(
        f"/clients/{client_noord.pk}", {"team_id": teams["zuid"].pk}
    )

    assert response.status_code == 200, response.content
    assert Client.objects.get(pk=client_noord.pk).team == teams["zuid"]


@pytest.mark.parametrize("team", ["zuid", None])
def test_a_nurse_cannot_add_a_client_outside_her_teams_through_the_api(
    client, personas, teams, team
):
    payload = {"given_names": "Jo", "family_name": "Berg"}
    if team:
        payload["team_id"] = teams[team].pk

    response = Api(client, personas["nurse_noord"]).post("/clients", payload)

    assert response.status_code == 422
    assert error_of(response)["fields"] == {"team_id": [str(TEAM_OUTSIDE_OWN)]}
    assert not Client.objects.filter(given_names="Jo").exists()


def test_the_edit_page_refuses_it_with_the_same_message(client, personas, client_noord, teams):
    client.force_login(personas["nurse_noord"])
    form = client.get(reverse("clients:edit", args=[client_noord.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data["date_of_birth"] = client_noord.date_of_birth.strftime("%d-%m-%Y")
    data.update({f"phone_label_{row}": "mobile" for row in range(1, 5)}, team=teams["zuid"].pk)

    response = client.post(reverse("clients:edit", args=[client_noord.pk]), data)

    assert response.status_code == 200
    assert_shows(response, TEAM_OUTSIDE_OWN)
    assert Client.objects.get(pk=client_noord.pk).team == teams["noord"]


def test_the_service_refuses_it_whatever_calls_it(personas, client_noord, teams):
    with pytest.raises(ValidationError) as refused:
        client_update(actor=Actor(personas["nurse_noord"]), client=client_noord, team=teams["zuid"])

    assert refused.value.message_dict == {"team": [str(TEAM_OUTSIDE_OWN)]}
