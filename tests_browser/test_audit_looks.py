"""One look at a list of clients is one row in the audit log, at 1366x768: a number
two clients share looked up on the workplace, and the journey queues with four
clients, each found once, naming every client shown, also under one client's filter."""

import pytest
from playwright.sync_api import expect

from halte.audit.context import Actor
from halte.clients.tests.factories import ClientFactory, PhoneFactory
from halte.journey import services
from halte.journey.tests.factories import product
from tests_browser.helpers import LAPTOP, box, log_in, log_out, right, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHARED = "+31687654321"  # client_noord's daughter's number


@pytest.fixture
def sharing(teams, client_noord):
    """A second client with the number of client_noord's daughter."""
    other = ClientFactory(team=teams["noord"], given_names="Gerrit", family_name="Veldkamp")
    PhoneFactory(client=other, e164=SHARED)
    return other


@pytest.fixture
def queued(personas, teams):
    """Four clients of team Noord with a referral nobody owns yet."""
    clients = [ClientFactory(team=teams["noord"]) for _ in range(4)]
    for client_obj in clients:
        services.referral_register(
            actor=Actor(personas["front_office"]),
            client=client_obj,
            source="gp",
            product=product(),
        )
    return clients


def test_each_look_at_a_list_is_one_row_naming_every_client(page, client_noord, sharing, queued):
    page.set_viewport_size(LAPTOP)
    log_in(page, "kcc")  # starts at the workplace
    expect(page).to_have_url("/werkplek/")
    page.fill("#id_number", "06 87 65 43 21")
    page.get_by_role("button", name="Opzoeken").click()
    results = page.locator("#lookup-results")
    expect(results).to_contain_text("Veldkamp")
    expect(results).to_contain_text("van den Berg")
    log_out(page)

    log_in(page, "planner")  # starts at the journey queues: one look
    expect(page).to_have_url("/traject/")
    for client_obj in queued:
        expect(page.locator("main")).to_contain_text(client_obj.family_name)
    log_out(page)

    log_in(page, "privacy")
    page.goto("/audit/")
    main, table = page.locator("main"), page.locator("table.audit")
    rows = table.locator("tbody tr")
    lookup = rows.filter(has_text="Beller herkend aan telefoonnummer").filter(has_text="kcc")
    expect(lookup).to_have_count(1)
    for client_obj in (client_noord, sharing):
        expect(lookup).to_contain_text(str(client_obj.client_number))
    # More than three clients fold into a count that opens to their numbers.
    queues = rows.filter(has_text="planner").filter(has_text="4 cliënten")
    expect(queues).to_have_count(1)
    queues.locator("summary").click()
    for client_obj in queued:
        expect(queues).to_contain_text(str(client_obj.client_number))
    screenshot(page, "audit-looks-1366")
    # The opened list of numbers stays in its cell: the table does not overflow main,
    # and the numbers stand one per line in the client column.
    assert right(table) <= right(main) + 1
    cell = queues.locator("td.client-numbers")
    first_row = box(rows.first)
    assert box(cell)["height"] > 3 * 16  # four numbers, a line each
    assert box(cell)["width"] < 0.3 * first_row["width"]

    # Under one of the four, the look at the queues is found once.
    page.fill("#id_client_number", str(queued[2].client_number))
    page.get_by_role("button", name="Filteren").click()
    expect(rows.filter(has_text="4 cliënten")).to_have_count(1)
    expect(rows.filter(has_text="Beller herkend aan telefoonnummer")).to_have_count(0)
    screenshot(page, "audit-looks-client-1366")
