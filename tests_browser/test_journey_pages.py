"""The journey pages of the demo as a care office sees them, at 1366x768 and on a
phone: the queues fold with their counts and use the width, Kees Bakker's page has a
journey bar per care question and a header that names both, and the waiting lists
open on their overview."""

import re

import pytest
from playwright.sync_api import expect

from halte.clients.models import Client
from halte.demo.seed import DEMO_PASSWORD
from tests_browser.helpers import LAPTOP, PHONE, bottom, box, line_count, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_clients():
    """The size `make demo` loads: the page heights the issue measured."""
    return 2000


def test_the_queues_fold_with_counts_and_use_the_width(page, demo):
    page.set_viewport_size(LAPTOP)
    log_in(page, "planner", DEMO_PASSWORD)
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
    assert bottom(first_row) <= LAPTOP["height"]
    # The referral queues are open, the waiting clients and care starting folded.
    for name in ("unowned", "over_norm", "intakes"):
        expect(page.locator(f"#{name} > details")).to_have_attribute("open", "")
    for name in ("waiting", "starting"):
        expect(page.locator(f"#{name} > details")).not_to_have_attribute("open", "")
    # Janus van 't Riet is listed by the name the README's tour uses too.
    expect(page.locator("#unowned")).to_contain_text("Adrianus (Janus) van 't Riet")
    # A folded queue is one line: its summary (the page's length otherwise depends on
    # the demo's referrals past their norm, which grow with the time of day).
    folded = {name: box(page.locator(f"#{name}"))["height"] for name in ("waiting", "starting")}
    screenshot(page, "queues-1366", fold=True)

    for name in ("waiting", "starting"):
        page.locator(f"#{name} summary").click()
        expect(page.locator(f"#{name} tbody tr").first).to_be_visible()
        assert folded[name] < 100 < box(page.locator(f"#{name}"))["height"], folded
    # Tables use the width of the page.
    for table in page.locator("section.queue table").all():
        assert box(table)["width"] > 0.9 * (LAPTOP["width"] - 60)
    # Team names, care, stages and dates stay on one line.
    nowrap = page.locator("td.nowrap, td span.nowrap").all()
    assert len(nowrap) > 100
    for cell in nowrap:
        assert line_count(cell) == 1, cell.inner_text()
    # A referral in several queues is shown in full once; elsewhere a short reference.
    elsewhere = page.locator("tr.elsewhere")
    expect(elsewhere.first).to_be_visible()
    for row in elsewhere.all():
        expect(row.locator("td")).to_have_count(3)
        expect(row.locator("a[href^='#']")).to_be_visible()
        assert line_count(row.locator("td").nth(2)) == 1
    screenshot(page, "queues-1366-all-open", fold=True)

    # Folding a queue makes its rows go away and its count stays.
    page.locator("#unowned summary").click()
    expect(first_row).to_be_hidden()
    expect(page.locator("#unowned summary .count")).to_be_visible()


def test_the_queues_fit_a_phone(page, demo):
    page.set_viewport_size(PHONE)
    log_in(page, "planner", DEMO_PASSWORD)
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
    assert box(client_cell)["width"] > 0.7 * PHONE["width"]
    screenshot(page, "queues-390", fold=True)


def test_kees_has_a_journey_bar_per_care_question(page, demo):
    kees = Client.objects.get(preferred_name="Kees", family_name="Bakker")
    page.set_viewport_size(LAPTOP)
    log_in(page, "planner", DEMO_PASSWORD)
    expect(page).to_have_url("/traject/")
    page.goto(f"/clienten/{kees.pk}/")
    status = page.locator(".card-header .journey-status")
    expect(status).to_have_text("In zorg: Wijkverpleging · Wacht op: Dagbesteding")
    assert box(status)["y"] < LAPTOP["height"]
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
    screenshot(page, "kees-client-page-1366", fold=True)

    page.goto(f"/werkplek/clienten/{kees.pk}/")
    expect(page.locator(".card-header .journey-status")).to_have_text(
        "In zorg: Wijkverpleging · Wacht op: Dagbesteding"
    )
    expect(page.locator("p.stage-line")).to_have_count(2)
    screenshot(page, "kees-card-1366", fold=True)


def test_the_waiting_lists_open_on_the_overview(page, demo):
    page.set_viewport_size(LAPTOP)
    log_in(page, "planner", DEMO_PASSWORD)
    expect(page).to_have_url("/traject/")
    page.click("a.button[href='/traject/wachtlijst/']")
    expect(page.locator("h1")).to_have_text("Wachtlijsten")
    rows = page.locator("table.waiting-overview tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 6
    table = box(page.locator("table.waiting-overview"))
    assert table["width"] > 0.8 * (box(page.locator("main"))["width"] - 40)
    assert box(rows.first)["y"] < LAPTOP["height"]
    for cell in page.locator("table.waiting-overview td.nowrap").all():
        assert line_count(cell) == 1, cell.inner_text()
    screenshot(page, "waiting-overview-1366", fold=True)

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
        assert line_count(cell) == 1, cell.inner_text()
    screenshot(page, "waiting-list-1366", fold=True)
