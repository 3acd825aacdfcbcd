"""The README's tour in a real browser: typing "vd riet" puts Janus van 't Riet first,
above the clients whose roepnaam is Riet, in the first screen of results."""

import pytest
from playwright.sync_api import expect

from halte.clients.tests.factories import ClientFactory
from tests_browser.helpers import LAPTOP, PHONE, bottom, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def riet(teams):
    for family in ["Neuteboom", "Walter", "Briere", "Hagendoorn", "Kamper", "Palman"]:
        ClientFactory(
            team=teams["noord"], given_names="Catharina", preferred_name="Riet", family_name=family
        )
    ClientFactory(team=teams["noord"], given_names="Piet", family_name="Rietveld")
    return ClientFactory(
        team=teams["zuid"],
        given_names="Adrianus",
        preferred_name="Janus",
        name_prefix="van 't",
        family_name="Riet",
    )


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_it_puts_janus_van_t_riet_first_for_vd_riet(page, personas, riet, viewport):
    width, height = viewport["width"], viewport["height"]
    page.set_viewport_size(viewport)
    log_in(page, "kcc")
    page.goto("/clienten/")
    page.locator("#q").press_sequentially("vd riet", delay=20)

    rows = page.locator("#search-results tbody tr")
    expect(rows).to_have_count(8)
    expect(rows.nth(0).locator("a")).to_have_text("Adrianus van 't Riet")
    expect(rows.nth(1).locator("a")).to_have_text("Piet Rietveld")
    expect(page).to_have_url("/clienten/?q=vd%20riet")  # pushed: back and reload work
    assert bottom(rows.nth(0).locator("a")) <= height  # no scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nor sideways
    screenshot(page, f"search-vd-riet-{width}x{height}")
