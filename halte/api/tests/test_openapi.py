"""The OpenAPI document and the docs page."""

import pytest

pytestmark = pytest.mark.django_db

ERROR_STATUSES = {
    ("/api/v1/clients", "post"): {"400", "401", "403", "413", "422"},
    ("/api/v1/clients", "get"): {"400", "401", "403"},
    ("/api/v1/clients/{client_id}", "get"): {"401", "403", "404"},
    ("/api/v1/clients/{client_id}", "patch"): {"400", "401", "403", "404", "409", "413", "422"},
    ("/api/v1/clients/{client_id}/relations", "post"): {"400", "401", "403", "404", "413", "422"},
}


def test_it_serves_the_document_with_the_paths(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    for (path, method), statuses in ERROR_STATUSES.items():
        operation = document["paths"][path][method]
        assert statuses <= set(operation["responses"]), (path, method)


def test_it_documents_the_scopes_and_the_error_shape(client):
    description = client.get("/api/v1/openapi.json").json()["info"]["description"]

    assert "clients:read" in description
    assert "clients:write" in description
    assert '"error"' in description


def test_it_lists_the_enums_of_the_contract(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]

    assert set(schemas["RelationKind"]["enum"]) >= {"partner", "informal_carer", "gp"}
    assert set(schemas["PhoneLabel"]["enum"]) == {"mobile", "home", "work", "other"}


def test_it_serves_the_docs_page(client):
    assert client.get("/api/v1/docs").status_code == 200


def _operations(client):
    schema = client.get("/api/v1/openapi.json").json()
    return [op for path in schema["paths"].values() for op in path.values()]


def test_every_operation_declares_503_with_retry_after(client):
    # Any operation can meet a database too busy to answer in time (halte.core.busy).
    operations = _operations(client)

    assert operations
    assert [op["operationId"] for op in operations if "503" not in op["responses"]] == []
    for operation in operations:
        busy = operation["responses"]["503"]
        assert busy["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorOut"
        }
        assert busy["headers"]["Retry-After"]["schema"] == {"type": "integer", "minimum": 0}


def test_every_429_declares_its_retry_after(client):
    limited = [op for op in _operations(client) if "429" in op["responses"]]

    assert limited
    assert [
        op["operationId"]
        for op in limited
        if "Retry-After" not in op["responses"]["429"].get("headers", {})
    ] == []
