"""Passkeys only as the second factor: never instead of the password, a failed check
is logged as denied. (Registering and signing in with one: tests_browser.)"""

import pytest

from halte.audit.models import Action, AuditEntry, Outcome
from halte.core.tests.factories import PASSWORD
from halte.twofactor.tests.factories import app_for

pytestmark = pytest.mark.django_db

BEGIN = "/tweestaps/passkey/controle/start/"
COMPLETE = "/tweestaps/passkey/controle/afronden/"


def test_a_passkey_does_not_replace_the_password(client, personas):
    response = client.post(BEGIN, content_type="application/json")

    assert response.status_code >= 400
    assert response.json()["code"] == "passwordless_login_disabled"


def test_a_failed_passkey_check_is_logged_denied_and_opens_nothing(client, personas):
    app_for(personas["front_office"])
    client.post("/login/", {"username": "kcc", "password": PASSWORD})

    response = client.post(COMPLETE, {"id": "made-up"}, content_type="application/json")

    assert response.status_code >= 400
    assert client.get("/werkplek/").status_code == 302
    assert list(
        AuditEntry.objects.filter(part="second_factor_passkey").values_list("action", "outcome")
    ) == [(Action.VERIFY, Outcome.DENIED)]


def test_a_waiting_session_cannot_add_a_passkey_before_the_code(client, personas):
    app_for(personas["front_office"])
    client.post("/login/", {"username": "kcc", "password": PASSWORD})

    response = client.post("/tweestaps/passkey/registratie/start/")

    assert response.status_code == 302
    assert response["Location"].startswith("/tweestaps/controle/")
