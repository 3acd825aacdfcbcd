"""Promises are announced when made and when kept, once and with the right ids; a
refused write announces nothing."""

import dataclasses
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from halte.audit.context import Actor
from halte.clients.tests.factories import ClientFactory
from halte.contact.events import PromiseKept, PromiseMade, PromiseNearlyDue, PromiseOverdue
from halte.contact.services import (
    commitment_attempt,
    commitment_complete,
    commitment_create,
    interaction_log,
    publish_promises_due,
)
from halte.core import events
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


HOUR = datetime.timedelta(hours=1)


def test_a_slot_announces_the_promises_nearly_due_and_overdue_in_it(
    kcc, hendrika, teams, personas, published
):
    now = timezone.now()
    noord = teams["noord"]
    overdue = promise(kcc, hendrika, noord, due_at=now + 1.5 * HOUR)
    nearly = promise(kcc, hendrika, noord, due_at=now + 4.5 * HOUR)
    promise(kcc, hendrika, noord, due_at=now + 2.5 * HOUR)  # in neither window
    kept = promise(kcc, hendrika, noord, due_at=now + 1.5 * HOUR)
    commitment_complete(actor=Actor(personas["nurse_noord"]), commitment=kept, summary="Gedaan")
    with published() as seen:
        count = publish_promises_due(since=now + HOUR, until=now + 2 * HOUR, warn_before=3 * HOUR)
    expected = {"client_id": hendrika.pk, "owner_user_id": None, "owner_team_id": noord.pk}
    assert [plain(event) for event in seen] == [
        (
            PromiseNearlyDue,
            {**expected, "commitment_id": nearly.pk, "due_at": nearly.due_at},
        ),
        (
            PromiseOverdue,
            {**expected, "commitment_id": overdue.pk, "due_at": overdue.due_at},
        ),
    ]
    assert count == 2


def test_consecutive_slots_announce_each_promise_once(kcc, hendrika, teams, published):
    now = timezone.now()
    on_the_edge = promise(kcc, hendrika, teams["noord"], due_at=now + 2 * HOUR)
    with published() as seen:
        for start in (now + HOUR, now + 2 * HOUR, now + 3 * HOUR):
            publish_promises_due(since=start, until=start + HOUR, warn_before=HOUR)
    assert [(type(event), event.commitment_id) for event in seen] == [
        (PromiseNearlyDue, on_the_edge.pk),
        (PromiseOverdue, on_the_edge.pk),
    ]


def test_finding_due_promises_takes_the_same_queries_for_one_or_many(
    kcc, hendrika, teams, django_assert_num_queries
):
    # The finding alone: what subscribers write beside each event is theirs.
    now = timezone.now()
    slot = {"since": now + HOUR, "until": now + 2 * HOUR, "warn_before": HOUR}
    promise(kcc, hendrika, teams["noord"], due_at=now + 1.5 * HOUR)
    with (
        events.silenced(),
        django_assert_num_queries(4),
    ):  # a savepoint and its release, a query per kind
        assert publish_promises_due(**slot) == 1
    for _ in range(3):
        promise(kcc, hendrika, teams["noord"], due_at=now + 2.5 * HOUR)
    with events.silenced(), django_assert_num_queries(4):
        assert publish_promises_due(**slot) == 4


def test_it_warns_of_no_promise_made_within_its_warning_time(kcc, hendrika, teams, published):
    now = timezone.now()
    promise(kcc, hendrika, teams["noord"], due_at=now + HOUR / 2)  # its owner just made it
    with published() as seen:
        publish_promises_due(since=now - HOUR, until=now, warn_before=HOUR)
    assert seen == []


def test_a_slot_announces_its_promises_by_due_time_with_their_owners(
    kcc, hendrika, teams, personas, published
):
    now = timezone.now()
    nurse = personas["nurse_noord"]
    later = promise(kcc, hendrika, None, owner_user=nurse, due_at=now + 1.75 * HOUR)
    sooner = promise(kcc, hendrika, teams["noord"], due_at=now + 1.25 * HOUR)
    with published() as seen:
        publish_promises_due(since=now + HOUR, until=now + 2 * HOUR, warn_before=3 * HOUR)
    assert [(event.commitment_id, event.owner_user_id, event.owner_team_id) for event in seen] == [
        (sooner.pk, None, teams["noord"].pk),
        (later.pk, nurse.pk, None),
    ]


def test_a_promise_made_to_a_person_names_them(kcc, hendrika, personas, published):
    nurse = personas["nurse_noord"]
    with published() as seen:
        made = promise(kcc, hendrika, None, owner_user=nurse)
    assert [(event.commitment_id, event.owner_user_id, event.owner_team_id) for event in seen] == [
        (made.pk, nurse.pk, None)
    ]


def test_a_slot_whose_reading_fails_halfway_announces_nothing(kcc, hendrika, teams, published):
    """All or nothing: the nearly-due promises read before the failure are not announced
    either, or the next run of the slot would announce them twice."""
    from django.db import OperationalError, connection

    from halte.contact.models import Commitment

    now = timezone.now()
    promise(kcc, hendrika, teams["noord"], due_at=now + 4.5 * HOUR)  # nearly due
    promise(kcc, hendrika, teams["noord"], due_at=now + 1.5 * HOUR)  # overdue
    reads = 0

    def second_read_fails(execute, sql, params, many, context):
        nonlocal reads
        if sql.lstrip().upper().startswith("SELECT") and Commitment._meta.db_table in sql:
            reads += 1
            if reads == 2:
                raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with (
        published() as seen,
        pytest.raises(OperationalError),
        connection.execute_wrapper(second_read_fails),
    ):
        publish_promises_due(since=now + HOUR, until=now + 2 * HOUR, warn_before=3 * HOUR)
    assert seen == []
