"""What someone trying Halte meets first, in a real browser: every demo login the
seed prints opens its start page (the administrator's: the admin site), a client
outside one's scope is the Dutch 404 page also under DEBUG, and Halte has an icon."""

import importlib
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from halte.clients.demo.fixed import LOGINS
from halte.clients.demo.seed import DEMO_PASSWORD
from halte.clients.models import Client
from halte.core.roles import Role
from halte.journey.tests.factories import product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/demo")  # noqa: S108 - screenshots for people to look at
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(transactional_db):
    # A transactional test before this one may have flushed the default care offer.
    offer = importlib.import_module("halte.journey.migrations.0002_default_care_offer")
    for code, *_ in offer.DEFAULT_OFFER:
        product(code)
    call_command("seed_demo", "--clients", "20", verbosity=0, stdout=io.StringIO())


def _log_in(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_it_opens_the_start_page_of_every_demo_login(page, demo):
    page.set_viewport_size(DESKTOP)
    for role, username, *_ in LOGINS:
        _log_in(page, username)
        expect(page.locator("main h1").first).to_be_visible()
        assert "/login/" not in page.url, username
        if role == Role.ADMINISTRATOR:
            page.click("main a[href='/beheer/']")
            expect(page).to_have_url("/beheer/")
            expect(page.locator("#site-name")).to_be_visible()
            expect(page.locator("a[href='/beheer/core/user/']").first).to_be_visible()
            _shot(page, "beheer-admin-1366")
        page.context.clear_cookies()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_it_shows_the_dutch_404_page_for_a_client_out_of_scope(page, demo, settings, viewport):
    settings.DEBUG = True  # as under `make demo`
    page.set_viewport_size(viewport)
    other_team = Client.objects.exclude(team__name="Wijkteam Amersfoort-Zuid").exclude(team=None)
    _log_in(page, "wijkverpleegkundige")
    response = page.goto(f"/clienten/{other_team.first().pk}/")
    assert response.status == 404
    heading = page.locator("main h1")
    expect(heading).to_have_text("Niet gevonden")
    expect(page.locator("main a[href='/']")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Page not found")
    box = heading.bounding_box()
    assert box["y"] + box["height"] < viewport["height"]
    _shot(page, f"404-out-of-scope-{viewport['width']}")


def test_it_has_an_icon_where_browsers_look(page, demo):
    page.goto("/login/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    svg = page.request.get(href)
    assert svg.ok and svg.headers["content-type"].startswith("image/svg+xml")
    ico = page.request.get("/favicon.ico")
    assert ico.ok and ico.body()[:4] == b"\x00\x00\x01\x00"
