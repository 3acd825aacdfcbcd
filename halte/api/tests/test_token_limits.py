"""Bad tokens from one address get 429 once they repeat; each token has a rate limit;
a token may expire. Answers in the API's error shape with Retry-After."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from halte.api.models import ApiToken
from halte.api.services import api_token_create, api_tokens_revoke
from halte.api.tests.helpers import SYSTEM, auth, error_of, token_for

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.9"
INTEGRATION = "198.51.100.20"


def _get(client, token, address=ATTACKER, path="/api/v1/callers"):
    return client.get(path, {"number": "0612345678"}, REMOTE_ADDR=address, **auth(token))


@pytest.fixture
def start():
    # The start of a 10-minute window, so that the test stays in one.
    now = timezone.now()
    return now.replace(minute=now.minute - now.minute % 10, second=1, microsecond=0)


def test_bad_tokens_get_401_then_429_from_the_same_address(client, personas, start):
    good = token_for(personas["front_office"])
    with time_machine.travel(start, tick=False):
        for n in range(10):
            assert _get(client, f"halte_guess{n}").status_code == 401
        refused = _get(client, "halte_guess10")

        assert refused.status_code == 429
        assert error_of(refused)["code"] == "rate_limited"
        assert int(refused["Retry-After"]) == 10 * 60 - 1
        # Blocked, the address cannot try tokens at all: a good one is refused too.
        assert _get(client, good).status_code == 429
        # Another address is not held.
        assert _get(client, good, address=INTEGRATION).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=10), tick=False):
        assert _get(client, good).status_code == 200


def test_the_bad_token_limit_is_a_setting(client, personas, settings, start):
    settings.HALTE_API_BAD_TOKEN_LIMIT = 2
    with time_machine.travel(start, tick=False):
        assert [_get(client, "halte_x").status_code for _ in range(3)] == [401, 401, 429]


def test_each_token_has_a_rate_limit_per_minute(client, personas, settings, start):
    settings.HALTE_API_TOKEN_RATE_PER_MINUTE = 3
    busy, other = token_for(personas["front_office"]), token_for(personas["front_office"])
    with time_machine.travel(start + datetime.timedelta(seconds=14), tick=False):
        statuses = [_get(client, busy, address=INTEGRATION).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = _get(client, busy, address=INTEGRATION)
        assert int(refused["Retry-After"]) == 45
        assert "3" in error_of(refused)["message"]
        # The limit is the token's, not the address's.
        assert _get(client, other, address=INTEGRATION).status_code == 200
    with time_machine.travel(start + datetime.timedelta(seconds=59), tick=False):
        assert _get(client, busy, address=INTEGRATION).status_code == 200


def test_an_expired_token_answers_401_as_a_revoked_one(client, personas):
    owner = personas["front_office"]
    _, expiring = api_token_create(
        actor=SYSTEM,
        user=owner,
        name="Tijdelijk",
        scopes=[],
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    _, revoked = api_token_create(actor=SYSTEM, user=owner, name="Ingetrokken", scopes=[])
    api_tokens_revoke(actor=SYSTEM, tokens=ApiToken.objects.filter(name="Ingetrokken"))

    assert _get(client, expiring, address=INTEGRATION).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1, seconds=1)):
        expired = _get(client, expiring, address=INTEGRATION)
        gone = _get(client, revoked, address=INTEGRATION)
    assert expired.status_code == gone.status_code == 401
    assert error_of(expired) == error_of(gone)
    assert expired["WWW-Authenticate"] == "Bearer"


def test_a_token_cannot_be_made_already_expired(personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        api_token_create(
            actor=SYSTEM, user=personas["planner"], name="x", scopes=[], expires_at=timezone.now()
        )


def _create(*args) -> list[str]:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue().splitlines()


def test_create_api_token_takes_an_expiry_date(client, personas, settings):
    settings.TIME_ZONE = "Europe/Amsterdam"
    day = timezone.localdate() + datetime.timedelta(days=30)

    lines = _create("--user", "kcc", "--expires", day.isoformat())

    stored = ApiToken.objects.get()
    assert timezone.localtime(stored.expires_at).date() == day
    assert timezone.localtime(stored.expires_at).time() == datetime.time(0, 0)
    assert f"It is refused from {day.isoformat()} 00:00" in "\n".join(lines)
    assert _get(client, lines[-1], address=INTEGRATION).status_code == 200


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31-12-2030", "YYYY-MM-DD"),
        ("2030-02-30", "YYYY-MM-DD"),
        ("2001-01-01", "a day after today"),
        ("9999-12-31", "(Enter a date and time from|Vul een datum en tijd in van)"),
    ],
)
def test_create_api_token_refuses_a_bad_expiry(personas, value, message):
    with pytest.raises(CommandError, match=message):
        _create("--user", "kcc", "--expires", value)
    assert not ApiToken.objects.exists()


def test_the_admin_shows_the_expiry(client, personas):
    expiry = timezone.now() + datetime.timedelta(days=3)
    api_token_create(
        actor=SYSTEM, user=personas["planner"], name="Koppeling", scopes=[], expires_at=expiry
    )
    client.force_login(personas["administrator"])

    page = client.get("/beheer/api/apitoken/").content.decode()

    assert "Koppeling" in page
    assert "column-expires_at" in page


def test_every_operation_that_answers_401_declares_429(client):
    document = client.get("/api/v1/openapi.json").json()
    operations = [
        (path, method, operation["responses"])
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    with_401 = [(path, method) for path, method, responses in operations if "401" in responses]
    assert len(with_401) > 20
    assert all("429" in responses for _, _, responses in operations if "401" in responses)
