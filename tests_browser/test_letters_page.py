"""The post room's morning in a real browser: "Brieven om te printen" in the menu,
yesterday's letters ready, downloaded as one PDF, marked as printed."""

import datetime

import pytest
from playwright.sync_api import expect

from halte.clients.tests.factories import ClientFactory
from halte.outreach.models import LetterBatch
from halte.outreach.tests.letter_helpers import letter, pdf_pages
from tests_browser.helpers import LAPTOP, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_front_office_downloads_and_marks_yesterdays_letters(page, personas, tmp_path):
    batch = LetterBatch.objects.create(
        day=datetime.date(2026, 11, 29),
        closed_at=datetime.datetime(2026, 11, 30, 6, 0, tzinfo=datetime.UTC),
    )
    for name, postcode in (("Zoë Çelik", "3817 VK"), ("Henk de Vries", "3811 AB")):
        address = f"Kruiskamp 1\n{postcode}  AMERSFOORT"
        letter(ClientFactory(), recipient_name=name, address=address, letter_batch=batch)
    LetterBatch.objects.create(day=datetime.date(2026, 11, 30))
    page.set_viewport_size(LAPTOP)
    log_in(page, "kcc")

    page.get_by_role("link", name="Brieven om te printen").click()
    expect(page.get_by_role("heading", name="Brieven om te printen")).to_be_visible()
    ready = page.locator("tbody tr").first
    expect(ready).to_contain_text("zondag 29 november 2026")
    expect(ready).to_contain_text("Klaar om te printen")
    expect(page.locator("tbody tr").nth(1)).to_contain_text("Wordt nog verzameld")
    screenshot(page, "letters-to-print")

    with page.expect_download() as download:
        ready.get_by_role("link", name="Pdf downloaden").click()
    assert download.value.suggested_filename == "brieven-2026-11-29.pdf"
    saved = tmp_path / "letters.pdf"
    download.value.save_as(saved)
    pages = pdf_pages(saved.read_bytes())
    assert len(pages) == 4  # double-sided: a blank back to each one-page letter
    assert "Henk de Vries" in pages[0] and "Zoë Çelik" in pages[2]

    ready.get_by_role("button", name="Als geprint markeren").click()
    expect(page.get_by_role("status")).to_contain_text(
        "De brieven van 29 november 2026 zijn gemarkeerd als geprint."
    )
    expect(page.locator("tbody tr").nth(1)).to_contain_text("Geprint op")
    screenshot(page, "letters-printed")
    batch.refresh_from_db()
    assert batch.printed_by == personas["front_office"]
