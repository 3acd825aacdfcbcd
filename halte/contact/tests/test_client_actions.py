"""The client's action bar on the client page and the card, and the timeline at the end
of the client page: contact, journey and clients register them (CLIENT_ACTIONS,
CLIENT_PAGE_SECTIONS), and each role sees the same buttons in the same order as when
the templates named them."""

import re

import pytest
from django.urls import reverse

from halte.clients.models import ClientStatus

PROMISE, CONTACT, REFERRAL = "Toezegging doen", "Contact vastleggen", "Nieuwe aanmelding"
CARD, PAGE, EDIT = "Contactkaart openen", "Volledige cliëntpagina", "Gegevens wijzigen"

# The roles that work with clients have every action; the manager has none.
ON_PAGE = {"alive": [PROMISE, CONTACT, REFERRAL, CARD, EDIT], "deceased": [CONTACT, CARD, EDIT]}
ON_CARD = {"alive": [PROMISE, CONTACT, REFERRAL, PAGE, EDIT], "deceased": [CONTACT, PAGE, EDIT]}
WORKING = ["front_office", "planner", "nurse_noord", "team_lead"]


def _buttons(content: str) -> list[tuple[str, str]]:
    start = content.index('class="actions client-actions"')
    bar = content[start : content.index("</div>", start)]
    return re.findall(r'<a class="(button[^"]*)" href="[^"]*">([^<]+)</a>', bar)


def _labels(buttons):
    return [label for _, label in buttons]


def _open(client, personas, persona, client_obj, name, deceased):
    if deceased:
        client_obj.status = ClientStatus.DECEASED
        client_obj.save()
    client.force_login(personas[persona])
    return client.get(reverse(name, args=[client_obj.pk])).content.decode()


@pytest.mark.parametrize("state", ["alive", "deceased"])
@pytest.mark.parametrize("persona", WORKING)
def test_the_client_page_shows_each_roles_actions_in_order(
    client, personas, client_noord, persona, state
):
    content = _open(client, personas, persona, client_noord, "clients:detail", state == "deceased")
    buttons = _buttons(content)
    assert _labels(buttons) == ON_PAGE[state]
    # Only a promise is the bar's main button.
    assert [label for cls, label in buttons if cls == "button"] == [PROMISE][: state == "alive"]


@pytest.mark.parametrize("state", ["alive", "deceased"])
@pytest.mark.parametrize("persona", WORKING)
def test_the_card_shows_each_roles_actions_in_order(client, personas, client_noord, persona, state):
    content = _open(client, personas, persona, client_noord, "contact:card", state == "deceased")
    assert _labels(_buttons(content)) == ON_CARD[state]


def test_a_manager_gets_no_actions_and_no_timeline(client, personas, client_noord):
    content = _open(client, personas, "manager", client_noord, "clients:detail", False)
    assert _buttons(content) == []
    assert 'id="timeline-heading"' not in content


@pytest.mark.parametrize("persona", WORKING)
def test_the_client_page_ends_with_the_timeline_for_those_who_log_contacts(
    client, personas, client_noord, persona
):
    content = _open(client, personas, persona, client_noord, "clients:detail", False)
    timeline = reverse("contact:timeline", args=[client_noord.pk])
    heading = content.index('id="timeline-heading"')
    assert content.index('id="preferences-heading"') < heading
    assert f'hx-get="{timeline}" hx-trigger="load"' in content[heading:]
