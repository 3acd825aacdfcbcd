"""The workplace's calls: a call past its time-out is not shown as live, and calls
over but not written up wait on the agent's list "still to write up" (nog
vastleggen), not in the client's history, until written up or put aside."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from halte.audit.models import Action, Outcome
from halte.clients.tests.factories import ClientFactory, PhoneFactory
from halte.clients.tests.pages import assert_shows, entries_since, last_seq, looks_since
from halte.contact.models import CallState, Interaction, InteractionStatus
from halte.contact.services import (
    ANSWERED_CALL_TO_WRITE_UP,
    call_event_register,
    interaction_complete,
)
from halte.contact.tests.pages import relative_of

WORKPLACE = reverse("contact:workplace")
POP = reverse("contact:call_pop")
MINUTE, HOUR = datetime.timedelta(minutes=1), datetime.timedelta(hours=1)


@pytest.fixture
def agent(personas):
    user = personas["front_office"]
    user.phone_extension = "201"
    user.save()
    return user


def _event(event, *, call_id="call-1", caller="06-87654321", extension="201", at=None):
    return call_event_register(
        call_id=call_id,
        event=event,
        caller=caller,
        agent_extension=extension,
        at=at or timezone.now(),
    ).interaction


def _write_up(call_pk):
    return reverse("contact:call_write_up", args=[call_pk])


def _put_aside(call_pk):
    return reverse("contact:call_put_aside", args=[call_pk])


def _unwritten_section(content: str) -> str:
    return content.split('id="unwritten-heading"')[1].split("</section>")[0]


def _timeline(client_obj):
    return reverse("contact:timeline", args=[client_obj.pk])


# A call past its time-out is not live


def test_it_stops_showing_a_ringing_call_after_the_ring_time_out(client, agent, client_noord):
    client.force_login(agent)
    call = _event("ringing")
    with time_machine.travel(timezone.now() + 9 * MINUTE):
        assert relative_of(client_noord) in client.get(POP).content.decode()
    with time_machine.travel(timezone.now() + 11 * MINUTE):
        response = client.get(POP, {"shown": call.pk})
        assert response.status_code == 200  # the pop clears
        assert relative_of(client_noord) not in response.content.decode()
        assert "Gaat over" not in client.get(WORKPLACE).content.decode()
    # Only shown as over: nothing was written by reading.
    assert Interaction.objects.get().call_state == CallState.RINGING


def test_it_shows_an_answered_call_for_hours_not_minutes(client, agent, client_noord, settings):
    settings.HALTE_SESSION_IDLE_MINUTES = 6 * 60  # the agent is at work all along
    client.force_login(agent)
    _event("ringing")
    _event("answered")
    with time_machine.travel(timezone.now() + 3 * HOUR):
        assert "Lopend gesprek" in client.get(WORKPLACE).content.decode()
    with time_machine.travel(timezone.now() + 4 * HOUR + MINUTE):
        content = client.get(WORKPLACE).content.decode()
        assert "Lopend gesprek" not in content
        assert "Aangenomen" in _unwritten_section(content)


# The list "still to write up"


def test_it_lists_my_calls_that_are_over_and_not_written_up(client, agent, personas, client_noord):
    other = personas["team_lead"]
    other.phone_extension = "202"
    other.save()
    missed = _event("ringing", call_id="missed")
    _event("ended", call_id="missed")
    _event("ringing", call_id="live", caller="0337122160")  # still ringing: in the pop
    _event("ringing", call_id="colleague", extension="202")
    _event("ended", call_id="colleague")
    client.force_login(agent)

    section = _unwritten_section(client.get(WORKPLACE).content.decode())

    assert "Nog vastleggen" in client.get(WORKPLACE).content.decode()
    assert section.count("<tr class=") == 1
    assert relative_of(client_noord) in section
    assert '<span class="phone">06 87 65 43 21</span>' in section
    assert "Gemist" in section
    assert f'href="{_write_up(missed.pk)}"' in section
    assert f'action="{_put_aside(missed.pk)}"' in section
    callback = reverse("contact:commitment_add", args=[client_noord.pk]) + f"?gesprek={missed.pk}"
    assert f'href="{callback}"' in section


def test_it_offers_no_putting_aside_of_an_answered_call(client, agent, client_noord):
    call = _event("ringing")
    _event("answered")
    _event("ended")
    client.force_login(agent)
    section = _unwritten_section(client.get(WORKPLACE).content.decode())
    assert f'href="{_write_up(call.pk)}"' in section
    assert _put_aside(call.pk) not in section


def test_one_look_at_the_list_is_one_entry_naming_the_clients_it_shows(
    client, agent, teams, client_noord
):
    other = ClientFactory(team=teams["noord"])
    PhoneFactory(client=other, e164="+31610002000")
    _event("ringing")
    _event("ended")
    _event("ringing", call_id="call-2", caller="06-10002000")
    _event("ended", call_id="call-2")
    client.force_login(agent)
    seq = last_seq()
    client.get(WORKPLACE)
    shown = sorted([client_noord.pk, other.pk])
    assert [e for e in looks_since(seq) if e[1] == "contacts"] == [
        (Action.READ, "contacts", shown, Outcome.SUCCESS)
    ]


def test_the_write_up_page_is_one_entry_naming_whoever_has_the_number(
    client, agent, teams, client_noord
):
    """A number two clients share opens no client: the page lists both, one look."""
    other = ClientFactory(team=teams["noord"])
    PhoneFactory(client=other, e164="+31687654321")
    call = _event("ringing")
    _event("ended")
    assert call.client_id is None
    client.force_login(agent)
    seq = last_seq()
    assert client.get(_write_up(call.pk)).status_code == 200
    assert looks_since(seq) == [
        (Action.READ, "caller_recognition", sorted([client_noord.pk, other.pk]), Outcome.SUCCESS)
    ]


def test_it_shows_a_nurse_only_the_number_of_another_teams_client(client, personas, client_noord):
    nurse = personas["nurse_zuid"]
    nurse.phone_extension = "305"
    nurse.save()
    _event("ringing", extension="305")
    _event("ended")
    client.force_login(nurse)
    seq = last_seq()

    section = _unwritten_section(client.get(WORKPLACE).content.decode())

    assert "06 87 65 43 21" in section
    assert "Marieke" not in section and "Berg" not in section
    assert "vastleggen/" not in section
    assert not [e for e in entries_since(seq) if e[1] == "contacts"]


def test_it_renders_the_list_in_a_constant_number_of_queries(
    client, agent, teams, django_assert_num_queries, settings
):
    settings.HALTE_SESSION_IDLE_MINUTES = 6 * 60  # the agent is at work all along

    def add(n):
        for i in range(n):
            person = ClientFactory(team=teams["noord"])
            number = f"+3161000{Interaction.objects.count():04d}"
            PhoneFactory(client=person, e164=number)
            call_id = f"call-{number}-{i}"
            _event("ringing", call_id=call_id, caller=number)
            _event("answered" if i % 2 else "ended", call_id=call_id)

    client.force_login(agent)
    add(1)
    client.get(WORKPLACE)  # warm the session and the policy
    with django_assert_num_queries(30, exact=False) as few:
        client.get(WORKPLACE)
    add(6)
    queries = len(few.captured_queries)
    with time_machine.travel(timezone.now() + 5 * HOUR):
        client.get(WORKPLACE)  # the session records the activity (once a minute)
        with django_assert_num_queries(queries):
            content = client.get(WORKPLACE).content.decode()
    assert _unwritten_section(content).count("<tr class=") == 7


# Writing up and putting aside


def test_it_shows_the_write_up_page_in_a_constant_number_of_queries(
    client, agent, teams, client_noord, django_assert_num_queries
):
    PhoneFactory(client=ClientFactory(team=teams["noord"]), e164="+31687654321")
    call = _event("ringing")
    _event("ended")
    client.force_login(agent)
    client.get(_write_up(call.pk))  # warm the session and the policy
    with django_assert_num_queries(30, exact=False) as two:
        client.get(_write_up(call.pk))
    for _ in range(4):
        PhoneFactory(client=ClientFactory(team=teams["noord"]), e164="+31687654321")
    with django_assert_num_queries(len(two.captured_queries)):
        response = client.get(_write_up(call.pk))
    assert len({match.client.pk for match in response.context["matches"]}) == 6


def test_it_writes_up_a_call_with_a_client_on_the_clients_card(client, agent, client_noord):
    call = _event("ringing")
    _event("ended")
    client.force_login(agent)
    response = client.get(_write_up(call.pk))
    card = reverse("contact:card", args=[client_noord.pk])
    assert response["Location"] == f"{card}?gesprek={call.pk}"


def test_it_writes_up_a_call_without_a_client_on_its_own_page(client, agent, db):
    call = _event("ringing", caller="0337122160")
    _event("answered")
    client.force_login(agent)
    assert client.get(_write_up(call.pk)).status_code == 200
    seq = last_seq()

    response = client.post(
        _write_up(call.pk), {"topic": "Vraag over folder", "summary": "", "outcome": "resolved"}
    )

    assert response["Location"] == WORKPLACE
    done = Interaction.objects.get()
    assert (done.status, done.topic, done.client) == (
        InteractionStatus.COMPLETED,
        "Vraag over folder",
        None,
    )
    assert entries_since(seq) == []  # no client, no client data
    assert "vastleggen/" not in _unwritten_section(client.get(WORKPLACE).content.decode())


def test_it_links_the_clients_who_share_the_number_from_the_write_up(client, agent, teams):
    first, second = ClientFactory(team=teams["noord"]), ClientFactory(team=teams["noord"])
    PhoneFactory(client=first, e164="+31302345678")
    PhoneFactory(client=second, e164="+31302345678")
    call = _event("ringing", caller="030-2345678")
    _event("ended")
    assert call.client is None
    client.force_login(agent)
    content = client.get(_write_up(call.pk)).content.decode()
    for person in (first, second):
        assert reverse("contact:card", args=[person.pk]) + f"?gesprek={call.pk}" in content


def test_it_needs_an_outcome_to_write_up(client, agent, db):
    call = _event("ringing", caller="anonymous")
    client.force_login(agent)
    response = client.post(_write_up(call.pk), {"topic": "x", "outcome": ""})
    assert response.status_code == 200
    assert Interaction.objects.get().status == InteractionStatus.OPEN


def test_it_puts_a_missed_call_aside(client, agent, client_noord):
    call = _event("ringing")
    _event("ended")
    client.force_login(agent)

    response = client.post(_put_aside(call.pk), follow=True)

    assert Interaction.objects.get().status == InteractionStatus.DISCARDED
    assert "vastleggen/" not in _unwritten_section(response.content.decode())
    assert "Gemist" not in client.get(_timeline(client_noord)).content.decode()


def test_it_refuses_to_put_an_answered_call_aside(client, agent, client_noord):
    call = _event("ringing")
    _event("answered")
    _event("ended")
    client.force_login(agent)
    response = client.post(_put_aside(call.pk), follow=True)
    assert_shows(response, ANSWERED_CALL_TO_WRITE_UP)
    assert Interaction.objects.get().status == InteractionStatus.OPEN


def test_it_says_when_the_call_was_written_up_meanwhile(client, agent, personas, client_noord):
    from halte.audit.context import Actor

    call = _event("ringing")
    interaction_complete(
        actor=Actor(agent), interaction=call, client=client_noord, outcome="resolved"
    )
    client.force_login(agent)
    for response in (client.get(_write_up(call.pk)), client.post(_put_aside(call.pk))):
        assert response["Location"] == WORKPLACE
    assert Interaction.objects.get().status == InteractionStatus.COMPLETED


@pytest.mark.parametrize("persona", ["manager", "privacy_officer"])
def test_it_refuses_roles_without_the_workplace(client, personas, persona, client_noord):
    call = _event("ringing")
    client.force_login(personas[persona])
    assert client.get(_write_up(call.pk)).status_code == 403
    assert client.post(_put_aside(call.pk)).status_code == 403
    assert Interaction.objects.get().status == InteractionStatus.OPEN


def test_it_hides_another_teams_clients_call_as_404(client, personas, client_noord):
    call = _event("ringing")
    client.force_login(personas["nurse_zuid"])
    assert client.get(_write_up(call.pk)).status_code == 404
    assert client.post(_put_aside(call.pk)).status_code == 404


# Not in the client's history until written up


def test_it_keeps_unwritten_and_put_aside_calls_off_the_timeline_page(client, agent, client_noord):
    from halte.audit.context import Actor

    _event("ringing", call_id="draft")
    aside = _event("ringing", call_id="aside")
    written = _event("ringing", call_id="written")
    client.force_login(agent)
    client.post(_put_aside(aside.pk))
    interaction_complete(
        actor=Actor(agent),
        interaction=written,
        client=client_noord,
        topic="Vraag over de zorg",
        outcome="resolved",
    )

    content = client.get(_timeline(client_noord)).content.decode()

    assert content.count("Vraag over de zorg") == 1
    assert "nog niet vastgelegd" not in content
    items = content.split('class="plain-list timeline"')[1].split("</ul>")[0]
    assert items.count("<li>") == 1


def test_it_has_no_inline_styles_or_scripts_on_the_write_up_page(client, agent, db):
    call = _event("ringing", caller="0337122160")
    client.force_login(agent)
    content = client.get(_write_up(call.pk)).content.decode()
    assert '<span class="phone">033 712 21 60</span>' in content
    assert "style=" not in content
    assert "<script>" not in content


def test_it_shows_a_call_without_a_client_to_the_agent_who_took_it_only(client, agent, personas):
    # Its number is all there is to see, and it is on no one else's list.
    call = _event("ringing", caller="0337122160")
    _event("ended")
    client.force_login(personas["planner"])
    assert client.get(_write_up(call.pk)).status_code == 404
    assert client.post(_put_aside(call.pk)).status_code == 404
    call.refresh_from_db()
    assert call.status == InteractionStatus.OPEN
    client.force_login(agent)
    assert client.get(_write_up(call.pk)).status_code == 200
