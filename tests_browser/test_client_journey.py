"""The main path through the pages in a real browser: log in, find a client by a
misspelled name (live htmx results), edit, and the privacy officer sees the edit."""

import pytest
from playwright.sync_api import expect

from halte.clients.models import Client
from halte.core import bsn as bsn_codec
from tests_browser.helpers import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BSN = "111222333"


def test_it_finds_a_client_by_a_misspelled_name_as_you_type(page, personas, client_noord):
    log_in(page, "kcc")
    expect(page).to_have_url("/werkplek/")
    page.click("nav a[href='/clienten/']")
    page.locator("#q").press_sequentially("Hendirka", delay=20)
    result = page.locator("#search-results a", has_text="Hendrika van den Berg")
    expect(result).to_be_visible()
    expect(page).to_have_url("/clienten/?q=Hendirka")  # pushed, so back and reload work
    result.click()
    expect(page.locator("h1")).to_have_text("Hendrika van den Berg")


def test_it_edits_a_client_and_the_privacy_officer_sees_it_logged(page, personas, client_noord):
    Client.objects.filter(pk=client_noord.pk).update(
        bsn_encrypted=bsn_codec.encrypt(BSN), bsn_hash=bsn_codec.lookup_hash(BSN)
    )
    log_in(page, "nurse_noord")
    page.goto(f"/clienten/?q={client_noord.client_number}")
    page.click("#search-results a")

    page.click("#bsn button")  # htmx POST, swapped into the card
    expect(page.locator("#bsn")).to_contain_text(BSN)

    page.click(f"a[href='/clienten/{client_noord.pk}/wijzigen/']")
    page.fill("#id_given_names", "Riek")
    page.fill("#id_phone_2", "033 712 21 60")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Riek van den Berg")
    expect(page.locator("main")).to_contain_text("033 712 21 60")

    log_out(page)
    log_in(page, "privacy")
    expect(page).to_have_url("/audit/")
    # The parts of the record in Dutch, not as codes (given_names,phones).
    row = page.locator("tbody tr", has_text="Voornamen, Telefoonnummers")
    expect(row).to_contain_text("nurse_noord")
    expect(row).to_contain_text("Wijzigen")
    expect(row).to_contain_text(str(client_noord.client_number))
    expect(page.locator("tbody tr", has_text="BSN")).to_contain_text("nurse_noord")
