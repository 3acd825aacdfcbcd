"""Guessing at the sign-in in a real browser: after five wrong passwords the Dutch
lockout page says when to try again, and the right password is refused until then."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from halte.audit.models import Action, AuditEntry, Outcome
from halte.core.tests.factories import PASSWORD
from tests_browser.helpers import LAPTOP, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _try(page, username, password):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")


def test_repeated_wrong_passwords_lock_the_sign_in_and_the_right_one_is_refused(
    page, personas, settings
):
    settings.LANGUAGE_CODE = "nl"
    page.set_viewport_size(LAPTOP)
    for _ in range(4):
        _try(page, "kcc", "verkeerd-wachtwoord")
        expect(page.locator(".error-summary")).to_be_visible()
        expect(page.locator("#id_username")).to_be_visible()

    _try(page, "kcc", "verkeerd-wachtwoord")
    expect(page.locator("h1")).to_have_text("Te veel pogingen om in te loggen")

    page.goto("/login/")
    page.fill("#id_username", "kcc")
    page.fill("#id_password", PASSWORD)
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.click("main button[type=submit]")
    assert answer.value.status == 429
    retry_after = int(answer.value.headers["retry-after"])
    assert 14 * 60 < retry_after <= 15 * 60
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Inloggen vanaf dit apparaat is even geblokkeerd")
    # The server's moment lies up to a few seconds before this one.
    until = timezone.localtime(timezone.now() + datetime.timedelta(seconds=retry_after))
    times = {f"{until - datetime.timedelta(seconds=s):%H:%M}" for s in (0, 5)}
    assert any(f"Probeer het opnieuw na {time}." in alert.inner_text() for time in times)
    screenshot(page, "lockout")

    # Not signed in: the start page sends the browser back to the sign-in page.
    page.goto("/")
    expect(page.locator("#id_username")).to_be_visible()
    denied = AuditEntry.objects.filter(action=Action.SIGN_IN, outcome=Outcome.DENIED)
    assert denied.filter(part="sign_in_locked").count() == 2
    assert not AuditEntry.objects.filter(action=Action.SIGN_IN, outcome=Outcome.SUCCESS).exists()
