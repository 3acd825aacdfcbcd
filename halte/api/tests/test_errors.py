"""The one error shape, for every status the API answers with."""

import pytest
from django.db import connection

from halte.api.tests.helpers import Api, error_of

pytestmark = pytest.mark.django_db


def test_it_answers_malformed_json_with_400(client, personas):
    response = Api(client, personas["planner"]).post("/clients", raw="{'single': 'quotes'}")

    assert response.status_code == 400
    assert error_of(response) == {
        "code": "malformed_json",
        "message": error_of(response)["message"],
        "fields": {},
    }
    assert error_of(response)["message"]


def test_it_answers_a_body_too_large_with_413_even_before_parsing(client, personas):
    response = Api(client, personas["planner"]).post("/clients", raw="x" * (64 * 1024 + 1))

    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


def test_it_answers_413_for_a_huge_form_body_with_a_session(client, personas):
    client.force_login(personas["planner"])

    response = client.post(
        "/api/v1/clients", "a=" + "x" * 70_000, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413


def test_it_answers_422_with_the_fields(client, personas):
    response = Api(client, personas["planner"]).post("/clients", {"given_names": "Kees"})

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["family_name"]


def test_it_speaks_english_when_asked(client, personas):
    response = Api(client, personas["planner"]).post(
        "/clients", {"given_names": "Kees"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert error_of(response)["fields"]["family_name"] == ["This field is required."]


def test_it_speaks_dutch_by_default(client, personas):
    response = Api(client, personas["planner"]).post("/clients", {"given_names": "Kees"})

    assert error_of(response)["fields"]["family_name"] == ["Dit veld is verplicht."]


def test_it_stores_nothing_with_a_null_character_on_any_database(client, personas):
    response = Api(client, personas["planner"]).post(
        "/clients", {"given_names": "Kees", "family_name": "Jan\u0000sen"}
    )

    assert response.status_code == 422, connection.vendor
    assert "family_name" in error_of(response)["fields"]
