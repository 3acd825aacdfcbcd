"""The client page and the contact card in a real browser, at an office screen
(1366x768) and a phone (390x844): the essentials above the fold, phone numbers on
one line, tables using the width, and the actions each role may take."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from halte.audit.context import Actor
from halte.clients.models import CareNote
from halte.clients.tests.factories import PhoneFactory, PreferenceFactory, RelationFactory
from halte.contact.services import interaction_log
from halte.contact.tests.pages import make_promise
from halte.journey.models import Stage
from halte.journey.tests.factories import referral_at
from tests_browser.helpers import LAPTOP, PHONE, bottom, box, line_counts, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def riek(client_noord, personas, teams):
    """A client with the full spread a care office sees: several numbers, relatives
    with different authorisations, promises, contacts and a journey."""
    client = client_noord
    client.salutation, client.preferred_name = "mrs", "Riek"
    client.hard_of_hearing, client.interpreter_needed, client.language = True, True, "tr"
    client.street, client.house_number, client.postcode, client.city = (
        "Lange Beestenmarkt",
        112,
        "3811AB",
        "Amersfoort",
    )
    client.what_matters = "Elke ochtend de krant lezen bij het raam.\nDe kat Minoes eten geven."
    client.primary_contact = personas["nurse_noord"]
    client.save()
    PhoneFactory(client=client, e164="+31334612345", label="home")
    relations = [
        ("Marieke de Vries", "child", True, True),
        ("Jan van den Berg", "partner", True, False),
        ("Huisartsenpraktijk Het Zand", "gp", False, False),
    ]
    for n, (name, kind, informed, acts) in enumerate(relations):
        relation = client.relations.filter(name=name).first() or RelationFactory(
            client=client, name=name, kind=kind
        )
        relation.may_receive_information, relation.may_act_on_behalf = informed, acts
        relation.emergency_contact = n == 0
        relation.save()
        PhoneFactory(client=client, relation=relation, e164=f"+3120123456{n}")
    for kind, text in [("like", "Koffie om tien uur"), ("dislike", "Thee met suiker")]:
        PreferenceFactory(client=client, kind=kind, text=text)
    lead = personas["team_lead"]
    for hours, text in [(-3, "Terugbellen over de rekening"), (2, "Folder dagbesteding sturen")]:
        make_promise(
            client,
            lead,
            due_in=datetime.timedelta(hours=hours),
            owner_team=teams["noord"],
            text=text,
        )
    actor = Actor(personas["nurse_noord"])
    for n in range(6):
        interaction_log(
            actor=actor,
            client=client,
            channel="phone",
            direction="in",
            topic=f"Vraag over de zorg {n}",
            summary="Dochter belde over het rooster.",
            outcome="resolved",
            occurred_at=timezone.now() - datetime.timedelta(days=n + 1),
        )
    CareNote.objects.create(client=client, author=personas["nurse_noord"], text="Wondzorg.")
    referral_at(
        Stage.WAITING, planner=personas["planner"], nurse=personas["nurse_noord"], client=client
    )
    return client


def _open(page, user, path, viewport, shot):
    page.set_viewport_size(viewport)
    log_in(page, user)
    page.goto(path)
    expect(page.locator("h1")).to_be_visible()
    screenshot(page, shot, fold=True)


def _assert_phone_numbers_on_one_line(page):
    numbers = page.locator("main .phone")
    assert numbers.count() >= 5
    lines = line_counts(numbers)
    assert lines == [1] * len(lines), lines


CARD_ESSENTIALS = [
    "h1",
    "main .flags",  # hard of hearing, interpreter
    "main dd.phones",
    "main ul.relations",  # every relation with what they may do
    "#promises-heading + ul",
]


def test_the_card_shows_the_essentials_above_the_fold_at_an_office_screen(page, personas, riek):
    _open(page, "kcc", f"/werkplek/clienten/{riek.pk}/", LAPTOP, "card-1366")
    for selector in CARD_ESSENTIALS:
        assert bottom(page.locator(selector)) <= LAPTOP["height"], selector
    expect(page.locator("main ul.relations")).to_contain_text("mag geen informatie ontvangen")
    _assert_phone_numbers_on_one_line(page)


def test_the_card_is_one_readable_column_on_a_phone(page, personas, riek):
    _open(page, "kcc", f"/werkplek/clienten/{riek.pk}/", PHONE, "card-390")
    _assert_one_column_without_sideways_scrolling(page)
    _assert_phone_numbers_on_one_line(page)


def _assert_one_column_without_sideways_scrolling(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    lefts = page.locator("main .sections > section").evaluate_all(
        "els => els.map(el => Math.round(el.getBoundingClientRect().left))"
    )
    assert len(set(lefts)) == 1, lefts


def test_the_client_page_uses_the_width_of_an_office_screen(page, personas, riek):
    _open(page, "lead_noord", f"/clienten/{riek.pk}/", LAPTOP, "client-page-1366")
    card = box(page.locator("section[aria-labelledby=card-heading]"))
    relations = box(page.locator("section[aria-labelledby=relations-heading]"))
    assert card["y"] == relations["y"] and relations["x"] > card["x"] + card["width"]
    assert card["y"] < LAPTOP["height"] / 2  # the client's details open the page
    main = box(page.locator("main"))
    expect(page.locator("#timeline li").first).to_be_visible()  # loaded by htmx
    timeline = box(page.locator("section[aria-labelledby=timeline-heading]"))
    assert timeline["width"] > 0.8 * main["width"]
    _assert_phone_numbers_on_one_line(page)
    screenshot(page, "client-page-1366", fold=True)


def test_the_client_page_is_one_column_on_a_phone(page, personas, riek):
    _open(page, "lead_noord", f"/clienten/{riek.pk}/", PHONE, "client-page-390")
    _assert_one_column_without_sideways_scrolling(page)
    _assert_phone_numbers_on_one_line(page)


def test_search_results_use_the_width(page, personas, riek):
    _open(page, "kcc", "/clienten/?q=berg", LAPTOP, "search-berg-1366")
    table = box(page.locator("#search-results table"))
    assert table["width"] > 0.8 * box(page.locator("main"))["width"]


def test_a_follow_up_contact_goes_on_to_a_callback_on_the_clients_number(page, personas, riek):
    _open(page, "kcc", f"/clienten/{riek.pk}/", LAPTOP, "follow-up-1-page")
    page.click("main .client-actions >> text=Contact vastleggen")
    page.select_option("#id_channel", "phone")
    page.fill("#id_topic", "Vraag over het rooster")
    page.select_option("#id_outcome", "follow_up")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Toezegging")
    expect(page.locator("#id_callback_number")).to_have_value("06 12 34 56 78")
    expect(page.locator("main .origin")).to_contain_text("Vraag over het rooster")
    screenshot(page, "follow-up-2-promise-form", fold=True)
    page.fill("#id_description", "Uitzoeken wie morgen komt en terugbellen")
    page.check("#id_owner_0")
    page.click("main form button[type=submit]")
    expect(page.locator("main a.phone")).to_have_text("06 12 34 56 78")
    screenshot(page, "follow-up-3-promise", fold=True)


def test_a_deceased_client_is_said_once_and_offers_no_promise(page, personas, riek):
    riek.status = "deceased"
    riek.save()
    _open(page, "kcc", f"/werkplek/clienten/{riek.pk}/", LAPTOP, "card-deceased-1366")
    expect(page.get_by_text("Overleden", exact=True)).to_have_count(1)
    expect(page.locator("main .client-actions")).not_to_contain_text("Toezegging doen")
    expect(page.locator("main")).not_to_contain_text("jaar (")
