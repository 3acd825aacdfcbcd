"""What someone trying Halte meets first, in a real browser: every demo login the
seed prints opens its start page (the administrator's: the admin site), a client
outside one's scope is the Dutch 404 page also under DEBUG, and Halte has an icon."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from halte.clients.models import Client
from halte.core.roles import Role
from halte.demo.fixed import LOGINS
from halte.demo.seed import DEMO_PASSWORD, DEMO_TOTP_LOGIN
from tests_browser.helpers import LAPTOP, PHONE, bottom, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _demo_code(username) -> str:
    out = io.StringIO()
    call_command("demo_totp_code", username, stdout=out)
    return out.getvalue().strip()


def test_it_opens_the_start_page_of_every_demo_login(page, demo):
    page.set_viewport_size(LAPTOP)
    for role, username, *_ in LOGINS:
        log_in(page, username, DEMO_PASSWORD)
        if username == DEMO_TOTP_LOGIN:  # the demo's one login with a second factor
            page.fill("#id_code", _demo_code(username))
            page.click("main form button[type=submit]")
        expect(page.locator("main h1").first).to_be_visible()
        assert "/login/" not in page.url, username
        if role == Role.ADMINISTRATOR:
            page.click("main a[href='/beheer/']")
            expect(page).to_have_url("/beheer/")
            expect(page.locator("#site-name")).to_be_visible()
            expect(page.locator("a[href='/beheer/core/user/']").first).to_be_visible()
            screenshot(page, "beheer-admin-1366")
        page.context.clear_cookies()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_it_shows_the_dutch_404_page_for_a_client_out_of_scope(page, demo, settings, viewport):
    settings.DEBUG = True  # as under `make demo`
    page.set_viewport_size(viewport)
    other_team = Client.objects.exclude(team__name="Wijkteam Amersfoort-Zuid").exclude(team=None)
    log_in(page, "wijkverpleegkundige", DEMO_PASSWORD)
    response = page.goto(f"/clienten/{other_team.first().pk}/")
    assert response.status == 404
    heading = page.locator("main h1")
    expect(heading).to_have_text("Niet gevonden")
    expect(page.locator("main a[href='/']")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Page not found")
    assert bottom(heading) < viewport["height"]
    screenshot(page, f"404-out-of-scope-{viewport['width']}")


def test_it_has_an_icon_where_browsers_look(page, demo):
    page.goto("/login/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    svg = page.request.get(href)
    assert svg.ok and svg.headers["content-type"].startswith("image/svg+xml")
    ico = page.request.get("/favicon.ico")
    assert ico.ok and ico.body()[:4] == b"\x00\x00\x01\x00"
