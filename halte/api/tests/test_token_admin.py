"""The administrator sees API tokens at /beheer/, gives them an expiry and revokes
them, and never sees a token."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from halte.api.models import ApiToken
from halte.api.services import api_token_create
from halte.api.tests.helpers import SYSTEM, token_for

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


def test_the_tokens_are_headed_api_access_in_the_index_and_the_breadcrumb(client, personas):
    token_for(personas["planner"])
    client.force_login(personas["administrator"])

    index = client.get("/beheer/").content.decode()
    tokens = client.get("/beheer/api/apitoken/").content.decode()

    assert 'title="Modellen in de API-toegang-toepassing">API-toegang</a>' in index
    assert '&rsaquo; <a href="/beheer/api/">API-toegang</a>' in tokens  # the breadcrumb
    assert ">Api<" not in index + tokens


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


def test_it_shows_one_token_with_only_its_expiry_editable(client, personas):
    token_for(personas["planner"], name="Telefooncentrale")
    client.force_login(personas["administrator"])

    response = client.get(f"/beheer/api/apitoken/{ApiToken.objects.get().pk}/change/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="expires_at_0"' in page
    assert 'name="expires_at_1"' in page
    for read_only in ("name", "user", "scopes", "revoked_at", "last_used_at"):
        assert f'name="{read_only}' not in page


# The expiry, set in the admin


def _change(client, api_token, day: str, time: str = ""):
    return client.post(
        f"/beheer/api/apitoken/{api_token.pk}/change/",
        {"expires_at_0": day, "expires_at_1": time},
    )


def _form_errors(response) -> list[str]:
    return [str(m) for m in response.context["adminform"].form.errors.get("expires_at", [])]


def _day(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%d-%m-%Y")


def test_the_administrator_sets_an_expiry_and_the_token_is_refused_from_then(
    client, personas, client_noord
):
    token = token_for(personas["planner"])
    api_token = ApiToken.objects.get()
    expiry = timezone.localtime() + datetime.timedelta(days=10)
    client.force_login(personas["administrator"])

    response = _change(client, api_token, _day(expiry), "14:30")

    assert response.status_code == 302
    stored = timezone.localtime(ApiToken.objects.get().expires_at)
    assert (stored.date(), stored.time()) == (expiry.date(), datetime.time(14, 30))
    client.logout()
    url = f"/api/v1/clients/{client_noord.pk}"
    with time_machine.travel(stored - datetime.timedelta(seconds=1), tick=False):
        before = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
    with time_machine.travel(stored, tick=False):
        after = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert (before.status_code, after.status_code) == (200, 401)


def test_the_administrator_clears_an_expiry(client, personas):
    api_token, _ = api_token_create(
        actor=SYSTEM,
        user=personas["planner"],
        name="Koppeling",
        scopes=[],
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )
    client.force_login(personas["administrator"])

    response = _change(client, api_token, "", "")

    assert response.status_code == 302
    assert ApiToken.objects.get().expires_at is None


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        (lambda now: now - datetime.timedelta(days=1), "De vervaldatum moet in de toekomst"),
        (lambda now: now - datetime.timedelta(minutes=1), "De vervaldatum moet in de toekomst"),
        (lambda now: now + datetime.timedelta(days=3 * 365), "Vul een datum en tijd in van"),
        (lambda now: now.replace(year=9999), "Vul een datum en tijd in van"),
    ],
    ids=["yesterday", "a minute ago", "three years ahead", "year 9999"],
)
def test_it_refuses_an_expiry_in_the_past_or_too_far_ahead(client, personas, moment, message):
    token_for(personas["planner"])
    api_token = ApiToken.objects.get()
    client.force_login(personas["administrator"])
    when = timezone.localtime(moment(timezone.localtime()))

    response = _change(client, api_token, _day(when), when.strftime("%H:%M"))

    assert response.status_code == 200
    assert [e for e in _form_errors(response) if message in e], _form_errors(response)
    assert ApiToken.objects.get().expires_at is None


def test_other_roles_cannot_set_an_expiry(client, personas):
    token_for(personas["planner"])
    api_token = ApiToken.objects.get()
    client.force_login(personas["manager"])

    response = _change(client, api_token, _day(timezone.now() + datetime.timedelta(days=3)), "9:00")

    assert response.status_code == 302
    assert "/login" in response["Location"] or "beheer/login" in response["Location"]
    assert ApiToken.objects.get().expires_at is None


def test_it_can_neither_add_nor_delete_tokens(client, personas):
    token_for(personas["planner"])
    client.force_login(personas["administrator"])

    assert client.get("/beheer/api/apitoken/add/").status_code == 403
    assert (
        client.get(f"/beheer/api/apitoken/{ApiToken.objects.get().pk}/delete/").status_code == 403
    )
