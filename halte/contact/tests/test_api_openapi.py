"""The first-contact paths in the OpenAPI document."""

import pytest

pytestmark = pytest.mark.django_db

ERROR_STATUSES = {
    ("/api/v1/callers", "get"): {"400", "401", "403"},
    ("/api/v1/telephony/events", "post"): {"200", "201", "400", "401", "413", "422"},
    ("/api/v1/interactions", "post"): {"400", "401", "403", "413", "422"},
    ("/api/v1/interactions/{interaction_id}/complete", "post"): {"404", "409", "422"},
    ("/api/v1/clients/{client_id}/timeline", "get"): {"400", "401", "403", "404"},
    ("/api/v1/commitments", "post"): {"400", "401", "403", "413", "422"},
    ("/api/v1/commitments", "get"): {"400", "401", "403"},
    ("/api/v1/commitments/{commitment_id}", "get"): {"401", "403", "404"},
    ("/api/v1/commitments/{commitment_id}/attempts", "post"): {"404", "409", "422"},
    ("/api/v1/commitments/{commitment_id}/complete", "post"): {"404", "409", "422"},
}


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json()


def test_it_lists_the_new_paths_with_their_statuses(document):
    for (path, method), statuses in ERROR_STATUSES.items():
        operation = document["paths"][path][method]
        assert statuses <= set(operation["responses"]), (path, method)


def test_it_documents_the_signature_instead_of_a_token_for_the_telephone_system(document):
    operation = document["paths"]["/api/v1/telephony/events"]["post"]
    [requirement] = operation["security"]
    [scheme] = requirement
    assert document["components"]["securitySchemes"][scheme]["name"] == "X-Halte-Signature"


def test_it_documents_the_contact_scopes(document):
    assert "contacts:read" in document["info"]["description"]
    assert "contacts:write" in document["info"]["description"]


def test_it_lists_the_enums_of_the_contract(document):
    schemas = document["components"]["schemas"]

    assert set(schemas["Channel"]["enum"]) == {
        "phone",
        "email",
        "sms",
        "letter",
        "portal",
        "visit",
        "walk_in",
    }
    assert set(schemas["CommitmentKind"]["enum"]) == {
        "callback",
        "send_information",
        "visit",
        "other",
    }
    assert set(schemas["AttemptOutcome"]["enum"]) == {
        "no_answer",
        "voicemail",
        "busy",
        "wrong_number",
    }
    assert set(schemas["CallState"]["enum"]) == {"ringing", "answered", "ended"}
