"""The token check's plain SQL builds the same token and user the ORM would."""

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from halte.api import auth
from halte.api.models import ApiToken
from halte.api.services import api_tokens_revoke
from halte.api.tests.helpers import SYSTEM, Api, token_for

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_it_builds_the_token_and_user_the_orm_builds(personas):
    raw = token_for(personas["front_office"], scopes=["contacts:read", "clients:read"])
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=5))
    expected = ApiToken.objects.select_related("user").get()

    found = auth.token_for(raw)

    assert _fields(found) == _fields(expected)
    assert _fields(found.user) == _fields(expected.user)
    assert sorted(found.scopes) == ["clients:read", "contacts:read"]
    assert timezone.is_aware(found.last_used_at)
    assert model_to_dict(found.user) == model_to_dict(expected.user)


def test_it_finds_nothing_for_an_unknown_or_overlong_token(personas):
    token_for(personas["front_office"])

    assert auth.token_for("halte_unknown") is None
    assert auth.token_for("") is None
    assert auth.token_for("x" * 201) is None


def test_it_refuses_a_token_on_the_first_request_after_its_revocation(
    client, personas, client_noord
):
    api = Api(client, personas["front_office"])
    assert api.get("/callers", {"number": "0612345678"}).status_code == 200

    api_tokens_revoke(actor=SYSTEM, tokens=ApiToken.objects.all())

    assert api.get("/callers", {"number": "0612345678"}).status_code == 401


def test_it_refuses_a_token_on_the_first_request_after_its_user_is_deactivated(
    client, personas, client_noord
):
    api = Api(client, personas["front_office"])
    assert api.get("/callers", {"number": "0612345678"}).status_code == 200

    personas["front_office"].is_active = False
    personas["front_office"].save()

    assert api.get("/callers", {"number": "0612345678"}).status_code == 401
