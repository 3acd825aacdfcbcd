"""The API and calls that were never ended: GET /interactions/unwritten, POST
/interactions/{id}/discard, the timeline without drafts, a stale call's state, and
the telephony webhook closing stale calls as events come in."""

import datetime
import json

import pytest
import time_machine
from django.utils import timezone

from halte.api.tests.helpers import Api, audit_entries, error_of, last_seq, looks_since
from halte.audit.context import Actor
from halte.audit.models import Action
from halte.clients.tests.factories import ClientFactory, PhoneFactory
from halte.contact.models import CallState, Interaction, InteractionStatus
from halte.contact.services import call_event_register, interaction_complete
from halte.contact.telephony import sign

pytestmark = pytest.mark.django_db

MINUTE, HOUR = datetime.timedelta(minutes=1), datetime.timedelta(hours=1)
SECRET = "test-telephony-secret-0123456789abcdef"


@pytest.fixture
def agent(personas):
    user = personas["front_office"]
    user.phone_extension = "201"
    user.save()
    return user


def _event(event, *, call_id="call-1", caller="06-87654321", extension="201"):
    return call_event_register(
        call_id=call_id,
        event=event,
        caller=caller,
        agent_extension=extension,
        at=timezone.now(),
    ).interaction


# The timeline


def test_it_keeps_drafts_off_the_timeline_until_written_up(client, agent, client_noord):
    draft = _event("ringing", call_id="draft")
    aside = _event("ringing", call_id="aside")
    Api(client, agent).post(f"/interactions/{aside.pk}/discard")
    api = Api(client, agent)
    timeline = f"/clients/{client_noord.pk}/timeline"

    assert api.get(timeline).json()["items"] == []

    interaction_complete(
        actor=Actor(agent), interaction=draft, client=client_noord, outcome="resolved"
    )
    items = api.get(timeline).json()["items"]
    assert [(i["type"], i["id"], i["status"]) for i in items] == [
        ("interaction", draft.pk, "completed")
    ]


# A stale call's state


def test_it_answers_ended_for_a_call_past_its_time_out_before_it_is_closed(
    client, agent, client_noord
):
    call = _event("ringing")
    with time_machine.travel(timezone.now() + 11 * MINUTE):
        response = Api(client, agent).post(
            f"/interactions/{call.pk}/complete", {"outcome": "resolved"}
        )
    assert response.status_code == 200
    assert (response.json()["call_state"], response.json()["answered_at"]) == ("ended", None)
    assert Interaction.objects.get().call_state == CallState.RINGING


# GET /interactions/unwritten


def test_it_lists_my_calls_to_write_up_without_the_live_one(client, agent, client_noord):
    missed = _event("ringing", call_id="missed")
    _event("ended", call_id="missed")
    _event("ringing", call_id="live", caller="0337122160")
    before = last_seq()

    response = Api(client, agent).get("/interactions/unwritten")

    assert response.status_code == 200
    body = response.json()
    assert [(i["id"], i["call_state"], i["client_id"]) for i in body["items"]] == [
        (missed.pk, "ended", client_noord.pk)
    ]
    assert body["next"] is None
    assert looks_since(before) == [(Action.READ, "contacts", [client_noord.pk], "success")]


def test_one_request_is_one_entry_naming_the_clients_listed(client, agent, teams, client_noord):
    other = ClientFactory(team=teams["noord"])
    PhoneFactory(client=other, e164="+31610002000")
    for call_id, caller in (("first", "06-87654321"), ("second", "06-10002000")):
        _event("ringing", call_id=call_id, caller=caller)
        _event("ended", call_id=call_id)
    before = last_seq()

    items = Api(client, agent).get("/interactions/unwritten").json()["items"]

    assert len(items) == 2
    shown = sorted([client_noord.pk, other.pk])
    assert looks_since(before) == [(Action.READ, "contacts", shown, "success")]


def test_it_lists_my_calls_in_a_constant_number_of_queries(
    client, agent, teams, client_noord, django_assert_num_queries
):
    api = Api(client, agent)
    _event("ringing")
    _event("ended")
    api.get("/interactions/unwritten")  # the token's last use: once a minute
    with django_assert_num_queries(20, exact=False) as one:
        api.get("/interactions/unwritten")
    for i in range(5):
        number = f"+3161000300{i}"
        PhoneFactory(client=ClientFactory(team=teams["noord"]), e164=number)
        _event("ringing", call_id=f"more-{i}", caller=number)
        _event("ended", call_id=f"more-{i}")
    with django_assert_num_queries(len(one.captured_queries)):
        items = api.get("/interactions/unwritten").json()["items"]
    assert len({item["client_id"] for item in items}) == 6


def test_it_lists_a_stale_call_as_ended(client, agent, client_noord):
    _event("ringing")
    _event("answered")
    with time_machine.travel(timezone.now() + 4 * HOUR + MINUTE):
        items = Api(client, agent).get("/interactions/unwritten").json()["items"]
    assert [i["call_state"] for i in items] == ["ended"]


def test_it_leaves_out_the_client_a_nurse_may_not_see(client, personas, client_noord):
    nurse = personas["nurse_zuid"]
    nurse.phone_extension = "305"
    nurse.save()
    _event("ringing", extension="305")
    _event("ended")
    before = last_seq()

    [item] = Api(client, nurse).get("/interactions/unwritten").json()["items"]

    assert (item["client_id"], item["relation_id"], item["caller_e164"]) == (
        None,
        None,
        "+31687654321",
    )
    assert audit_entries(before) == []


@pytest.mark.parametrize("persona", ["manager", "privacy_officer"])
def test_it_refuses_the_list_to_roles_without_the_workplace(client, personas, persona):
    assert Api(client, personas[persona]).get("/interactions/unwritten").status_code == 403


# POST /interactions/{id}/discard


def test_it_puts_a_missed_call_aside(client, agent, client_noord):
    call = _event("ringing")
    _event("ended")
    before = last_seq()

    response = Api(client, agent).post(f"/interactions/{call.pk}/discard")

    assert response.status_code == 200
    assert response.json()["status"] == "discarded"
    assert [(e.action, e.part, e.client_id) for e in audit_entries(before)] == [
        (Action.UPDATE, "contacts", client_noord.pk)
    ]
    assert Api(client, agent).get("/interactions/unwritten").json()["items"] == []


def test_it_refuses_to_discard_an_answered_call_or_twice_with_409(client, agent, client_noord):
    answered = _event("ringing", call_id="answered")
    _event("answered", call_id="answered")
    _event("ended", call_id="answered")
    missed = _event("ringing", call_id="missed", caller="0337122160")
    _event("ended", call_id="missed")
    api = Api(client, agent)
    assert api.post(f"/interactions/{missed.pk}/discard").status_code == 200

    for call in (answered, missed):
        response = api.post(f"/interactions/{call.pk}/discard")
        assert response.status_code == 409
        assert error_of(response)["code"] == "conflict"
    assert Interaction.objects.get(pk=answered.pk).status == InteractionStatus.OPEN


def test_it_hides_another_teams_call_as_404_and_refuses_the_manager(client, personas, client_noord):
    call = _event("ringing")
    assert (
        Api(client, personas["nurse_zuid"]).post(f"/interactions/{call.pk}/discard").status_code
        == 404
    )
    assert (
        Api(client, personas["manager"]).post(f"/interactions/{call.pk}/discard").status_code == 403
    )
    assert Interaction.objects.get().status == InteractionStatus.OPEN


# The telephony webhook


def _post_event(client, call_id, event):
    body = json.dumps(
        {
            "call_id": call_id,
            "event": event,
            "caller": "06-87654321",
            "called": "033-7122160",
            "agent_extension": "201",
            "at": timezone.now().isoformat(),
        }
    ).encode()
    return client.post(
        "/api/v1/telephony/events",
        body,
        content_type="application/json",
        HTTP_X_HALTE_SIGNATURE=sign(body, SECRET),
    )


def test_it_ends_a_forgotten_call_when_the_next_call_comes_in(
    client, settings, agent, client_noord
):
    settings.TELEPHONY_WEBHOOK_SECRET = SECRET
    assert _post_event(client, "forgotten", "ringing").status_code == 201
    with time_machine.travel(timezone.now() + 11 * MINUTE):
        response = _post_event(client, "next", "ringing")
        assert response.status_code == 201
        assert response.json()["call_state"] == "ringing"
    forgotten = Interaction.objects.get(call_id="forgotten")
    assert (forgotten.call_state, forgotten.call_timed_out, forgotten.status) == (
        CallState.ENDED,
        True,
        InteractionStatus.OPEN,
    )


def test_it_lets_the_telephone_systems_late_answer_count(client, settings, agent, client_noord):
    settings.TELEPHONY_WEBHOOK_SECRET = SECRET
    _post_event(client, "slow", "ringing")
    with time_machine.travel(timezone.now() + 11 * MINUTE):
        _post_event(client, "other", "ringing")  # closes "slow"
        response = _post_event(client, "slow", "answered")
    assert response.json()["call_state"] == "answered"
    assert Interaction.objects.get(call_id="slow").call_timed_out is False


def test_it_lets_only_the_agent_who_took_it_discard_a_call_without_a_client(
    client, agent, personas
):
    call = _event("ringing", caller="0337122160")
    _event("ended")

    response = Api(client, personas["planner"]).post(f"/interactions/{call.pk}/discard")

    assert response.status_code == 404
    assert Api(client, agent).post(f"/interactions/{call.pk}/discard").status_code == 200
