"""An announcement in a real browser: written, checked, sent, and its progress bar
filling through htmx while a worker composes and sends, then standing still."""

import pytest
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from halte.clients.models import ContactChannel
from halte.clients.tests.factories import ClientFactory
from halte.outreach.models import Message, MessageStatus
from tests_browser.helpers import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def drain_tasks() -> int:
    """Run what waits in the database queue, as `manage.py db_worker` would."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="browser-test",
        excluded_queue_names=[],
    )
    ran = 0
    while (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran


def test_an_announcement_is_checked_sent_and_its_progress_shown(page, personas, teams):
    for n in range(2):
        ClientFactory(
            team=teams["noord"],
            announcements=True,
            contact_channel=ContactChannel.EMAIL,
            email=f"client{n}@example.nl",
        )
    ClientFactory(team=teams["zuid"], announcements=True, email="zuid@example.nl")
    log_in(page, "planner")
    page.goto("/berichten/")
    page.click("main a[href='/berichten/mededelingen/']")
    page.click("text=Nieuwe mededeling")
    page.fill("#id_title", "Wegwerkzaamheden Stationsweg")
    page.fill("#id_nl_subject", "Wegwerkzaamheden")
    page.fill("#id_nl_body", "Beste {{ name }}, de verpleegkundige komt misschien later.")
    page.check("label:has-text('Wijkteam Noord') >> xpath=preceding-sibling::input")
    screenshot(page, "announcement-form")
    page.click("main form button[type=submit]")

    expect(page.locator("h1")).to_contain_text("Controleren voor verzenden")
    expect(page.locator("main")).to_contain_text("2 ontvangers")
    expect(page.locator(".message-preview")).to_contain_text("de verpleegkundige komt")
    screenshot(page, "announcement-preview")
    page.check("#id_confirmed")
    page.click("text=Versturen naar 2 ontvangers")

    progress = page.locator("#announcement-progress")
    expect(progress).to_have_attribute("hx-trigger", "every 2s")
    assert drain_tasks() == 1 + 2  # composing, then each message's send
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    # The bar refreshes by itself and stops once everything left.
    expect(progress).to_contain_text("Verstuurd: 2.", timeout=8_000)
    expect(progress.locator("progress")).to_have_attribute("value", "2")
    expect(progress).not_to_have_attribute("hx-trigger", "every 2s")
    page.reload()
    expect(page.locator("main table tbody tr")).to_have_count(2)
    expect(page.locator("main table")).to_contain_text("Verstuurd")
    screenshot(page, "announcement-status")
