"""The administrator sees and revokes API tokens at /beheer/, and never sees a token."""

import pytest

from halte.api.models import ApiToken
from halte.api.tests.helpers import token_for

pytestmark = pytest.mark.django_db


def test_it_lists_tokens_without_their_hash(client, personas):
    token = token_for(personas["planner"], name="Telefooncentrale")
    stored = ApiToken.objects.get()
    client.force_login(personas["administrator"])

    response = client.get("/beheer/api/apitoken/")

    assert response.status_code == 200
    assert b"Telefooncentrale" in response.content
    assert stored.token_hash.encode() not in response.content
    assert token.encode() not in response.content


def test_it_revokes_selected_tokens(client, personas, client_noord):
    token = token_for(personas["planner"])
    client.force_login(personas["administrator"])

    response = client.post(
        "/beheer/api/apitoken/",
        {"action": "revoke", "_selected_action": [ApiToken.objects.get().pk]},
    )

    assert response.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None
    client.logout()
    api_response = client.get(
        f"/api/v1/clients/{client_noord.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert api_response.status_code == 401


def test_it_keeps_other_roles_out(client, personas):
    client.force_login(personas["manager"])

    assert client.get("/beheer/api/apitoken/").status_code == 302


def test_it_shows_one_token_read_only(client, personas):
    token_for(personas["planner"], name="Telefooncentrale")
    client.force_login(personas["administrator"])

    response = client.get(f"/beheer/api/apitoken/{ApiToken.objects.get().pk}/change/")

    assert response.status_code == 200
    assert b'name="name"' not in response.content
