"""The privacy officer's audit log in a real browser at 1366x768: Dutch labels, staff's
full names, the filters (through htmx), a bad date, and the one entry a look at the
escalation list writes, found under each client it names."""

import datetime

import pytest
from playwright.sync_api import expect

from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.audit.services import audit_record
from halte.clients.tests.factories import ClientFactory
from halte.contact.tests.pages import make_promise
from halte.core import staff
from halte.core.roles import Role
from tests_browser.helpers import (
    LAPTOP,
    PHONE,
    bottom,
    box,
    line_count,
    log_in,
    log_out,
    right,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staged(personas, teams):
    """Three clients with overdue promises for team Noord, and some history."""
    names = {"team_lead": ("Greet", "Hoogland"), "nurse_noord": ("Mia", "Dekker")}
    for persona, (first, last) in names.items():
        user = personas[persona]
        user.first_name, user.last_name = first, last
        user.save()
    lead = personas["team_lead"]
    clients = [ClientFactory(team=teams["noord"]) for _ in range(3)]
    for client_obj in clients:
        make_promise(client_obj, lead, due_in=datetime.timedelta(hours=-2), owner_user=lead)
    nurse = Actor(personas["nurse_noord"], source_ip="192.0.2.7")
    audit_record(nurse, action=Action.READ, part="card", client_id=clients[0].pk)
    audit_record(nurse, action=Action.UPDATE, part="family_name,phones", client_id=clients[0].pk)
    audit_record(
        Actor(personas["nurse_zuid"]),
        action=Action.READ,
        part="care_notes",
        client_id=clients[1].pk,
        outcome=Outcome.DENIED,
    )
    audit_record(Actor.system("telephone system"), action=Action.READ, part="caller_recognition")
    return clients


def test_the_privacy_officer_reads_and_filters_the_log_in_dutch(page, staged):
    page.set_viewport_size(LAPTOP)
    # A team lead looks at the escalation list once.
    log_in(page, "lead_noord")
    page.goto("/werkplek/escalaties/")
    expect(page.locator("main")).to_contain_text(str(staged[2].family_name))
    log_out(page)

    log_in(page, "privacy")
    page.goto("/audit/")
    main, table = page.locator("main"), page.locator("table.audit")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    look = rows.filter(has_text="Greet Hoogland").filter(has_text="Toezeggingen")
    expect(look).to_have_count(1)
    expect(look).to_contain_text("lead_noord")
    expect(look).to_contain_text("Teamleider")
    expect(look).to_contain_text("Inzien")
    for client_obj in staged:
        expect(look).to_contain_text(str(client_obj.client_number))
    expect(rows.filter(has_text="Achternaam, Telefoonnummers")).to_contain_text("Wijzigen")
    expect(rows.filter(has_text="Zorgnotities")).to_contain_text("Geweigerd")
    expect(rows.filter(has_text="Beller herkend aan telefoonnummer")).to_contain_text("Systeem")
    for raw in ("team_lead", "care_professional", "caller_recognition", "promises", "denied"):
        expect(table).not_to_contain_text(raw)

    screenshot(page, "audit-log-1366")
    # Laid out for the screen: the filters and the first rows above the fold, the
    # table using the width without overflowing it, and each moment on one line.
    button, person = (
        box(page.get_by_role("button", name="Filteren")),
        box(page.locator("#id_person")),
    )
    assert button["y"] < person["y"] + person["height"]  # on the row of the filters
    assert bottom(rows.first) < LAPTOP["height"]
    assert box(table)["width"] > 0.8 * box(main)["width"]
    assert right(table) <= right(main) + 1
    moment = rows.first.locator("time")
    assert line_count(moment) == 1

    # Filter on one client: the look at the escalation list is found under it.
    page.fill("#id_client_number", str(staged[1].client_number))
    page.get_by_role("button", name="Filteren").click()
    expect(page).to_have_url(
        f"/audit/?person=&client_number={staged[1].client_number}&since=&until=&action=&outcome="
    )
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Toezeggingen")).to_have_count(1)
    expect(rows.filter(has_text="Zorgnotities")).to_have_count(1)
    screenshot(page, "audit-log-client-1366")

    # Person by name, and an action.
    page.fill("#id_client_number", "")
    page.fill("#id_person", "dekker")
    page.select_option("#id_action", label="Wijzigen")
    page.get_by_role("button", name="Filteren").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Mia Dekker")
    expect(rows.first).to_contain_text("Achternaam, Telefoonnummers")

    # Outcome, with a period of today.
    page.fill("#id_person", "")
    page.select_option("#id_action", value="")
    page.select_option("#id_outcome", label="Geweigerd")
    today = datetime.date.today().strftime("%d-%m-%Y")
    page.fill("#id_since", today)
    page.fill("#id_until", today)
    page.get_by_role("button", name="Filteren").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Zorgnotities")
    screenshot(page, "audit-log-outcome-1366")

    # A date that does not exist gets a Dutch error, not an error page.
    page.fill("#id_since", "31-02-2026")
    page.get_by_role("button", name="Filteren").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Verbeter het filter om regels te zien")
    expect(alert).to_contain_text("Geef een datum als dd-mm-jjjj")
    expect(table).to_have_count(0)
    screenshot(page, "audit-log-error-1366")


def test_the_log_scrolls_within_itself_on_a_phone(page, staged):
    page.set_viewport_size(PHONE)
    log_in(page, "privacy")
    page.goto("/audit/")
    table = page.locator("table.audit")
    expect(table).to_be_visible()
    page_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert page_width <= PHONE["width"], page_width
    scroller = page.locator(".audit-scroll")
    assert scroller.evaluate("e => e.scrollWidth > e.clientWidth")  # the table scrolls
    assert box(page.locator("#id_person"))["width"] <= PHONE["width"]
    screenshot(page, "audit-log-390")


def test_a_change_of_staff_access_names_the_member_and_teams(page, personas, teams):
    page.set_viewport_size(LAPTOP)
    nurse = personas["nurse_noord"]
    nurse.first_name, nurse.last_name = "Mia", "Dekker"
    nurse.save(update_fields=["first_name", "last_name"])
    staff.staff_access_change(
        by=personas["administrator"], member=nurse, role=Role.TEAM_LEAD, teams=[teams["zuid"]]
    )

    log_in(page, "privacy")
    page.goto("/audit/")
    rows = page.locator("table.audit tbody tr")
    role = rows.filter(has_text="Rol van medewerker")
    expect(role).to_contain_text("Medewerker: Mia Dekker (nurse_noord)")
    expect(role).to_contain_text("Rol was: Zorgprofessional, Rol wordt: Teamleider")
    expect(rows.filter(has_text="Teams van medewerker")).to_contain_text(
        "Team erbij: Wijkteam Zuid, Team eraf: Wijkteam Noord"
    )
    screenshot(page, "audit-log-staff-access-1366")
    assert right(page.locator("table.audit")) <= right(page.locator("main")) + 1
