"""Signing in with a second factor in a real browser at 1366x768: the password, then a
code from the authenticator app computed here as the app would; the enrolment at the
first sign-in when it is required (QR code, typed secret, recovery codes); and a
passkey, registered and used with Chromium's virtual authenticator."""

import time
from base64 import b32decode

import pytest
from django.views.i18n import JavaScriptCatalog
from django_otp.oath import totp
from playwright.sync_api import expect

from halte.audit.models import Action, AuditEntry, Outcome
from halte.twofactor.tests.factories import app_for, code_now
from tests_browser.helpers import LAPTOP, assert_inside_fold, log_in, log_out, screenshot
from tests_browser.test_security_headers import violations  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# `violations` is the policy test's fixture (imported above): F811 for pytest's way.
def test_it_signs_in_with_the_password_and_a_code_from_the_app(page, personas, violations):  # noqa: F811
    page.set_viewport_size(LAPTOP)
    device = app_for(personas["privacy_officer"])

    log_in(page, "privacy")
    expect(page).to_have_url("/tweestaps/controle/?next=%2F")
    expect(page.locator("main h1")).to_have_text("Bevestig dat u het bent")
    # Nothing else opens until the code is given.
    expect(page.locator("nav .nav")).to_have_count(0)
    screenshot(page, "two-factor-step-1366")

    page.fill("#id_code", "123456" if code_now(device) != "123456" else "654321")
    page.click("main form button[type=submit]")
    expect(page.locator("#id_code_error")).to_contain_text("Deze code klopt niet")
    screenshot(page, "two-factor-step-wrong-1366")

    page.wait_for_timeout(1100)  # a wrong code makes the next one wait a second
    page.fill("#id_code", code_now(device))
    page.click("main form button[type=submit]")
    expect(page).to_have_url("/audit/")
    assert list(
        AuditEntry.objects.filter(part="second_factor_totp")
        .order_by("seq")
        .values_list("outcome", flat=True)
    ) == [Outcome.DENIED, Outcome.SUCCESS]
    violations.assert_none()  # the step under the strict Content-Security-Policy


def _code_for_secret(secret_text: str) -> str:
    secret = secret_text.replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


@pytest.fixture
def passkeys(page):
    """Chromium's virtual authenticator: a platform passkey that verifies the user."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    yield cdp, authenticator["authenticatorId"]
    cdp.send("WebAuthn.disable")


@pytest.fixture
def slow_passkey_texts(monkeypatch):
    """The passkey scripts' translations arrive late, as on a slow line (the live
    server answers in its own thread): the buttons must still work once they show."""
    answer = JavaScriptCatalog.get

    def late(view, request, *args, **kwargs):
        time.sleep(1.5)
        return answer(view, request, *args, **kwargs)

    monkeypatch.setattr(JavaScriptCatalog, "get", late)


def test_the_first_sign_in_enrols_the_app_then_a_passkey_signs_in(
    page,
    personas,
    settings,
    passkeys,
    slow_passkey_texts,
    violations,  # noqa: F811
):
    settings.HALTE_TWO_FACTOR = True
    page.set_viewport_size(LAPTOP)

    log_in(page, "planner")
    expect(page.locator("main h1")).to_have_text("Tweestapsverificatie instellen")
    expect(page.locator("figure.qr svg")).to_be_visible()
    screenshot(page, "two-factor-enrol-1366", fold=True)
    assert_inside_fold(page.locator("main form button[type=submit]"), LAPTOP["height"])

    page.fill("#id_code", _code_for_secret(page.locator("#totp-secret").inner_text()))
    page.click("main form button[type=submit]")
    expect(page.locator("main h1")).to_have_text("Uw herstelcodes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)

    page.click("#passkey-register-button")
    expect(page.locator("#passkey-register-status-message")).to_be_visible()
    cdp, authenticator_id = passkeys
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(credentials["credentials"]) == 1
    screenshot(page, "two-factor-recovery-codes-1366")
    page.click("main a.button")
    expect(page).to_have_url("/traject/")

    log_out(page)
    log_in(page, "planner")
    expect(page.locator("main h1")).to_have_text("Bevestig dat u het bent")
    page.click("#passkey-verification-button")
    expect(page).to_have_url("/traject/")
    entries = list(
        AuditEntry.objects.filter(username="planner", part__startswith="second_factor")
        .order_by("seq")
        .values_list("action", "part", "outcome")
    )
    assert entries == [
        (Action.CREATE, "second_factor_totp", Outcome.SUCCESS),
        (Action.CREATE, "second_factor_recovery", Outcome.SUCCESS),
        (Action.CREATE, "second_factor_passkey", Outcome.SUCCESS),
        (Action.VERIFY, "second_factor_passkey", Outcome.SUCCESS),
    ]
    # The QR code, the passkey scripts (django-otp-webauthn's own, and its JSON
    # configuration) under the strict Content-Security-Policy.
    violations.assert_none()
