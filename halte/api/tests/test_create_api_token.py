"""manage.py create_api_token."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from halte.api.models import ApiToken, hash_token

pytestmark = pytest.mark.django_db


def _run(*args) -> list[str]:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue().splitlines()


def test_it_prints_the_token_on_the_last_line_and_stores_its_hash(client, personas, client_noord):
    lines = _run("--user", "planner", "--name", "Telefooncentrale")

    token = lines[-1]
    stored = ApiToken.objects.get()
    assert stored.token_hash == hash_token(token)
    assert (stored.name, stored.user, stored.scopes) == (
        "Telefooncentrale",
        personas["planner"],
        [],
    )
    assert token not in "\n".join(lines[:-1])
    response = client.get(
        f"/api/v1/clients/{client_noord.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200


def test_it_stores_the_scopes(personas):
    _run("--user", "planner", "--scopes", "clients:read, clients:write")

    assert ApiToken.objects.get().scopes == ["clients:read", "clients:write"]


def test_it_names_the_token_after_the_user_by_default(personas):
    _run("--user", "planner")

    assert "planner" in ApiToken.objects.get().name


def test_it_refuses_an_unknown_user(personas):
    with pytest.raises(CommandError, match="nobody"):
        _run("--user", "nobody")
    assert ApiToken.objects.count() == 0


def test_it_refuses_an_unknown_scope(personas):
    with pytest.raises(CommandError, match="clients:delete"):
        _run("--user", "planner", "--scopes", "clients:read,clients:delete")
    assert ApiToken.objects.count() == 0


def test_it_refuses_an_inactive_user(personas):
    personas["planner"].is_active = False
    personas["planner"].save()

    with pytest.raises(CommandError, match="not active"):
        _run("--user", "planner")


def test_it_refuses_a_name_that_is_too_long(personas):
    with pytest.raises(CommandError):
        _run("--user", "planner", "--name", "n" * 101)
