"""Sign-ins, failed sign-ins, lockouts and sign-outs are in the audit chain: who (or
a fingerprint of what was typed), from where, the outcome; never a password."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from halte.audit.models import Action, AuditEntry, Outcome
from halte.audit.queries import verify_chain
from halte.core.tests.factories import PASSWORD

LOGIN = reverse("core:login")
ADDRESS = "192.0.2.41"


def _sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ADDRESS)


def _entries():
    return list(AuditEntry.objects.order_by("seq"))


def _row(entry):
    return (entry.username, entry.action, entry.part, entry.outcome, entry.source_ip)


def _every_stored_value(entry) -> str:
    return " ".join(str(getattr(entry, field.attname)) for field in AuditEntry._meta.fields)


def test_a_sign_in_is_recorded_with_who_and_where(client, personas):
    _sign_in(client, "kcc", PASSWORD)

    (entry,) = _entries()
    assert _row(entry) == ("kcc", Action.SIGN_IN, "sign_in", Outcome.SUCCESS, ADDRESS)
    assert entry.user_id == personas["front_office"].pk
    assert entry.role == personas["front_office"].role
    assert verify_chain().problem is None


def test_a_wrong_password_is_recorded_as_denied_without_the_password(client, personas):
    _sign_in(client, "planner", "Geheim-wachtwoord-99")

    (entry,) = _entries()
    assert _row(entry) == ("planner", Action.SIGN_IN, "sign_in", Outcome.DENIED, ADDRESS)
    assert entry.user_id == personas["planner"].pk
    assert "Geheim-wachtwoord-99" not in _every_stored_value(entry)


def test_an_unknown_username_is_recorded_as_a_fingerprint(client, personas):
    typed = "Geheim-wachtwoord-99"  # a password typed into the username field

    _sign_in(client, typed, "kcc")
    _sign_in(client, typed, "kcc")
    _sign_in(client, "someone-else", "x")

    first, second, other = _entries()
    assert first.username == second.username != other.username
    assert first.username.startswith("?") and len(first.username) == 9
    assert (first.user_id, first.role) == (None, "")
    assert (first.action, first.outcome) == (Action.SIGN_IN, Outcome.DENIED)
    assert typed not in _every_stored_value(first)


def test_the_lockout_is_recorded(client, personas):
    for _ in range(6):
        _sign_in(client, "kcc", "wrong")
    _sign_in(client, "kcc", PASSWORD)

    parts = [entry.part for entry in _entries()]
    assert parts == ["sign_in"] * 4 + ["sign_in_locked"] * 3
    assert {entry.outcome for entry in _entries()} == {Outcome.DENIED}


def test_a_sign_out_is_recorded(client, personas):
    _sign_in(client, "kcc", PASSWORD)
    client.post(reverse("core:logout"), REMOTE_ADDR=ADDRESS)

    last = _entries()[-1]
    assert _row(last) == ("kcc", Action.SIGN_OUT, "sign_out", Outcome.SUCCESS, ADDRESS)


@pytest.mark.parametrize(
    ("after", "part"),
    [
        (datetime.timedelta(minutes=31), "session_idle"),
        (datetime.timedelta(hours=12, minutes=1), "session_max_age"),
    ],
)
def test_an_ended_session_is_recorded_with_why(client, personas, after, part):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _sign_in(client, "kcc", PASSWORD)
    moment = start
    # Active every 20 minutes when the session is to reach its maximum age.
    while part == "session_max_age" and moment + datetime.timedelta(minutes=20) < start + after:
        moment += datetime.timedelta(minutes=20)
        with time_machine.travel(moment, tick=False):
            assert client.get(reverse("core:home"), REMOTE_ADDR=ADDRESS).status_code == 302
    with time_machine.travel(start + after, tick=False):
        client.get(reverse("contact:workplace"), REMOTE_ADDR=ADDRESS)

    last = _entries()[-1]
    assert _row(last) == ("kcc", Action.SIGN_OUT, part, Outcome.SUCCESS, ADDRESS)


def test_the_log_page_names_sign_ins_in_dutch(client, personas, settings):
    settings.LANGUAGE_CODE = "nl"
    _sign_in(client, "kcc", "wrong")
    _sign_in(client, "privacy", PASSWORD)

    page = client.get(reverse("audit:log"), {"action": "sign_in"}).content.decode()

    assert "Inloggen met wachtwoord" in page
    assert "Geweigerd" in page
    assert page.count('<tr class="outcome-') == 2
