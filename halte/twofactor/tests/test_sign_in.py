"""The second factor at sign-in: who is asked, what a waiting session may open, the
codes, the enrolment at first sign-in, signing out, and the audit entries."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from halte.api.tests.helpers import auth, error_of, token_for
from halte.audit.models import Action, AuditEntry, Outcome
from halte.core.tests.factories import PASSWORD
from halte.twofactor.policy import HAS_FACTOR_KEY
from halte.twofactor.tests.factories import (
    RECOVERY_CODES,
    app_for,
    code_now,
    recovery_codes_for,
)

pytestmark = pytest.mark.django_db

STEP = "/tweestaps/controle/"
ENROL = "/tweestaps/instellen/"


def sign_in(client, username):
    """The password step through the login page (django.contrib.auth.authenticate)."""
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return response


def entries(part_prefix="second_factor"):
    return list(
        AuditEntry.objects.filter(part__startswith=part_prefix)
        .order_by("seq")
        .values_list("username", "action", "part", "outcome")
    )


def test_it_opens_pages_with_the_password_alone_when_off_and_without_a_factor(client, personas):
    sign_in(client, "kcc")

    assert client.get("/werkplek/").status_code == 200


def test_it_sends_someone_with_a_factor_to_the_step_from_every_page(client, personas):
    app_for(personas["front_office"])
    sign_in(client, "kcc")

    response = client.get("/clienten/?q=Berg")

    assert response.status_code == 302
    assert response["Location"] == f"{STEP}?next=%2Fclienten%2F%3Fq%3DBerg"
    htmx = client.get("/clienten/", headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"].startswith(STEP)
    assert client.get("/beheer/").status_code == 302


def test_an_app_still_being_set_up_is_no_factor_to_wait_for(client, personas):
    app_for(personas["front_office"], confirmed=False)
    sign_in(client, "kcc")

    assert client.session[HAS_FACTOR_KEY] is False
    assert client.get("/werkplek/").status_code == 200


def test_the_sign_in_notes_whether_the_person_has_a_factor(client, personas):
    app_for(personas["front_office"])
    sign_in(client, "kcc")
    assert client.session[HAS_FACTOR_KEY] is True

    client.post("/logout/")
    sign_in(client, "planner")
    assert client.session[HAS_FACTOR_KEY] is False


def test_a_session_from_before_the_note_learns_it_once(client, personas):
    app_for(personas["front_office"])
    sign_in(client, "kcc")
    session = client.session
    del session[HAS_FACTOR_KEY]
    session.save()

    assert client.get("/werkplek/")["Location"].startswith(STEP)
    assert client.session[HAS_FACTOR_KEY] is True


def test_the_session_api_answers_401_until_verified_but_a_token_works(
    client, personas, client_noord
):
    nurse = personas["nurse_noord"]
    app_for(nurse)
    token = token_for(nurse, scopes=["clients:read"])
    sign_in(client, "nurse_noord")

    waiting = client.get(f"/api/v1/clients/{client_noord.pk}")
    # Another Authorization scheme would fall back to the session: still refused.
    basic = client.get(
        f"/api/v1/clients/{client_noord.pk}", HTTP_AUTHORIZATION="Basic a2VlczpqYW5zZW4="
    )
    with_token = client.get(f"/api/v1/clients/{client_noord.pk}", **auth(token))

    assert waiting.status_code == 401
    assert "tweede factor" in error_of(waiting)["message"]
    assert basic.status_code == 401
    assert with_token.status_code == 200


def test_a_wrong_code_is_refused_in_dutch_and_logged(client, personas):
    app_for(personas["front_office"])
    sign_in(client, "kcc")

    response = client.post(STEP, {"code": "000000", "next": "/werkplek/"})

    assert response.status_code == 200
    assert "Deze code klopt niet" in response.text
    assert client.get("/werkplek/").status_code == 302
    assert entries() == [("kcc", Action.VERIFY, "second_factor_totp", Outcome.DENIED)]


def test_the_app_code_opens_halte_and_goes_where_the_person_was_going(client, personas):
    device = app_for(personas["front_office"])
    sign_in(client, "kcc")

    response = client.post(STEP, {"code": code_now(device), "next": "/werkplek/"})

    assert response.status_code == 302
    assert response["Location"] == "/werkplek/"
    assert client.get("/werkplek/").status_code == 200
    assert entries() == [("kcc", Action.VERIFY, "second_factor_totp", Outcome.SUCCESS)]


def test_it_refuses_a_next_address_on_another_site(client, personas):
    device = app_for(personas["front_office"])
    sign_in(client, "kcc")

    response = client.post(STEP, {"code": code_now(device), "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_a_recovery_code_works_exactly_once(client, personas):
    app_for(personas["front_office"])
    recovery_codes_for(personas["front_office"])
    sign_in(client, "kcc")

    # Read back from paper: spaces and capitals do not matter.
    first = client.post(STEP, {"code": "ABCD 2345", "next": "/werkplek/"})
    assert first.status_code == 302
    assert client.get("/werkplek/").status_code == 200

    client.post("/logout/")
    sign_in(client, "kcc")
    again = client.post(STEP, {"code": RECOVERY_CODES[0], "next": "/werkplek/"})

    assert again.status_code == 200
    assert "Deze code klopt niet" in again.text
    assert entries() == [
        ("kcc", Action.VERIFY, "second_factor_recovery", Outcome.SUCCESS),
        ("kcc", Action.VERIFY, "second_factor_recovery", Outcome.DENIED),
    ]
    # After a wrong code the next try waits a moment (1 s, doubling with each).
    assert "Te veel foute codes" in client.post(STEP, {"code": RECOVERY_CODES[1]}).text
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        assert client.post(STEP, {"code": RECOVERY_CODES[1]}).status_code == 302


def test_signing_out_ends_the_verification(client, personas):
    device = app_for(personas["front_office"])
    sign_in(client, "kcc")
    client.post(STEP, {"code": code_now(device)})
    assert client.get("/werkplek/").status_code == 200

    client.post("/logout/")
    sign_in(client, "kcc")

    assert client.get("/werkplek/").status_code == 302


def test_too_many_wrong_codes_make_one_wait(client, personas):
    device = app_for(personas["front_office"])
    sign_in(client, "kcc")
    for _ in range(3):
        client.post(STEP, {"code": "000000"})

    response = client.post(STEP, {"code": code_now(device)})

    assert response.status_code == 200
    assert "Te veel foute codes" in response.text


def test_when_required_the_first_sign_in_enrols_the_app_and_shows_ten_codes(
    client, personas, settings
):
    settings.HALTE_TWO_FACTOR = True
    sign_in(client, "privacy")

    to_step = client.get("/audit/")
    to_enrol = client.get(to_step["Location"])
    assert to_enrol["Location"] == f"{ENROL}?next=%2Faudit%2F"
    page = client.get(to_enrol["Location"])
    assert page.status_code == 200
    assert "<svg" in page.text and "QR-code" in page.text
    device = _unconfirmed_app(personas["privacy_officer"])
    secret = page.context["secret"].replace(" ", "")
    assert secret in page.text.replace(" ", "")

    wrong = client.post(ENROL, {"code": "000000", "next": "/audit/"})
    assert "Deze code klopt niet" in wrong.text
    assert "Te veel foute codes" in client.post(ENROL, {"code": code_now(device)}).text
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        confirmed = client.post(ENROL, {"code": code_now(device), "next": "/audit/"})
    codes_page = client.get(confirmed["Location"])
    codes = codes_page.context["codes"]

    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in codes_page.text for code in codes)
    assert codes_page["Cache-Control"] == "no-store"
    # Shown once: the next look goes on to where the person was going.
    assert client.get(confirmed["Location"])["Location"] == "/audit/"
    assert client.get("/audit/").status_code == 200
    assert entries() == [
        ("privacy", Action.CREATE, "second_factor_totp", Outcome.SUCCESS),
        ("privacy", Action.CREATE, "second_factor_recovery", Outcome.SUCCESS),
    ]


def _unconfirmed_app(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.get(user=user, confirmed=False)


def test_when_required_every_staff_role_waits_for_the_factor(client, personas, settings):
    settings.HALTE_TWO_FACTOR = True
    for user in personas.values():
        client.force_login(user)
        assert client.get("/").status_code == 302, user.role
        assert client.get("/")["Location"].startswith(STEP), user.role


def test_enrolment_is_no_way_around_an_existing_factor(client, personas):
    app_for(personas["front_office"])
    sign_in(client, "kcc")

    response = client.get(ENROL)

    assert response.status_code == 302
    assert response["Location"].startswith(STEP)
