"""Promises are announced when made and when kept, once and with the right ids; a
refused write announces nothing."""

import dataclasses

import pytest
from django.core.exceptions import ValidationError

from halte.audit.context import Actor
from halte.clients.tests.factories import ClientFactory
from halte.contact.events import PromiseKept, PromiseMade
from halte.contact.services import (
    commitment_attempt,
    commitment_complete,
    commitment_create,
    interaction_log,
)
from halte.core.errors import Conflict


@pytest.fixture
def kcc(personas):
    return Actor(personas["front_office"])


@pytest.fixture
def hendrika(teams):
    return ClientFactory(team=teams["noord"], given_names="Hendrika", family_name="Berg")


def plain(event):
    fields = dataclasses.asdict(event)
    assert fields.pop("occurred_at") is not None
    return type(event), fields


def promise(kcc, client, team, **fields):
    good = {
        "kind": "callback",
        "description": "Terugbellen over de planning",
        "callback_number": "06 12345678",
    }
    return commitment_create(actor=kcc, client=client, owner_team=team, **{**good, **fields})


def test_it_announces_a_promise_made(kcc, hendrika, teams, published):
    with published() as seen:
        made = promise(kcc, hendrika, teams["noord"])
    assert [plain(event) for event in seen] == [
        (
            PromiseMade,
            {
                "client_id": hendrika.pk,
                "commitment_id": made.pk,
                "kind": "callback",
                "due_at": made.due_at,
                "owner_user_id": None,
                "owner_team_id": teams["noord"].pk,
            },
        )
    ]


def test_it_announces_a_promise_kept_but_not_a_failed_try(
    kcc, hendrika, teams, personas, published
):
    made = promise(kcc, hendrika, teams["noord"])
    nurse = Actor(personas["nurse_noord"])
    with published() as seen:
        commitment_attempt(actor=nurse, commitment=made, outcome="no_answer")
    assert seen == []
    with published() as seen:
        kept = commitment_complete(actor=nurse, commitment=made, summary="Planning doorgegeven")
    assert [plain(event) for event in seen] == [
        (
            PromiseKept,
            {
                "client_id": hendrika.pk,
                "commitment_id": made.pk,
                "interaction_id": kept.result_id,
            },
        )
    ]


def test_a_logged_contact_announces_nothing(kcc, hendrika, published):
    with published() as seen:
        interaction_log(
            actor=kcc, client=hendrika, channel="phone", direction="in", outcome="resolved"
        )
    assert seen == []


def test_refused_promise_writes_announce_nothing(kcc, hendrika, teams, personas, published):
    made = promise(kcc, hendrika, teams["noord"])
    nurse = Actor(personas["nurse_noord"])
    commitment_complete(actor=nurse, commitment=made, summary="Gedaan")
    with published() as seen:
        with pytest.raises(ValidationError):
            promise(kcc, hendrika, None)  # no owner
        with pytest.raises(ValidationError):
            promise(kcc, hendrika, teams["noord"], kind="gossip")
        with pytest.raises(Conflict):
            commitment_complete(actor=nurse, commitment=made, summary="Nog een keer")
    assert seen == []
