"""The workplace page: who may use it, the screen pop (poll, 204, audited once),
number lookup, a new contact from an unknown number, and the promise lists."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from halte.audit.models import Action, Outcome
from halte.clients.models import Client, ClientStatus, Phone
from halte.clients.tests.factories import ClientFactory, PhoneFactory
from halte.clients.tests.pages import assert_shows, entries_since, last_seq, looks_since
from halte.clients.validation import REQUIRED
from halte.contact.extensions import WORKPLACE_QUEUES, QueueLink
from halte.contact.services import call_event_register
from halte.contact.tests.pages import make_promise, relative_of
from halte.core.phone import INVALID_PHONE

WORKPLACE = reverse("contact:workplace")
POP = reverse("contact:call_pop")
LOOKUP = reverse("contact:lookup")
NEW_CONTACT = reverse("contact:new_contact")


@pytest.fixture
def agent(personas):
    user = personas["front_office"]
    user.phone_extension = "201"
    user.save()
    return user


@pytest.fixture
def sharing(teams, client_noord):
    """A second client of team Noord with the number of client_noord's daughter."""
    other = ClientFactory(team=teams["noord"])
    PhoneFactory(client=other, e164="+31687654321")
    return other


def _ring(number="06-87654321", call_id="call-1", extension="201"):
    return call_event_register(
        call_id=call_id,
        event="ringing",
        caller=number,
        agent_extension=extension,
        at=timezone.now(),
    ).interaction


# Who may use it


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("front_office", 200),
        ("planner", 200),
        ("nurse_noord", 200),
        ("team_lead", 200),
        ("manager", 403),
        ("privacy_officer", 403),
        ("administrator", 403),
    ],
)
def test_it_opens_the_workplace_to_roles_that_answer_clients(client, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(WORKPLACE).status_code == status
    assert client.get(POP).status_code in ({200, 204} if status == 200 else {403})
    assert client.get(LOOKUP, {"number": "0612345678"}).status_code == status


def test_it_sends_anonymous_visitors_to_the_login(client, db):
    response = client.get(WORKPLACE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_it_sends_the_front_office_from_the_start_page_to_the_workplace(client, personas):
    client.force_login(personas["front_office"])
    assert client.get("/")["Location"] == WORKPLACE


def test_it_keeps_sending_nurses_to_the_search(client, personas):
    client.force_login(personas["nurse_noord"])
    assert client.get("/")["Location"] == reverse("clients:search")


@pytest.mark.parametrize(
    ("persona", "workplace", "escalations"),
    [
        ("front_office", True, False),
        ("nurse_noord", True, False),
        ("team_lead", True, True),
        ("manager", False, True),
        ("privacy_officer", False, False),
    ],
)
def test_it_links_the_workplace_and_escalations_in_the_nav(
    client, personas, persona, workplace, escalations
):
    client.force_login(personas[persona])
    content = client.get("/", follow=True).content.decode()
    assert (f'href="{WORKPLACE}"' in content) is workplace
    assert (f'href="{reverse("contact:escalations")}"' in content) is escalations


# The screen pop


def test_it_shows_a_ringing_relative_with_the_client_and_authorisations(
    client, agent, client_noord
):
    client.force_login(agent)
    call = _ring("+31 (0)6 8765 4321")
    response = client.get(POP, {"shown": ""}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert relative_of(client_noord) in content
    assert "mag informatie ontvangen" in content
    assert f"?shown={call.pk}" in content  # the next poll says what it shows
    assert f"gesprek={call.pk}" in content


def test_it_names_the_client_by_formal_name_in_the_pop(client, agent, client_noord):
    Client.objects.filter(pk=client_noord.pk).update(salutation="mrs")
    client.force_login(agent)
    _ring("06-87654321")
    content = client.get(POP).content.decode()
    assert relative_of(Client.objects.get(pk=client_noord.pk)) in content
    assert "mevrouw Van den Berg" in content


def test_it_answers_204_while_the_call_shown_is_still_the_current_one(client, agent, client_noord):
    client.force_login(agent)
    call = _ring()
    assert client.get(POP, {"shown": call.pk}).status_code == 204


def test_it_answers_204_when_there_is_no_call_and_none_is_shown(client, agent, db):
    client.force_login(agent)
    assert client.get(POP, {"shown": ""}).status_code == 204


def test_it_clears_the_pop_when_the_call_is_gone(client, agent, client_noord):
    client.force_login(agent)
    call = _ring()
    call_event_register(call_id="call-1", event="ended", caller="", at=timezone.now())
    response = client.get(POP, {"shown": call.pk})
    assert response.status_code == 200
    assert "Marieke" not in response.content.decode()
    assert "?shown=" in response.content.decode()


def test_it_shows_the_call_only_at_its_own_extension(client, agent, client_noord):
    client.force_login(agent)
    _ring(extension="305")
    assert client.get(POP, {"shown": ""}).status_code == 204


def test_it_audits_the_pop_once_per_call(client, agent, client_noord):
    client.force_login(agent)
    call = _ring()
    before = last_seq()
    client.get(POP, {"shown": ""})
    client.get(POP, {"shown": ""})  # a reload of the page shows it again
    client.get(POP, {"shown": call.pk})
    client.get(WORKPLACE)
    caller_pops = [e for e in looks_since(before) if e[1] == "caller_pop"]
    assert caller_pops == [(Action.READ, "caller_pop", [client_noord.pk], Outcome.SUCCESS)]


def test_one_pop_is_one_entry_naming_every_client_shown(client, agent, client_noord, sharing):
    client.force_login(agent)
    _ring()
    before = last_seq()
    content = client.get(POP, {"shown": ""}).content.decode()
    assert sharing.family_name in content
    caller_pops = [e for e in looks_since(before) if e[1] == "caller_pop"]
    shown = sorted([client_noord.pk, sharing.pk])
    assert caller_pops == [(Action.READ, "caller_pop", shown, Outcome.SUCCESS)]


def test_it_puts_the_pop_region_in_a_polite_live_region_polling_every_second(client, agent, db):
    client.force_login(agent)
    content = client.get(WORKPLACE).content.decode()
    assert 'aria-live="polite"' in content
    assert 'hx-trigger="every 1s"' in content
    assert f'hx-get="{POP}?shown="' in content


def test_it_does_not_poll_without_an_extension(client, personas, db):
    client.force_login(personas["nurse_noord"])
    content = client.get(WORKPLACE).content.decode()
    assert 'hx-trigger="every 1s"' not in content


def test_it_offers_a_new_contact_for_an_unknown_caller(client, agent, db):
    client.force_login(agent)
    _ring("0337122160")
    content = client.get(POP).content.decode()
    assert f"{NEW_CONTACT}?number=033" in content


def test_it_hides_a_nurse_of_another_team_the_clients_name(client, personas, client_noord):
    nurse = personas["nurse_zuid"]
    nurse.phone_extension = "305"
    nurse.save()
    client.force_login(nurse)
    _ring(extension="305")
    content = client.get(POP).content.decode()
    assert "van den Berg" not in content
    assert "Marieke" not in content


# Number lookup


@pytest.mark.parametrize("notation", ["06-87654321", "+31 (0)6 87654321", "0031687654321"])
def test_it_finds_a_relative_by_number_in_any_notation(client, agent, client_noord, notation):
    client.force_login(agent)
    response = client.get(LOOKUP, {"number": notation}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "<html" not in content
    assert relative_of(client_noord) in content


def test_it_finds_the_client_first(client, agent, client_noord):
    other = ClientFactory(team=client_noord.team, given_names="Kees", family_name="Bos")
    Phone.objects.create(client=other, e164="+31612345678")
    client.force_login(agent)
    content = client.get(LOOKUP, {"number": "06 12345678"}).content.decode()
    assert "<html" in content  # without htmx: the whole workplace
    assert content.index("Hendrika van den Berg") < content.index("Kees Bos")


def test_one_lookup_is_one_entry_naming_every_client_found(client, agent, client_noord, sharing):
    client.force_login(agent)
    before = last_seq()
    client.get(LOOKUP, {"number": "0687654321"}, headers={"HX-Request": "true"})
    shown = sorted([client_noord.pk, sharing.pk])
    assert looks_since(before) == [(Action.READ, "caller_recognition", shown, Outcome.SUCCESS)]


def test_it_looks_a_number_up_in_a_constant_number_of_queries(
    client, agent, teams, client_noord, django_assert_num_queries
):
    client.force_login(agent)
    query, hx = {"number": "0687654321"}, {"HX-Request": "true"}
    client.get(LOOKUP, query, headers=hx)  # warm the session
    with django_assert_num_queries(20, exact=False) as one:
        client.get(LOOKUP, query, headers=hx)
    for _ in range(5):
        PhoneFactory(client=ClientFactory(team=teams["noord"]), e164="+31687654321")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(LOOKUP, query, headers=hx)
    assert len({match.client.pk for match in response.context["lookup"].matches}) == 6


def test_it_says_when_a_number_is_not_valid(client, agent, db):
    client.force_login(agent)
    before = last_seq()
    response = client.get(LOOKUP, {"number": "12"}, headers={"HX-Request": "true"})
    assert_shows(response, INVALID_PHONE)
    assert entries_since(before) == []


def test_the_whole_page_says_a_number_is_not_valid_once(client, agent, db):
    # Without htmx (or on reload) the page shows the error under the field; the
    # results below it do not say it a second time.
    client.force_login(agent)
    content = client.get(LOOKUP, {"number": "12"}).content.decode()
    assert content.count(str(INVALID_PHONE)) == 1
    assert 'id="id_number_error"' in content


def test_it_offers_a_prefilled_new_contact_form_for_an_unknown_number(client, agent, db):
    client.force_login(agent)
    response = client.get(LOOKUP, {"number": "+31337122160"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert f'action="{NEW_CONTACT}"' in content
    assert 'value="033 712 21 60"' in content


def test_it_creates_the_new_contact_and_opens_the_card(client, agent, db):
    client.force_login(agent)
    before = last_seq()
    response = client.post(
        NEW_CONTACT,
        {
            "given_names": "Jan",
            "family_name": "Smit",
            "salutation": "mr",
            "number": "033 712 2160",
            "team": "",
        },
    )
    created = Client.objects.get(family_name="Smit")
    assert response["Location"] == reverse("contact:card", args=[created.pk])
    assert list(created.phones.values_list("e164", flat=True)) == ["+31337122160"]
    assert entries_since(before) == [(Action.CREATE, "card", created.pk, Outcome.SUCCESS)]


def test_it_refuses_a_new_contact_without_a_name_and_writes_nothing(client, agent, db):
    client.force_login(agent)
    before = last_seq()
    response = client.post(NEW_CONTACT, {"given_names": "", "family_name": "", "number": "033"})
    assert response.status_code == 200
    assert_shows(response, REQUIRED)
    assert_shows(response, INVALID_PHONE)
    assert not Client.objects.exists()
    assert entries_since(before) == []


def test_it_refuses_new_contacts_to_the_manager(client, personas, db):
    client.force_login(personas["manager"])
    response = client.post(NEW_CONTACT, {"given_names": "Jan", "family_name": "Smit"})
    assert response.status_code == 403
    assert not Client.objects.exists()


# The promise lists


def test_it_lists_my_promises_and_my_teams_queue_overdue_first_and_highlighted(
    client, personas, teams, client_noord
):
    nurse = personas["nurse_noord"]
    lead = personas["team_lead"]
    make_promise(
        client_noord, lead, due_in=datetime.timedelta(hours=5), owner_user=nurse, text="Later"
    )
    make_promise(
        client_noord, lead, due_in=datetime.timedelta(hours=-2), owner_user=nurse, text="Te laat"
    )
    make_promise(
        client_noord, lead, due_in=datetime.timedelta(minutes=20), owner_user=nurse, text="Bijna"
    )
    make_promise(
        client_noord,
        lead,
        due_in=datetime.timedelta(hours=1, minutes=30),
        owner_team=teams["noord"],
        text="Team",
    )
    make_promise(
        client_noord, lead, due_in=datetime.timedelta(hours=1), owner_user=lead, text="Niet"
    )
    client.force_login(nurse)
    content = client.get(WORKPLACE).content.decode()
    assert content.index("Te laat") < content.index("Bijna") < content.index("Later")
    assert content.index("Later") < content.index("Team")  # my promises, then the team's
    assert "Niet" not in content  # a colleague's own promise
    assert content.count('<tr class="overdue">') == 1
    assert content.count('<tr class="expiring">') == 1
    assert "Te laat" in content.split('<tr class="overdue">')[1].split("</tr>")[0]
    # The tables' captions (for screen readers) say the order in plain Dutch.
    assert "Mijn open toezeggingen, wat het eerst verloopt bovenaan" in content
    assert "Open toezeggingen van mijn teams, wat het eerst verloopt bovenaan" in content


def test_one_look_at_the_promise_lists_is_one_entry_naming_their_clients(
    client, personas, teams, client_noord
):
    make_promise(
        client_noord,
        personas["team_lead"],
        due_in=datetime.timedelta(hours=3),
        owner_team=teams["noord"],
    )
    other = ClientFactory(team=teams["noord"])
    make_promise(
        other,
        personas["team_lead"],
        due_in=datetime.timedelta(hours=2),
        owner_user=personas["nurse_noord"],
    )
    client.force_login(personas["nurse_noord"])
    before = last_seq()
    client.get(WORKPLACE)
    # Both lists, mine and the team's, are one look: one entry naming both clients.
    shown = sorted([client_noord.pk, other.pk])
    assert looks_since(before) == [(Action.READ, "promises", shown, Outcome.SUCCESS)]


def test_it_renders_the_workplace_in_a_constant_number_of_queries(
    client, personas, teams, django_assert_num_queries
):
    nurse = personas["nurse_noord"]
    lead = personas["team_lead"]
    client.force_login(nurse)

    def add(n):
        for _ in range(n):
            c = ClientFactory(team=teams["noord"])
            make_promise(c, lead, due_in=datetime.timedelta(hours=2), owner_user=nurse)
            make_promise(c, lead, due_in=datetime.timedelta(hours=-2), owner_team=teams["noord"])

    add(1)
    client.get(WORKPLACE)  # warm the session and the policy
    with django_assert_num_queries(30, exact=False) as few:
        client.get(WORKPLACE)
    add(6)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(WORKPLACE)
    assert response.content.decode().count('<tr class="overdue">') == 7


def test_it_has_no_inline_styles_or_scripts(client, personas, client_noord):
    user = personas["team_lead"]
    user.phone_extension = "202"
    user.save()
    call = _ring(extension="202")
    promise = make_promise(client_noord, user, due_in=datetime.timedelta(hours=-1), owner_user=user)
    client.force_login(user)
    for url in [
        WORKPLACE,
        POP,
        f"{LOOKUP}?number=0337122160",
        reverse("contact:card", args=[client_noord.pk]) + f"?gesprek={call.pk}",
        reverse("contact:commitment_add", args=[client_noord.pk]),
        reverse("contact:commitment", args=[promise.pk]),
        reverse("contact:interaction_add", args=[client_noord.pk]),
        reverse("contact:timeline", args=[client_noord.pk]),
        reverse("contact:escalations"),
    ]:
        response = client.get(url)
        content = response.content.decode()
        assert response.status_code == 200, url
        assert "style=" not in content
        assert " on" + "click=" not in content
        assert "hx-on" not in content
        for script in re.findall(r"<script[^>]*>", content):
            assert "src=" in script


def test_it_marks_a_deceased_client_once_in_the_lookup(client, agent, client_noord):
    Client.objects.filter(pk=client_noord.pk).update(status=ClientStatus.DECEASED)
    client.force_login(agent)
    response = client.get(LOOKUP, {"number": "0612345678"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert content.count("Overleden") == 1
    assert '<span class="phone">06 12 34 56 78</span>' in content


# Higher apps' work queues (the journey's), through contact.extensions


def test_it_links_the_queue_a_registered_provider_gives(client, agent):
    asked = []

    def provider(user):
        asked.append(user)
        return QueueLink("Wachtrij (4)", "/wachtrij/#nu")

    client.force_login(agent)
    with WORKPLACE_QUEUES.replaced(provider):
        content = client.get(reverse("contact:workplace")).content.decode()
    assert asked == [agent]
    assert '<p class="queue-link"><a href="/wachtrij/#nu">Wachtrij (4)</a></p>' in content


def test_it_shows_the_workplace_without_queue_links_when_none_is_registered(client, agent):
    client.force_login(agent)
    with WORKPLACE_QUEUES.replaced():
        response = client.get(reverse("contact:workplace"))
    assert response.status_code == 200
    assert 'class="queue-link"' not in response.content.decode()
