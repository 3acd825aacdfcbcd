"""The notices of promises nearly due or overdue on the workplace, in a real browser:
"Gelezen" takes one away without reloading the page (htmx), "Alles gelezen" the rest,
and they stay read."""

import datetime

import pytest
from playwright.sync_api import expect

from halte.clients.tests.factories import ClientFactory
from halte.contact.tests.pages import make_promise
from halte.outreach.models import NotificationKind, StaffNotification
from tests_browser.helpers import LAPTOP, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def notices(personas, teams, client_noord):
    nurse = personas["nurse_noord"]
    other = ClientFactory(team=teams["noord"], given_names="Johanna", family_name="Bakker")
    made = []
    for person, kind in [
        (client_noord, NotificationKind.PROMISE_NEARLY_DUE),
        (other, NotificationKind.PROMISE_OVERDUE),
        (other, NotificationKind.PROMISE_NEARLY_DUE),
    ]:
        promise = make_promise(
            person, nurse, due_in=datetime.timedelta(minutes=45), owner_user=nurse
        )
        made.append(
            StaffNotification.objects.create(
                user=nurse, kind=kind, client=person, commitment=promise
            )
        )
    return made


def test_the_nurse_reads_her_notices_on_the_workplace(page, notices):
    page.set_viewport_size(LAPTOP)
    log_in(page, "nurse_noord")
    page.goto("/werkplek/")
    items = page.locator("li.notification")
    expect(items).to_have_count(3)
    expect(page.locator("#notices")).to_contain_text("Hendrika van den Berg")
    screenshot(page, "workplace-notices", fold=True)

    first = page.locator(f"#notification-{notices[0].pk}")
    page.evaluate("window.notReloaded = true")
    first.get_by_role("button", name="Gelezen").click()
    expect(first).to_have_count(0)
    expect(items).to_have_count(2)
    assert page.evaluate("window.notReloaded") is True

    page.reload()
    expect(items).to_have_count(2)
    page.get_by_role("button", name="Alles gelezen").click()
    expect(page.locator("#notices")).to_have_count(0)
    page.reload()
    expect(page.locator("#notices")).to_have_count(0)
    assert StaffNotification.objects.filter(read_at__isnull=True).count() == 0
