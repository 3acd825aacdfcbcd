"""The journey paths, their statuses and scopes in the OpenAPI document."""

import pytest

pytestmark = pytest.mark.django_db

WRITE = {"400", "401", "403", "404", "409", "413", "422"}
STATUSES = {
    ("/api/v1/care-products", "get"): {"200", "400", "401", "403"},
    ("/api/v1/referrals", "post"): {"201", "400", "401", "403", "413", "422"},
    ("/api/v1/referrals", "get"): {"200", "400", "401", "403", "404"},
    ("/api/v1/referrals/{referral_id}", "get"): {"200", "401", "403", "404"},
    ("/api/v1/referrals/{referral_id}/assign", "post"): {"200"} | WRITE,
    ("/api/v1/referrals/{referral_id}/transitions", "post"): {"200"} | WRITE,
    ("/api/v1/referrals/{referral_id}/intake", "post"): {"200"} | WRITE,
    ("/api/v1/referrals/{referral_id}/intake/complete", "post"): {"200"} | WRITE,
    ("/api/v1/referrals/{referral_id}/waiting-list", "post"): {"201"} | WRITE,
    ("/api/v1/waiting-list", "get"): {"200", "400", "401", "403"},
    ("/api/v1/waiting-list/{entry_id}", "get"): {"200", "401", "403", "404"},
    ("/api/v1/waiting-list/{entry_id}", "patch"): {"200"} | WRITE,
    ("/api/v1/waiting-list/{entry_id}/updates", "post"): {"201"} | WRITE,
    ("/api/v1/waiting-list/{entry_id}/bridging-care", "put"): {"200"} | WRITE,
    ("/api/v1/referrals/{referral_id}/care-episode", "post"): {"201"} | WRITE,
    ("/api/v1/care-episodes/{episode_id}", "get"): {"200", "401", "403", "404"},
    ("/api/v1/care-episodes/{episode_id}", "patch"): {"200"} | WRITE,
    ("/api/v1/care-episodes/{episode_id}/end", "post"): {"200"} | WRITE,
    ("/api/v1/clients/{client_id}/journey", "get"): {"200", "401", "403", "404"},
}


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json()


def test_it_lists_the_journey_paths_with_their_statuses(document):
    for (path, method), statuses in STATUSES.items():
        operation = document["paths"][path][method]
        assert statuses <= set(operation["responses"]), (path, method)


def test_it_documents_if_match_on_the_guarded_writes(document):
    for path, method in [
        ("/api/v1/referrals/{referral_id}/assign", "post"),
        ("/api/v1/referrals/{referral_id}/transitions", "post"),
        ("/api/v1/waiting-list/{entry_id}", "patch"),
        ("/api/v1/care-episodes/{episode_id}", "patch"),
    ]:
        parameters = document["paths"][path][method]["parameters"]
        assert "If-Match" in {p["name"] for p in parameters if p["in"] == "header"}, path


def test_it_documents_the_journey_scopes(document):
    assert "journey:read" in document["info"]["description"]
    assert "journey:write" in document["info"]["description"]


def test_it_lists_the_enums_of_the_journey(document):
    schemas = document["components"]["schemas"]

    assert set(schemas["WaitingStatus"]["enum"]) == {
        "urgent",
        "active_placement",
        "preference",
        "precautionary",
        "active",
        "non_active",
    }
    assert set(schemas["Priority"]["enum"]) == {1, 2, 3}
    assert set(schemas["IntakeOutcome"]["enum"]) == {
        "care_needed",
        "no_care_needed",
        "refer_elsewhere",
    }
    assert set(schemas["TransitionIn"]["properties"]["stage"]["enum"]) == {
        "contacted",
        "declined",
        "withdrawn",
        "referred_elsewhere",
    }
