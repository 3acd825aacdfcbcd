"""A client's journey in a real browser: a planner registers a referral from the
client page, finds it among the new referrals without owner, takes it on, marks first
contact, plans and records the intake (one agreement), places the client on the
waiting list (position 1, the journey bar at Wachtlijst), starts care with a fixed
contact person (care starting this week, Zorg current) and ends it (Afgesloten)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from halte.contact.models import Commitment
from halte.journey.models import CareEpisode, Referral, Stage
from halte.journey.tests.factories import product
from tests_browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def care_offer(db):
    """The care the migration offers; an earlier test that truncated the tables
    (transaction=True) may have taken it away."""
    return product("wijkverpleging")


def _step(page, name):
    """Submit the step `name` on the referral page and wait for the next page."""
    page.click(f"#step-{name} button[type=submit]")
    expect(page.locator(".messages")).to_be_visible()


def test_it_takes_a_client_from_referral_to_the_end_of_care(
    page, live_server, personas, teams, client_noord, care_offer
):
    nurse = personas["nurse_noord"]
    client_page = f"/clienten/{client_noord.pk}/"

    log_in(page, "planner")
    expect(page).to_have_url("/traject/")

    # A new referral from the client page, nobody owns it yet.
    page.goto(client_page)
    page.click(f"a[href='/traject/clienten/{client_noord.pk}/aanmelding/']")
    page.select_option("#id_source", "gp")
    page.select_option("#id_product", label="Wijkverpleging")
    page.fill("#id_question", "Wondzorg na ziekenhuisopname")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Hendrika van den Berg")
    referral = Referral.objects.get()

    # In the queue of new referrals without owner: take it on.
    page.goto("/traject/")
    unowned = page.locator("#unowned tr", has_text="Hendrika van den Berg")
    expect(unowned).to_be_visible()
    unowned.locator("button").click()
    expect(page).to_have_url(f"/traject/aanmeldingen/{referral.pk}/")
    expect(page.locator(".owner")).to_contain_text(str(personas["planner"]))

    _step(page, "contacted")

    planned = timezone.localtime() + datetime.timedelta(hours=1)
    page.fill("#id_intake_plan_planned_at", planned.strftime("%d-%m-%Y %H:%M"))
    page.select_option("#id_intake_plan_held_by", str(nurse.pk))
    _step(page, "intake_plan")

    page.select_option("#id_intake_record_outcome", "care_needed")
    page.fill("#id_intake_record_hours_per_week", "4")
    page.fill("#id_intake_record_agreements", "Folder over wondzorg sturen")
    _step(page, "intake_record")
    assert Commitment.objects.get().description == "Folder over wondzorg sturen"

    page.select_option("#id_waiting_place_status", "active")
    _step(page, "waiting_place")

    page.goto(f"/traject/wachtlijst/?product=wijkverpleging&team={teams['noord'].pk}")
    row = page.locator("table.waiting-list tbody tr", has_text="Hendrika van den Berg")
    expect(row.locator("td.position")).to_have_text("1")

    page.goto(client_page)
    expect(page.locator(".journey-bar [data-stop=waiting]")).to_have_class("stop current")

    # Care starts today with the nurse as fixed contact person.
    page.goto(f"/traject/aanmeldingen/{referral.pk}/")
    page.select_option("#id_care_start_contact_person", str(nurse.pk))
    _step(page, "care_start")

    page.goto("/traject/")
    expect(page.locator("#starting tr", has_text="Hendrika van den Berg")).to_contain_text(
        str(nurse)
    )

    page.goto(client_page)
    expect(page.locator(".journey-bar [data-stop=care]")).to_have_class("stop current")
    expect(page.locator("#journey .contact-person")).to_have_text(str(nurse))

    # And ends, from the client page: its care forms fold under the journey.
    episode = CareEpisode.objects.get()
    page.click("#journey .care-steps summary")
    page.select_option(f"#id_care_end_{episode.pk}_reason", "recovered")
    page.click(f"#step-care_end_{episode.pk} button[type=submit]")
    expect(page).to_have_url(client_page)
    expect(page.locator(".journey-bar [data-stop=end]")).to_have_class("stop done")

    assert Referral.objects.get().stage == Stage.CARE_STARTED
    assert CareEpisode.objects.get().ended_on == timezone.localdate()
