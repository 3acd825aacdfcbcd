"""POST /api/v1/telephony/events: signed call events from the telephone system."""

import json
import os
import subprocess
import sys

import pytest
from django.utils import timezone

from halte.api.tests.helpers import audit_entries, error_of, last_seq
from halte.audit.models import Action, AuditEntry
from halte.clients.tests.factories import ClientFactory, PhoneFactory
from halte.contact.models import CallEvent, Interaction, InteractionStatus
from halte.contact.telephony import sign
from halte.core.tests.factories import UserFactory
from halte.core.tests.test_settings import PRODUCTION_ENV, ROOT

pytestmark = pytest.mark.django_db

SECRET = "test-telephony-secret-0123456789abcdef"
PATH = "/api/v1/telephony/events"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.TELEPHONY_WEBHOOK_SECRET = SECRET


def _event(call_id="call-1", event="ringing", caller="06-12345678", **extra) -> dict:
    return {
        "call_id": call_id,
        "event": event,
        "caller": caller,
        "called": "033-7122160",
        # A call going on now: one that rang before the ring time-out is over.
        "at": timezone.now().isoformat(),
        **extra,
    }


def _post(client, data=None, *, raw: bytes | None = None, signature: str | None = "sign"):
    body = raw if raw is not None else json.dumps(data).encode()
    headers = {}
    if signature == "sign":
        headers["HTTP_X_HALTE_SIGNATURE"] = sign(body, SECRET)
    elif signature is not None:
        headers["HTTP_X_HALTE_SIGNATURE"] = signature
    return client.post(PATH, body, content_type="application/json", **headers)


def _counts() -> tuple[int, int, int]:
    return CallEvent.objects.count(), Interaction.objects.count(), AuditEntry.objects.count()


def test_it_opens_a_draft_contact_for_a_ringing_call_with_the_matches(client, client_noord):
    response = _post(client, _event())

    assert response.status_code == 201
    body = response.json()
    interaction = Interaction.objects.get()
    assert body["interaction_id"] == interaction.pk
    assert body["replayed"] is False
    assert (body["call_state"], body["client_id"]) == ("ringing", client_noord.pk)
    assert [(m["type"], m["client_id"]) for m in body["matches"]] == [("client", client_noord.pk)]
    assert interaction.status == InteractionStatus.OPEN
    assert interaction.caller_e164 == "+31612345678"


def test_it_accepts_a_signature_in_capitals(client, client_noord):
    body = json.dumps(_event()).encode()
    signature = "sha256=" + sign(body, SECRET).removeprefix("sha256=").upper()

    assert _post(client, raw=body, signature=signature).status_code == 201


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "sha256=" + "0" * 64,
        "sha1=abc",
        "sha256=ïnvalid",
        "wrong-secret",
    ],
    ids=["missing", "empty", "zeros", "other-algorithm", "non-ascii", "wrong-secret"],
)
def test_it_refuses_a_bad_or_missing_signature_and_stores_nothing(client, client_noord, signature):
    body = json.dumps(_event()).encode()
    if signature == "wrong-secret":
        signature = sign(body, "another-secret")
    before = _counts()

    response = _post(client, raw=body, signature=signature)

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"
    assert _counts() == before


def test_it_refuses_a_signature_of_another_body(client, client_noord):
    signature = sign(json.dumps(_event(call_id="other")).encode(), SECRET)
    before = _counts()

    response = _post(client, _event(), signature=signature)

    assert response.status_code == 401
    assert _counts() == before


def test_it_ignores_a_bearer_token_or_session_without_signature(client, personas, client_noord):
    client.force_login(personas["front_office"])

    response = _post(client, _event(), signature=None)

    assert response.status_code == 401
    assert Interaction.objects.count() == 0


def test_it_answers_a_replay_with_200_and_the_same_contact(client, client_noord):
    first = _post(client, _event()).json()
    before = _counts()

    response = _post(client, _event())

    assert response.status_code == 200
    body = response.json()
    assert body["replayed"] is True
    assert body["interaction_id"] == first["interaction_id"]
    assert body["matches"] == first["matches"]
    assert (CallEvent.objects.count(), Interaction.objects.count()) == before[:2]


def test_it_writes_one_read_entry_per_client_it_shows(client, client_noord):
    before = last_seq()

    _post(client, _event())
    _post(client, _event(event="answered"))

    entries = audit_entries(before)
    assert [(e.action, e.part, e.client_id) for e in entries] == [
        (Action.READ, "caller_recognition", client_noord.pk),
        (Action.READ, "caller_recognition", client_noord.pk),
    ]
    assert {(e.user_id, e.username, e.role) for e in entries} == {
        (None, "telephone system", "system")
    }


def test_it_follows_the_call_through_its_events(client, client_noord):
    agent = UserFactory(username="agent7", phone_extension="207")
    opened = _post(client, _event()).json()

    answered = _post(client, _event(event="answered", agent_extension="207"))
    ended = _post(client, _event(event="ended"))

    assert answered.status_code == ended.status_code == 201
    assert ended.json()["interaction_id"] == opened["interaction_id"]
    interaction = Interaction.objects.get()
    assert interaction.call_state == "ended"
    assert interaction.staff == agent
    assert interaction.status == InteractionStatus.OPEN  # until the agent writes it up


def test_it_takes_events_out_of_order(client, client_noord):
    answered = _post(client, _event(event="answered", agent_extension="207"))
    ringing = _post(client, _event(event="ringing"))

    assert answered.status_code == ringing.status_code == 201
    assert answered.json()["interaction_id"] == ringing.json()["interaction_id"]
    assert ringing.json()["call_state"] == "answered"
    assert Interaction.objects.count() == 1
    assert CallEvent.objects.count() == 2


@pytest.mark.parametrize("caller", ["anonymous", "", None, "Withheld"])
def test_it_takes_a_withheld_number_as_a_call_without_caller(client, client_noord, caller):
    response = _post(client, _event(caller=caller))

    assert response.status_code == 201
    body = response.json()
    assert (body["client_id"], body["matches"]) == (None, [])
    assert Interaction.objects.get().caller_e164 == ""


def test_it_takes_a_call_without_a_caller_field(client):
    data = _event()
    del data["caller"]

    assert _post(client, data).status_code == 201


def test_it_leaves_the_client_open_for_a_shared_landline(client, teams):
    for name in ("Kees", "Truus"):
        PhoneFactory(
            client=ClientFactory(team=teams["noord"], given_names=name), e164="+31337122160"
        )

    body = _post(client, _event(caller="033-7122160")).json()

    assert body["client_id"] is None
    assert len(body["matches"]) == 2


def test_it_refuses_a_body_over_64_kb_with_413(client):
    data = _event(padding="x" * (64 * 1024))
    before = _counts()

    response = _post(client, data)

    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert _counts() == before


def test_it_refuses_signed_malformed_json_with_400(client):
    before = _counts()

    response = _post(client, raw=b'{"call_id": "call-1", "event": ')

    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"
    assert _counts() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"event": "hung_up"}, "event"),
        ({"call_id": ""}, "call_id"),
        ({"call_id": "x" * 101}, "call_id"),
        ({"at": "yesterday"}, "at"),
        ({"at": "2026-11-23T09:15:00"}, "at"),  # no offset
        ({"caller": 612345678}, "caller"),
        ({"agent_extension": "1" * 21}, "agent_extension"),
    ],
)
def test_it_refuses_invalid_values_with_422_naming_the_field(client, change, field):
    before = _counts()

    response = _post(client, _event(**change))

    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert _counts() == before


def test_it_answers_401_before_looking_at_the_body(client):
    response = _post(client, raw=b"not json", signature="sha256=00")

    assert response.status_code == 401


def test_it_refuses_to_start_in_production_without_a_telephony_secret():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "TELEPHONY_WEBHOOK_SECRET"}
    result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(ROOT / "manage.py"), "check"],
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )

    assert result.returncode != 0
    assert "TELEPHONY_WEBHOOK_SECRET" in result.stderr
