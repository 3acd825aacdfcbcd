"""Adding a client who may already be one: the warning above the fold, with a link to
the existing client, and going on all the same."""

import datetime

import pytest
from playwright.sync_api import expect

from halte.clients.models import Client
from halte.clients.tests.factories import ClientFactory, PhoneFactory
from tests_browser.helpers import LAPTOP, PHONE, assert_inside_fold, box, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def riek(teams):
    client = ClientFactory(
        team=teams["noord"],
        given_names="Hendrika",
        preferred_name="Riek",
        family_name="Janssen",
        date_of_birth=datetime.date(1941, 3, 12),
        street="Lange Gracht",
        house_number=12,
        house_number_suffix="a",
        postcode="3811AB",
        city="Amersfoort",
    )
    PhoneFactory(client=client, e164="+31611122233")
    return client


def _add_hendrica(page):
    page.goto("/clienten/nieuw/")
    page.fill("#id_given_names", "Hendrica")
    page.fill("#id_family_name", "Jansen")
    page.fill("#id_date_of_birth", "12-03-1941")
    page.fill("#id_phone_1", "06-11122233")
    page.click("#client-form .actions button[type=submit]")


def test_it_warns_above_the_fold_and_goes_on_when_asked(page, personas, riek):
    page.set_viewport_size(LAPTOP)
    log_in(page, "kcc")
    expect(page).to_have_url("/werkplek/")

    _add_hendrica(page)

    warning = page.locator(".duplicate-warning")
    expect(warning).to_contain_text("deze persoon is misschien al cliënt")
    candidate = warning.locator(f"a[href='/clienten/{riek.pk}/']")
    expect(candidate).to_have_text("Hendrika Janssen")
    expect(warning.locator("tbody tr")).to_contain_text("12-03-1941")
    expect(warning.locator("tbody tr")).to_contain_text("Lange Gracht 12a, 3811 AB Amersfoort")
    expect(warning.locator("tbody tr")).to_contain_text(
        "dezelfde geboortedatum, hetzelfde telefoonnummer"
    )
    # The whole warning, and the way to the existing client, are seen without scrolling.
    assert_inside_fold(warning, LAPTOP["height"])
    screenshot(page, "duplicates-warning-1366", fold=True)
    # What was typed stays, so going on needs no retyping.
    expect(page.locator("#id_given_names")).to_have_value("Hendrica")
    assert Client.objects.count() == 1

    page.click("#create-anyway")

    expect(page.locator("h1")).to_contain_text("Hendrica Jansen")
    assert Client.objects.count() == 2


def test_it_leads_to_the_existing_client(page, personas, riek):
    page.set_viewport_size(LAPTOP)
    log_in(page, "kcc")
    _add_hendrica(page)

    page.locator(".duplicate-warning").get_by_role("link", name="Hendrika Janssen").click()

    expect(page).to_have_url(f"/clienten/{riek.pk}/")
    expect(page.locator("h1")).to_contain_text("Hendrika Janssen")
    assert Client.objects.count() == 1


def test_it_fits_the_warning_on_a_phone(page, personas, riek):
    page.set_viewport_size(PHONE)
    log_in(page, "kcc")
    _add_hendrica(page)

    warning = page.locator(".duplicate-warning")
    expect(warning).to_be_visible()
    screenshot(page, "duplicates-warning-390", fold=True)
    # Nothing to scroll sideways: each candidate is a block of labelled lines.
    for part in (warning, warning.locator("table"), warning.locator("tbody tr")):
        found = box(part)
        assert found["x"] >= 0
        assert found["x"] + found["width"] <= PHONE["width"], found
    expect(warning.locator("tbody td").nth(1)).to_have_text("12-03-1941")
    birth = box(warning.locator("tbody td").nth(1))
    team = box(warning.locator("tbody td").nth(3))
    assert team["y"] > birth["y"]  # stacked, not side by side
    link = warning.get_by_role("link", name="Hendrika Janssen")
    assert_inside_fold(link, PHONE["height"])
