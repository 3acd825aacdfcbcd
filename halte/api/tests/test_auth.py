"""Who may call the API: bearer tokens, the session, scopes."""

from datetime import timedelta

import pytest
from django.http import HttpRequest
from django.test import Client as DjangoClient

from halte.api.models import ApiToken
from halte.api.services import api_tokens_revoke
from halte.api.tests.helpers import SYSTEM, Api, audit_entries, error_of, last_seq, token_for
from halte.audit.models import Action, Outcome
from halte.clients.models import Client
from halte.core.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_CLIENT = {"given_names": "Kees", "family_name": "Jansen"}


def test_it_answers_401_without_a_token(client, client_noord):
    response = client.get(f"/api/v1/clients/{client_noord.pk}")

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header", ["Bearer halte_wrong", "Bearer ", "Basic a2VlczpqYW5zZW4=", "halte_wrong"]
)
def test_it_answers_401_to_a_bad_authorization_header(client, client_noord, header):
    response = client.get(f"/api/v1/clients/{client_noord.pk}", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


def test_it_answers_401_to_a_post_without_a_token_and_writes_nothing(client, personas):
    before = last_seq()

    response = Api(client).post("/clients", NEW_CLIENT)

    assert response.status_code == 401
    assert Client.objects.count() == 0
    assert audit_entries(before) == []


def test_it_refuses_a_revoked_token(client, personas, client_noord):
    api = Api(client, personas["planner"])
    api_tokens_revoke(actor=SYSTEM, tokens=ApiToken.objects.all())

    assert api.get(f"/clients/{client_noord.pk}").status_code == 401


def test_it_refuses_the_token_of_a_deactivated_user(client, personas, client_noord):
    api = Api(client, personas["planner"])
    personas["planner"].is_active = False
    personas["planner"].save()

    assert api.get(f"/clients/{client_noord.pk}").status_code == 401


def test_it_records_the_last_use_at_most_once_a_minute(client, personas, client_noord):
    api = Api(client, personas["planner"])
    api.get(f"/clients/{client_noord.pk}")
    first_use = ApiToken.objects.get().last_used_at
    assert first_use is not None

    api.get(f"/clients/{client_noord.pk}")
    assert ApiToken.objects.get().last_used_at == first_use

    ApiToken.objects.update(last_used_at=first_use - timedelta(minutes=2))
    api.get(f"/clients/{client_noord.pk}")
    assert ApiToken.objects.get().last_used_at > first_use


def test_it_stores_only_the_hash(personas):
    token = token_for(personas["planner"])

    stored = ApiToken.objects.get()
    assert token not in (stored.token_hash, stored.name)
    assert len(stored.token_hash) == 64


def test_it_accepts_a_logged_in_session(client, personas, client_noord):
    client.login(request=HttpRequest(), username="kcc", password=PASSWORD)
    before = last_seq()

    response = client.get(f"/api/v1/clients/{client_noord.pk}")

    assert response.status_code == 200
    [entry] = audit_entries(before)
    assert (entry.username, entry.on_behalf_of) == ("kcc", "")


def test_it_checks_csrf_on_session_writes(personas):
    browser = DjangoClient(enforce_csrf_checks=True)
    browser.login(request=HttpRequest(), username="kcc", password=PASSWORD)

    response = browser.post("/api/v1/clients", NEW_CLIENT, content_type="application/json")

    assert response.status_code == 403
    assert Client.objects.count() == 0


def test_it_does_not_check_csrf_for_tokens(personas):
    browser = DjangoClient(enforce_csrf_checks=True)
    api = Api(browser, personas["front_office"])

    assert api.post("/clients", NEW_CLIENT).status_code == 201


def test_it_answers_401_not_a_csrf_failure_without_a_session(personas):
    browser = DjangoClient(enforce_csrf_checks=True)

    response = browser.post("/api/v1/clients", NEW_CLIENT, content_type="application/json")

    assert response.status_code == 401


def test_it_lets_a_token_without_scopes_do_what_the_role_may(client, personas, client_noord):
    api = Api(client, personas["planner"])

    assert api.get(f"/clients/{client_noord.pk}").status_code == 200
    assert api.post("/clients", NEW_CLIENT).status_code == 201


def test_it_narrows_a_read_scoped_token_with_one_denied_entry(client, personas, client_noord):
    api = Api(client, personas["planner"], scopes=["clients:read"])
    before = last_seq()

    assert api.get(f"/clients/{client_noord.pk}").status_code == 200
    assert api.get("/clients", {"q": "berg"}).status_code == 200
    create = api.post("/clients", NEW_CLIENT)
    patch = api.patch(f"/clients/{client_noord.pk}", {"preferred_name": "Riek"})

    assert (create.status_code, patch.status_code) == (403, 403)
    assert Client.objects.count() == 1
    outcomes = [(e.action, e.outcome) for e in audit_entries(before)]
    assert outcomes == [
        (Action.READ, Outcome.SUCCESS),
        (Action.SEARCH, Outcome.SUCCESS),
        (Action.CREATE, Outcome.DENIED),
        (Action.UPDATE, Outcome.DENIED),
    ]


def test_it_narrows_a_write_scoped_token(client, personas, client_noord):
    api = Api(client, personas["planner"], scopes=["clients:write"])

    assert api.get(f"/clients/{client_noord.pk}").status_code == 403
    assert api.get("/clients", {"q": "berg"}).status_code == 403
    assert api.post("/clients", NEW_CLIENT).status_code == 201


def test_it_never_widens_a_role_with_scopes(client, personas, client_noord):
    api = Api(client, personas["manager"], scopes=["clients:read", "clients:write"])

    assert api.get(f"/clients/{client_noord.pk}").status_code == 200
    assert api.post("/clients", NEW_CLIENT).status_code == 403


def test_it_logs_a_token_call_as_an_integration_on_behalf_of_the_token(
    client, personas, client_noord
):
    api = Api(
        client,
        personas["front_office"],
        token=token_for(personas["front_office"], name="Telefonie"),
    )
    before = last_seq()

    api.get(f"/clients/{client_noord.pk}")

    [entry] = audit_entries(before)
    assert (entry.username, entry.on_behalf_of, entry.purpose) == (
        "kcc",
        "Telefonie",
        "integration",
    )
