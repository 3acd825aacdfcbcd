"""The workplace in a real browser, on a laptop (1366x768) and a phone (390x844): the
call, the lookup and the calls still to write up above the fold side by side, the
promise tables at full width, phone numbers and team names on one line; putting a
missed call aside from the list."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from halte.clients.tests.factories import ClientFactory, PhoneFactory, RelationFactory
from halte.contact.services import call_event_register
from halte.contact.tests.pages import make_promise
from halte.core.models import Team
from tests_browser.helpers import LAPTOP, PHONE, bottom, box, line_counts, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_the_workplace(page, viewport):
    """The team lead's workplace at `viewport`."""
    page.set_viewport_size(viewport)
    log_in(page, "lead_noord")
    page.goto("/werkplek/")


def _call(call_id, caller, *events, extension="202"):
    for event in events:
        call_event_register(
            call_id=call_id,
            event=event,
            caller=caller,
            agent_extension=extension,
            at=timezone.now(),
        )


@pytest.fixture
def busy_workplace(personas, teams, client_noord):
    """A team lead with a ringing call, calls to write up and a day's promises."""
    lead = personas["team_lead"]
    lead.phone_extension = "202"
    lead.save()
    Team.objects.filter(pk=teams["noord"].pk).update(name="Wijkverpleging Amersfoort-Noord")
    for i in range(4):
        person = ClientFactory(
            team=teams["noord"], given_names="Johanna", family_name=f"Bakker-{i}"
        )
        PhoneFactory(client=person, e164=f"+3133461230{i}")
        carer = RelationFactory(client=person, name=f"Willem van der Heijden-{i}", kind="partner")
        PhoneFactory(client=person, relation=carer, e164=f"+3165432100{i}")
        make_promise(
            person,
            lead,
            due_in=datetime.timedelta(hours=i - 1),
            owner_user=lead,
            text="Terugbellen over de planning van de avondzorg en de sleutelkluis",
        )
        make_promise(
            person,
            lead,
            due_in=datetime.timedelta(hours=i + 2),
            owner_team=teams["noord"],
            text="Informatie over dagbesteding sturen",
        )
        _call(f"missed-{i}", f"06 5432100{i}", "ringing", "ended")
    _call("answered", "033 461 23 01", "ringing", "answered", "ended")
    _call("withheld", "anonymous", "ringing", "answered", "ended")
    _call("now", "06-87654321", "ringing")  # Marieke de Vries, for Hendrika van den Berg
    return lead


def test_it_lays_the_workplace_out_over_a_laptops_width(page, busy_workplace):
    _open_the_workplace(page, LAPTOP)
    expect(page.locator("#call-pop")).to_contain_text("Marieke de Vries")
    screenshot(page, "workplace-1366", fold=True)

    call, lookup, unwritten = (
        box(page.locator(".call-region").first),
        box(page.locator(".lookup-region").first),
        box(page.locator(".unwritten-region").first),
    )
    # The call above the lookup on the left, the calls to write up beside them; the
    # call, the lookup and the first calls to write up above the fold.
    assert call["y"] + call["height"] <= lookup["y"]
    assert max(call["x"] + call["width"], lookup["x"] + lookup["width"]) <= unwritten["x"]
    assert unwritten["y"] < 300
    assert lookup["y"] + lookup["height"] < LAPTOP["height"]
    first_rows = page.locator("table.unwritten tbody tr").all()[:3]
    assert all(bottom(row) < LAPTOP["height"] for row in first_rows)
    # The page uses the width: main spans most of the window, the tables all of main.
    main = box(page.locator("main").first)
    assert main["width"] > 0.9 * LAPTOP["width"] - 40
    for table in page.locator("table.promises").all():
        assert box(table)["width"] > 0.95 * main["width"] - 40
    # Numbers, names and team names on one line.
    assert set(line_counts(page.locator(".workplace .phone"))) == {1}
    assert set(line_counts(page.locator("td.owner"))) == {1}
    assert set(line_counts(page.locator("td.who"))) == {1}
    # The client's name as large as the rest of its row (the header's .who is smaller).
    row = page.locator("table.promises tbody tr").first
    size = "e => getComputedStyle(e).fontSize"
    assert row.locator("td.who").evaluate(size) == row.locator("td").nth(2).evaluate(size)
    # "Gemist" beside the time, not under it.
    when = page.locator("table.unwritten tr.missed td.when").first
    time_box, flag_box = box(when.locator("time")), box(when.locator(".flag"))
    assert flag_box["x"] > time_box["x"] + time_box["width"]
    assert abs(flag_box["y"] + flag_box["height"] / 2 - time_box["y"] - time_box["height"] / 2) < 4


def test_it_fits_the_workplace_on_a_phone(page, busy_workplace):
    _open_the_workplace(page, PHONE)
    expect(page.locator("#call-pop")).to_contain_text("Marieke de Vries")
    screenshot(page, "workplace-390")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert set(line_counts(page.locator(".workplace .phone"))) == {1}
    # Stacked: the call first, then the lookup, then the calls to write up.
    call, lookup, unwritten = (
        box(page.locator(".call-region").first),
        box(page.locator(".lookup-region").first),
        box(page.locator(".unwritten-region").first),
    )
    assert call["y"] < lookup["y"] < unwritten["y"]
    assert call["y"] < PHONE["height"]


def test_it_puts_a_missed_call_aside_from_the_list(page, busy_workplace):
    _open_the_workplace(page, LAPTOP)
    rows = page.locator("table.unwritten tbody tr")
    expect(rows).to_have_count(6)
    missed = rows.filter(has_text="06 54 32 10 03")
    expect(missed).to_contain_text("Gemist")

    missed.get_by_role("button", name="Terzijde leggen").click()

    expect(page.locator(".messages")).to_contain_text("terzijde gelegd")
    expect(rows).to_have_count(5)
    expect(page.locator("table.unwritten")).not_to_contain_text("06 54 32 10 03")
    answered = rows.filter(has_text="033 461 23 01")
    expect(answered.get_by_role("button", name="Terzijde leggen")).to_have_count(0)
    answered.get_by_role("link", name="Vastleggen").click()
    expect(page.locator("main form[action*='/afronden/']")).to_be_visible()
    screenshot(page, "write-up-from-the-list")


def test_it_writes_up_a_call_without_a_client_on_its_own_page(page, busy_workplace):
    _open_the_workplace(page, LAPTOP)
    row = page.locator("table.unwritten tbody tr", has_text="nummer afgeschermd")
    row.get_by_role("link", name="Vastleggen").click()
    expect(page.locator("h1")).to_have_text("Dit gesprek vastleggen")
    screenshot(page, "write-up-without-client")

    page.fill("#id_topic", "Vraag over de eigen bijdrage")
    page.select_option("#id_outcome", value="resolved")
    page.click("main form button[type=submit]")

    expect(page.locator(".messages")).to_contain_text("vastgelegd")
    expect(page.locator("table.unwritten tbody tr")).to_have_count(5)
    expect(page.locator("table.unwritten")).not_to_contain_text("nummer afgeschermd")
