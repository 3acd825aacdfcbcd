"""An administrator gives an API token an expiry at /beheer/, in a real browser: a day
in the past is refused in Dutch beside the field, a day ahead is saved and listed."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from halte.api.models import ApiToken
from halte.api.tests.helpers import token_for
from tests_browser.helpers import LAPTOP, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_administrator_sets_a_tokens_expiry(page, personas):
    token_for(personas["planner"], name="Telefooncentrale")
    api_token = ApiToken.objects.get()
    page.set_viewport_size(LAPTOP)
    log_in(page, "admin")
    page.goto(f"/beheer/api/apitoken/{api_token.pk}/change/")
    expect(page.locator("input[name=expires_at_0]")).to_be_visible()

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    page.fill("input[name=expires_at_0]", yesterday.strftime("%d-%m-%Y"))
    page.fill("input[name=expires_at_1]", "09:00")
    page.click("input[name=_save]")
    expect(page.locator(".errorlist")).to_contain_text("De vervaldatum moet in de toekomst")
    screenshot(page, "token-admin-expiry-refused-1366")

    ahead = timezone.localdate() + datetime.timedelta(days=30)
    page.fill("input[name=expires_at_0]", ahead.strftime("%d-%m-%Y"))
    page.fill("input[name=expires_at_1]", "09:00")
    page.click("input[name=_save]")
    expect(page).to_have_url("/beheer/api/apitoken/")
    screenshot(page, "token-admin-list-1366")
    stored = timezone.localtime(ApiToken.objects.get().expires_at)
    assert (stored.date(), stored.time()) == (ahead, datetime.time(9, 0))

    page.goto(f"/beheer/api/apitoken/{api_token.pk}/change/")
    screenshot(page, "token-admin-change-1366")


def test_the_privacy_officer_reads_a_revoked_token_in_the_log(page, personas):
    token_for(personas["planner"], name="Telefooncentrale", scopes=["contacts:read"])
    page.set_viewport_size(LAPTOP)
    log_in(page, "admin")
    page.goto("/beheer/api/apitoken/")
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "revoke")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("1 token ingetrokken.")
    screenshot(page, "token-admin-revoked-1366")
    page.context.clear_cookies()  # signed out: the admin has its own header

    log_in(page, "privacy")
    page.goto("/audit/?action=revoke")
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("Intrekken")
    planner = personas["planner"]
    named = (
        f"{planner.get_full_name()} ({planner.username})"
        if planner.get_full_name()
        else planner.username
    )
    expect(row).to_contain_text(f"Medewerker: {named}")
    expect(row).to_contain_text("API-scope contacts:read")
    expect(row).to_contain_text("Tokennaam: telefooncentrale")
    screenshot(page, "audit-log-token-revoked-1366", fold=True)
