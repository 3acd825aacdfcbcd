"""Calls whose `ended` never came: they end after a time-out (ringing: minutes,
answered: hours), by close_stale_calls, its command, and the next call event; a
real event of the call overrules the guess; a missed call can be put aside."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from halte.audit.models import Action, AuditEntry, Outcome
from halte.clients.tests.pages import entries_since, last_seq
from halte.contact.models import CallState, Interaction, InteractionStatus
from halte.contact.services import (
    ALREADY_PUT_ASIDE,
    ANSWERED_CALL_TO_WRITE_UP,
    CALL_STILL_GOING,
    CALL_TIMEOUT,
    call_event_register,
    close_stale_calls,
    interaction_complete,
    interaction_discard,
)
from halte.core.errors import Conflict
from halte.core.tests.test_settings import _manage

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 24, 9, 15, tzinfo=datetime.UTC)
MINUTE, HOUR = datetime.timedelta(minutes=1), datetime.timedelta(hours=1)


def _event(event, *, call_id="call-1", at=START, caller="06-12345678", extension="201"):
    return call_event_register(
        call_id=call_id, event=event, caller=caller, agent_extension=extension, at=at
    ).interaction


def _fresh(call) -> Interaction:
    return Interaction.objects.get(pk=call.pk)


@pytest.fixture(autouse=True)
def _at_start():
    """The telephone system's events come in as they happen: at START."""
    with time_machine.travel(START, tick=False):
        yield


@pytest.fixture
def agent(personas):
    user = personas["front_office"]
    user.phone_extension = "201"
    user.save()
    return user


# Time-outs


def test_it_marks_a_closed_call_as_changed_when_it_closed_it(client_noord):
    call = _event("ringing")
    later = START + HOUR
    with time_machine.travel(later, tick=False):
        close_stale_calls(now=later)
    assert _fresh(call).updated_at == later


def test_it_leaves_a_call_ringing_until_the_ring_time_out(client_noord):
    call = _event("ringing")
    assert close_stale_calls(now=START + 10 * MINUTE) == 0
    assert _fresh(call).call_state == CallState.RINGING


def test_it_ends_a_call_that_rang_past_the_ring_time_out(client_noord):
    call = _event("ringing")
    later = START + 10 * MINUTE + datetime.timedelta(seconds=1)

    assert close_stale_calls(now=later) == 1

    closed = _fresh(call)
    assert (closed.call_state, closed.ended_at, closed.call_timed_out) == (
        CallState.ENDED,
        START + 10 * MINUTE,  # when its time-out passed, not when the closer ran
        True,
    )
    # The draft stays for the agent to write up; a missed call it is.
    assert closed.status == InteractionStatus.OPEN
    assert closed.is_missed_call


def test_it_gives_an_answered_call_hours_counted_from_the_answer(client_noord):
    call = _event("ringing")
    _event("answered", at=START + 20 * MINUTE)
    answered_at = START + 20 * MINUTE

    assert close_stale_calls(now=answered_at + 4 * HOUR) == 0
    assert _fresh(call).call_state == CallState.ANSWERED
    assert close_stale_calls(now=answered_at + 4 * HOUR + MINUTE) == 1
    assert _fresh(call).call_state == CallState.ENDED
    assert _fresh(call).ended_at == answered_at + 4 * HOUR
    assert not _fresh(call).is_missed_call


def test_it_reads_the_time_outs_from_the_settings(settings, client_noord):
    settings.CALL_RING_TIMEOUT_MINUTES = 2
    call = _event("ringing")
    assert close_stale_calls(now=START + 3 * MINUTE) == 1
    assert _fresh(call).call_state == CallState.ENDED


def test_it_closes_with_the_time_machine_clock_by_default(client_noord):
    with time_machine.travel(START, tick=False):
        call = _event("ringing", at=timezone.now())
    with time_machine.travel(START + 11 * MINUTE, tick=False):
        assert close_stale_calls() == 1
    assert _fresh(call).ended_at == START + 10 * MINUTE


def test_it_is_idempotent(client_noord):
    _event("ringing")
    later = START + HOUR
    assert close_stale_calls(now=later) == 1
    seq = last_seq()

    assert close_stale_calls(now=later) == 0
    assert close_stale_calls(now=later + HOUR) == 0
    assert entries_since(seq) == []


def test_it_leaves_ended_and_written_up_calls_alone(client_noord):
    ended = _event("ringing", call_id="ended")
    _event("ended", call_id="ended", at=START + MINUTE)
    assert close_stale_calls(now=START + 5 * HOUR) == 0
    assert _fresh(ended).call_timed_out is False
    assert _fresh(ended).ended_at == START + MINUTE


def test_it_also_ends_a_call_written_up_while_it_rang_on(personas, client_noord):
    from halte.audit.context import Actor

    call = _event("ringing")
    interaction_complete(
        actor=Actor(personas["front_office"]),
        interaction=call,
        client=client_noord,
        outcome="resolved",
    )
    assert close_stale_calls(now=START + HOUR) == 1
    done = _fresh(call)
    assert (done.status, done.call_state) == (InteractionStatus.COMPLETED, CallState.ENDED)


def test_it_writes_one_update_entry_per_client_by_the_time_out(client_noord):
    _event("ringing", call_id="known")
    _event("ringing", call_id="unknown", caller="0337122160")
    _event("ringing", call_id="withheld", caller="anonymous")
    seq = last_seq()

    assert close_stale_calls(now=START + HOUR) == 3

    assert entries_since(seq) == [(Action.UPDATE, "contacts", client_noord.pk, Outcome.SUCCESS)]
    entry = AuditEntry.objects.get(seq__gt=seq)
    assert (entry.user_id, entry.on_behalf_of) == (None, CALL_TIMEOUT)


# Events: the next one closes stale calls, a real one overrules the time-out


def test_it_closes_stale_calls_when_the_next_call_event_comes_in(client_noord):
    with time_machine.travel(START, tick=False):
        stale = _event("ringing", call_id="old", at=timezone.now())
    with time_machine.travel(START + HOUR, tick=False):
        _event("ringing", call_id="new", at=timezone.now())
    assert _fresh(stale).call_state == CallState.ENDED
    assert Interaction.objects.get(call_id="new").call_state == CallState.RINGING


def test_it_lets_a_late_answer_overrule_the_time_out(client_noord):
    call = _event("ringing")
    close_stale_calls(now=START + 11 * MINUTE)

    _event("answered", at=START + 12 * MINUTE)

    revived = _fresh(call)
    assert (revived.call_state, revived.call_timed_out, revived.ended_at) == (
        CallState.ANSWERED,
        False,
        None,
    )
    assert revived.answered_at == START + 12 * MINUTE


def test_it_takes_the_real_end_over_the_time_out(client_noord):
    call = _event("ringing")
    _event("answered", at=START + MINUTE)
    close_stale_calls(now=START + 5 * HOUR)

    _event("ended", at=START + 2 * HOUR)

    ended = _fresh(call)
    assert (ended.call_state, ended.call_timed_out, ended.ended_at) == (
        CallState.ENDED,
        False,
        START + 2 * HOUR,
    )


def test_it_gives_the_call_to_whoever_answers_it(agent, personas, client_noord):
    other = personas["team_lead"]
    other.phone_extension = "202"
    other.save()
    call = _event("ringing", extension="201")
    assert _fresh(call).staff == agent

    _event("answered", extension="202", at=START + MINUTE)

    assert _fresh(call).staff == other


def test_it_says_a_stale_call_is_ended_before_it_is_closed(client_noord):
    call = _fresh(_event("ringing"))
    assert call.call_state_at(START + 9 * MINUTE) == CallState.RINGING
    assert call.call_state_at(START + 11 * MINUTE) == CallState.ENDED
    assert call.call_state == CallState.RINGING  # nothing written


# The command


def test_it_closes_stale_calls_from_the_command(client_noord):
    with time_machine.travel(START, tick=False):
        call = _event("ringing", at=timezone.now())
    out = io.StringIO()
    with time_machine.travel(START + HOUR, tick=False):
        call_command("close_stale_calls", stdout=out)
        call_command("close_stale_calls", stdout=out)
    assert out.getvalue().splitlines() == ["Closed 1 stale call.", "Closed 0 stale calls."]
    assert _fresh(call).call_state == CallState.ENDED


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CALL_RING_TIMEOUT_MINUTES", "0", "CALL_RING_TIMEOUT_MINUTES must be at least 1"),
        ("CALL_ANSWERED_TIMEOUT_HOURS", "vier", "CALL_ANSWERED_TIMEOUT_HOURS must be a whole"),
    ],
)
def test_it_refuses_to_start_with_a_bad_time_out(variable, value, message):
    result = _manage("check", env={variable: value})
    assert result.returncode != 0
    assert message in result.stderr


# Putting a missed call aside


def test_it_puts_a_missed_call_aside_with_an_update_entry(agent, client_noord):
    from halte.audit.context import Actor

    call = _event("ringing")
    _event("ended", at=START + MINUTE)
    seq = last_seq()

    interaction_discard(actor=Actor(agent), interaction=call)

    assert _fresh(call).status == InteractionStatus.DISCARDED
    assert entries_since(seq) == [(Action.UPDATE, "contacts", client_noord.pk, Outcome.SUCCESS)]
    with pytest.raises(Conflict, match=str(ALREADY_PUT_ASIDE)):
        interaction_discard(actor=Actor(agent), interaction=call)
    with pytest.raises(Conflict, match=str(ALREADY_PUT_ASIDE)):
        interaction_complete(
            actor=Actor(agent), interaction=call, client=client_noord, outcome="resolved"
        )


def test_it_refuses_to_put_an_answered_call_aside(agent, client_noord):
    from halte.audit.context import Actor

    call = _event("ringing")
    _event("answered", at=START + MINUTE)
    _event("ended", at=START + 2 * MINUTE)

    with pytest.raises(Conflict, match=str(ANSWERED_CALL_TO_WRITE_UP)):
        interaction_discard(actor=Actor(agent), interaction=call)
    assert _fresh(call).status == InteractionStatus.OPEN


def test_it_refuses_to_put_aside_a_call_still_ringing_until_its_time_out(agent, client_noord):
    from halte.audit.context import Actor

    call = _event("ringing")
    with pytest.raises(Conflict, match=str(CALL_STILL_GOING)):
        interaction_discard(actor=Actor(agent), interaction=call)
    with time_machine.travel(START + 11 * MINUTE, tick=False):
        interaction_discard(actor=Actor(agent), interaction=call)
    assert _fresh(call).status == InteractionStatus.DISCARDED
