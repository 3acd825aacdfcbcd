"""The demo shows the second factor on one login: the privacy officer, with a fixed,
documented authenticator-app secret and a command that prints the code of the moment."""

import io
from base64 import b32decode

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import totp

from halte.audit.models import Action, AuditEntry, Outcome
from halte.demo.seed import DEMO_PASSWORD, DEMO_TOTP_LOGIN, DEMO_TOTP_SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture
def printed(db):
    out = io.StringIO()
    call_command("seed_demo", "--clients", "20", verbosity=0, stdout=out)
    return out.getvalue()


def code_now() -> str:
    return f"{totp(b32decode(DEMO_TOTP_SECRET)):06d}"


def demo_totp_code(username) -> str:
    out = io.StringIO()
    call_command("demo_totp_code", username, stdout=out)
    return out.getvalue().strip()


def test_the_seed_prints_the_second_factor_of_the_privacy_officer(printed):
    assert DEMO_TOTP_SECRET in printed
    assert f"demo_totp_code {DEMO_TOTP_LOGIN}" in printed


def test_the_privacy_officer_signs_in_with_the_code_of_the_command(printed, client):
    response = client.post("/login/", {"username": DEMO_TOTP_LOGIN, "password": DEMO_PASSWORD})
    assert client.get(response["Location"])["Location"].startswith("/tweestaps/controle/")

    # The documented secret and the command agree on the code.
    assert demo_totp_code(DEMO_TOTP_LOGIN) == code_now()
    done = client.post("/tweestaps/controle/", {"code": demo_totp_code(DEMO_TOTP_LOGIN)})

    assert done.status_code == 302
    assert client.get("/audit/").status_code == 200
    assert AuditEntry.objects.filter(
        username=DEMO_TOTP_LOGIN, action=Action.VERIFY, outcome=Outcome.SUCCESS
    ).exists()


def test_the_other_demo_logins_sign_in_with_the_password_alone(printed, client):
    client.post("/login/", {"username": "kcc", "password": DEMO_PASSWORD})

    assert client.get("/werkplek/").status_code == 200


def test_the_command_refuses_a_login_without_an_app(printed):
    with pytest.raises(CommandError, match="no authenticator app"):
        demo_totp_code("kcc")
    with pytest.raises(CommandError, match="No login"):
        demo_totp_code("nobody")
