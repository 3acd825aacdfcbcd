"""The journey pages of the demo as a care office sees them, at 1366x768 and on a
phone: the queues fold with their counts and use the width, Kees Bakker's page has a
journey bar per care question and a header that names both, and the waiting lists
open on their overview. Screenshots go to /tmp/shots/journey/."""

import importlib
import io
import os
import re
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from halte.clients.demo.seed import DEMO_PASSWORD
from halte.clients.models import Client
from halte.journey.tests.factories import product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots to look at: /tmp/shots/journey/ unless HALTE_SHOTS says elsewhere.
SHOTS = Path(os.environ.get("HALTE_SHOTS", Path(tempfile.gettempdir()) / "shots")) / "i10-journey"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(db):
    # A transactional test before this one may have flushed the migration's care offer.
    offer = importlib.import_module("halte.journey.migrations.0002_default_care_offer")
    for code, *_ in offer.DEFAULT_OFFER:
        product(code)
    # The size `make demo` loads: the page heights the issue measured.
    call_command("seed_demo", "--clients", "2000", verbosity=0, stdout=io.StringIO())


def _log_in(page, username, viewport=DESKTOP):
    page.set_viewport_size(viewport)
    page.goto("/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
    page.screenshot(path=SHOTS / f"{name}-fold.png")  # what shows without scrolling


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None
    return box


def _lines(locator) -> int:
    """How many lines the element's text takes: its text's line boxes, those whose tops
    lie within half a line of each other counted as one (a flag sits a little lower)."""
    return locator.evaluate(
        """e => {
            const half = parseFloat(getComputedStyle(e).lineHeight) / 2;
            const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
            const tops = [];
            while (walker.nextNode()) {
                const range = document.createRange();
                range.selectNodeContents(walker.currentNode);
                for (const r of range.getClientRects()) if (r.width > 0) tops.push(r.top);
            }
            tops.sort((a, b) => a - b);
            return tops.filter((t, i) => i === 0 || t - tops[i - 1] > half).length;
        }"""
    )


def test_the_queues_fold_with_counts_and_use_the_width(page, demo):
    _log_in(page, "planner")
    expect(page).to_have_url("/traject/")
    expect(page.locator("h1")).to_have_text("Trajectplanning")
    expect(page.locator("nav a[href='/traject/']")).to_have_text("Trajectplanning")
    summaries = page.locator("section.queue > details > summary")
    expect(summaries).to_have_count(5)
    for index in range(5):
        expect(summaries.nth(index).locator(".count")).to_have_text(re.compile(r"^\d+$"))
    # The first queue and its first row are above the fold.
    first_row = page.locator("#unowned tbody tr").first
    expect(first_row).to_be_visible()
    assert _box(first_row)["y"] + _box(first_row)["height"] <= DESKTOP["height"]
    # The referral queues are open, the waiting clients and care starting folded.
    for name in ("unowned", "over_norm", "intakes"):
        expect(page.locator(f"#{name} > details")).to_have_attribute("open", "")
    for name in ("waiting", "starting"):
        expect(page.locator(f"#{name} > details")).not_to_have_attribute("open", "")
    # Janus van 't Riet is listed by the name the README's tour uses too.
    expect(page.locator("#unowned")).to_contain_text("Adrianus (Janus) van 't Riet")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 6100 / 2, height
    _shot(page, "queues-1366")

    for name in ("waiting", "starting"):
        page.locator(f"#{name} summary").click()
        expect(page.locator(f"#{name} tbody tr").first).to_be_visible()
    # Tables use the width of the page.
    for table in page.locator("section.queue table").all():
        assert _box(table)["width"] > 0.9 * (DESKTOP["width"] - 60)
    # Team names, care, stages and dates stay on one line.
    nowrap = page.locator("td.nowrap, td span.nowrap").all()
    assert len(nowrap) > 100
    for cell in nowrap:
        assert _lines(cell) == 1, cell.inner_text()
    # A referral in several queues is shown in full once; elsewhere a short reference.
    elsewhere = page.locator("tr.elsewhere")
    expect(elsewhere.first).to_be_visible()
    for row in elsewhere.all():
        expect(row.locator("td")).to_have_count(3)
        expect(row.locator("a[href^='#']")).to_be_visible()
        assert _lines(row.locator("td").nth(2)) == 1
    _shot(page, "queues-1366-all-open")

    # Folding a queue makes its rows go away and its count stays.
    page.locator("#unowned summary").click()
    expect(first_row).to_be_hidden()
    expect(page.locator("#unowned summary .count")).to_be_visible()


def test_the_queues_fit_a_phone(page, demo):
    _log_in(page, "planner", PHONE)
    expect(page).to_have_url("/traject/")
    expect(page.locator("#unowned tbody tr").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """w => [...document.querySelectorAll('main *')]
              .filter(e => e.getBoundingClientRect().right > w)
              .slice(0, 5).map(e => e.outerHTML.slice(0, 120))""",
        PHONE["width"],
    )
    assert width <= PHONE["width"], wide
    client_cell = page.locator("#unowned td.client").first
    assert _box(client_cell)["width"] > 0.7 * PHONE["width"]
    _shot(page, "queues-390")


def test_kees_has_a_journey_bar_per_care_question(page, demo):
    kees = Client.objects.get(preferred_name="Kees", family_name="Bakker")
    _log_in(page, "planner")
    expect(page).to_have_url("/traject/")
    page.goto(f"/clienten/{kees.pk}/")
    status = page.locator(".card-header .journey-status")
    expect(status).to_have_text("In zorg: Wijkverpleging · Wacht op: Dagbesteding")
    assert _box(status)["y"] < DESKTOP["height"]
    tracks = page.locator("#journey > article.track")
    expect(tracks).to_have_count(2)
    expect(tracks.nth(0).locator("> h3")).to_contain_text("Wijkverpleging")
    expect(tracks.nth(0).locator(".stop[data-stop='care']")).to_have_attribute(
        "aria-current", "step"
    )
    expect(tracks.nth(1).locator("> h3")).to_contain_text("Dagbesteding")
    expect(tracks.nth(1).locator(".stop[data-stop='waiting']")).to_have_attribute(
        "aria-current", "step"
    )
    expect(tracks.nth(1).locator(".position")).to_have_text("3")
    _shot(page, "kees-client-page-1366")

    page.goto(f"/werkplek/clienten/{kees.pk}/")
    expect(page.locator(".card-header .journey-status")).to_have_text(
        "In zorg: Wijkverpleging · Wacht op: Dagbesteding"
    )
    expect(page.locator("p.stage-line")).to_have_count(2)
    _shot(page, "kees-card-1366")


def test_the_waiting_lists_open_on_the_overview(page, demo):
    _log_in(page, "planner")
    expect(page).to_have_url("/traject/")
    page.click("a.button[href='/traject/wachtlijst/']")
    expect(page.locator("h1")).to_have_text("Wachtlijsten")
    rows = page.locator("table.waiting-overview tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 6
    table = _box(page.locator("table.waiting-overview"))
    assert table["width"] > 0.8 * (_box(page.locator("main"))["width"] - 40)
    assert _box(rows.first)["y"] < DESKTOP["height"]
    for cell in page.locator("table.waiting-overview td.nowrap").all():
        assert _lines(cell) == 1, cell.inner_text()
    _shot(page, "waiting-overview-1366")

    # Only a product: the overview narrows, nobody asks for a team.
    page.select_option("#id_product", label="Dagbesteding")
    page.click("form.filters button[type=submit]")
    expect(page.locator(".errorlist")).to_have_count(0)
    expect(rows.first).to_contain_text("Dagbesteding")
    for row in rows.all():
        expect(row).to_contain_text("Dagbesteding")

    # A row leads to its list.
    rows.first.locator("a").click()
    expect(page.locator("h1")).to_contain_text("Wachtlijst: Dagbesteding")
    expect(page.locator("table.waiting-list tbody tr").first).to_be_visible()
    for cell in page.locator("table.waiting-list td.nowrap").all():
        assert _lines(cell) == 1, cell.inner_text()
    _shot(page, "waiting-list-1366")
