"""An administrator resets a staff member's second factor: audited; their own is
refused and logged as denied; other roles may not."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from halte.audit.models import Action, AuditEntry, Outcome
from halte.core.tests.factories import PASSWORD
from halte.twofactor.tests.factories import app_for, code_now, recovery_codes_for

pytestmark = pytest.mark.django_db


def reset_url(user) -> str:
    return f"/beheer/tweestaps/{user.pk}/herstellen/"


def resets():
    """(who, action, outcome, whose factors) of each reset entry."""
    return [
        (username, action, outcome, part.removeprefix("second_factor_reset,staff_member="))
        for username, action, outcome, part in AuditEntry.objects.filter(
            part__startswith="second_factor_reset,"
        )
        .order_by("seq")
        .values_list("username", "action", "outcome", "part")
    ]


def test_the_administrator_sees_who_has_which_factor(client, personas):
    app_for(personas["nurse_noord"])
    client.force_login(personas["administrator"])

    response = client.get("/beheer/tweestaps/")

    assert response.status_code == 200
    assert f'action="{reset_url(personas["nurse_noord"])}"' in response.text
    # No reset button for oneself, nor for someone with nothing to reset.
    assert reset_url(personas["administrator"]) not in response.text
    assert reset_url(personas["manager"]) not in response.text
    # Beside oneself, in the "u" of the administrator's pages, why there is no button.
    assert "Dit bent u zelf: een andere beheerder herstelt uw tweede factor" in response.text
    assert "Uw eigen tweede factor herstelt een andere beheerder." in response.text


def test_the_staff_overview_takes_the_same_queries_for_more_staff(client, personas):
    client.force_login(personas["administrator"])
    client.get("/beheer/tweestaps/")
    with CaptureQueriesContext(connection) as few:
        client.get("/beheer/tweestaps/")
    for user in list(personas.values())[:4]:
        app_for(user)
        recovery_codes_for(user, codes=[f"code{user.pk:04d}"])
    with CaptureQueriesContext(connection) as more:
        client.get("/beheer/tweestaps/")

    assert len(more) == len(few)


def test_a_reset_removes_every_factor_and_is_audited(client, personas):
    nurse = personas["nurse_noord"]
    app_for(nurse)
    recovery_codes_for(nurse)
    client.force_login(personas["administrator"])

    response = client.post(reset_url(nurse))

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=nurse).exists()
    assert not StaticDevice.objects.filter(user=nurse).exists()
    assert resets() == [("admin", Action.DELETE, Outcome.SUCCESS, str(nurse.pk))]
    page = client.get(response["Location"])
    assert "is hersteld" in page.text


def test_a_reset_ends_the_verified_session_of_the_person(client, personas):
    kcc = personas["front_office"]
    device = app_for(kcc)
    session = Client()
    session.post("/login/", {"username": "kcc", "password": PASSWORD})
    session.post("/tweestaps/controle/", {"code": code_now(device)})
    assert session.get("/werkplek/").status_code == 200
    client.force_login(personas["administrator"])

    client.post(reset_url(kcc))

    # The removed app no longer verifies the session: back to the step, which (the
    # factor not required here, and none left) lets the person go on.
    to_step = session.get("/werkplek/")
    assert to_step["Location"].startswith("/tweestaps/controle/")
    assert session.get(to_step["Location"])["Location"] == "/werkplek/"
    assert session.get("/werkplek/").status_code == 200


def test_resetting_ones_own_factor_is_refused_and_logged_denied(client, personas):
    admin = personas["administrator"]
    app_for(admin)
    client.force_login(admin)
    # force_login noted the factor: the step first.
    client.post("/tweestaps/controle/", {"code": code_now(TOTPDevice.objects.get(user=admin))})

    response = client.post(reset_url(admin))

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=admin).exists()
    assert resets() == [("admin", Action.DELETE, Outcome.DENIED, str(admin.pk))]


@pytest.mark.parametrize("role", ["privacy_officer", "team_lead", "manager"])
def test_other_roles_may_not_reset(client, personas, role):
    app_for(personas["nurse_noord"])
    client.force_login(personas[role])

    assert client.post(reset_url(personas["nurse_noord"])).status_code == 403
    assert client.get("/beheer/tweestaps/").status_code == 403
    assert TOTPDevice.objects.filter(user=personas["nurse_noord"]).exists()
