"""Domain events: delivered once after commit, never after a rollback, in order, and
a failing subscriber is logged without client data and harms no one else."""

import dataclasses
import datetime
import json
import logging

import pytest
from django.db import transaction

from halte.core import events
from halte.core.events import DomainEvent, publish, subscribe, subscribed, subscribers_of


@dataclasses.dataclass(frozen=True, kw_only=True)
class Happened(DomainEvent):
    client_id: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class HappenedLouder(Happened):
    volume: int = 11


class Rollback(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_it_delivers_after_the_commit_and_not_before():
    seen = []
    with subscribed(Happened, seen.append):
        with transaction.atomic():
            publish(Happened(client_id=1))
            assert seen == []
        assert [event.client_id for event in seen] == [1]


@pytest.mark.django_db(transaction=True)
def test_it_delivers_nothing_when_the_transaction_is_rolled_back():
    seen = []
    with subscribed(Happened, seen.append), pytest.raises(Rollback), transaction.atomic():
        publish(Happened(client_id=1))
        raise Rollback
    assert seen == []


def test_a_rolled_back_savepoint_drops_only_its_own_events(db, django_capture_on_commit_callbacks):
    seen = []
    with (
        django_capture_on_commit_callbacks(execute=True),
        subscribed(Happened, seen.append),
        transaction.atomic(),
    ):
        publish(Happened(client_id=1))
        with pytest.raises(Rollback), transaction.atomic():
            publish(Happened(client_id=2))
            raise Rollback
    assert [event.client_id for event in seen] == [1]


@pytest.mark.django_db(transaction=True)
def test_it_delivers_at_once_outside_a_transaction():
    seen = []
    with subscribed(Happened, seen.append):
        publish(Happened(client_id=1))
        assert len(seen) == 1


@pytest.mark.django_db(transaction=True)
def test_each_publish_is_delivered_once_even_to_a_handler_subscribed_twice():
    seen = []
    with (
        subscribed(Happened, seen.append),
        subscribed(Happened, seen.append),
        transaction.atomic(),
    ):
        publish(Happened(client_id=1))
        publish(Happened(client_id=2))
    assert [event.client_id for event in seen] == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_is_logged_without_its_message_and_the_others_still_run(caplog):
    seen = []

    def first(event):
        seen.append("first")

    def breaks(event):
        raise ValueError("Hendrika van den Berg, BSN 111222333")

    def last(event):
        seen.append("last")

    with (
        subscribed(Happened, first),
        subscribed(Happened, breaks),
        subscribed(Happened, last),
        caplog.at_level(logging.ERROR, logger="halte.core.events"),
        transaction.atomic(),  # its commit does not raise
    ):
        publish(Happened(client_id=1))
    assert seen == ["first", "last"]
    (record,) = [r for r in caplog.records if r.name == "halte.core.events"]
    message = record.getMessage()
    assert "breaks" in message
    assert "Happened" in message
    assert "ValueError" in message
    assert "test_events.py" in message
    assert record.exc_info is None
    assert "Hendrika" not in caplog.text
    assert "111222333" not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_subscribers_run_in_the_order_they_subscribed_the_event_type_before_its_bases():
    order = []

    def on_any(event):
        order.append("any")

    def on_happened(event):
        order.append("happened")

    def on_louder(event):
        order.append("louder")

    with (
        subscribed(DomainEvent, on_any),
        subscribed(Happened, on_happened),
        subscribed(HappenedLouder, on_louder),
    ):
        publish(HappenedLouder(client_id=1))
        publish(Happened(client_id=2))
    assert order == ["louder", "happened", "any", "happened", "any"]


def test_publishing_runs_no_query(db, django_assert_num_queries):
    with subscribed(Happened, print), transaction.atomic(), django_assert_num_queries(0):
        publish(Happened(client_id=1))
        publish(HappenedLouder(client_id=2))


def test_the_temporary_subscription_is_gone_after_the_block_also_after_an_error():
    def handler(event):
        pass

    with subscribed(Happened, handler):
        assert subscribers_of(Happened) == [handler]
    assert subscribers_of(Happened) == []
    with pytest.raises(Rollback), subscribed(Happened, handler):
        raise Rollback
    assert subscribers_of(Happened) == []


def test_a_temporary_subscription_leaves_a_lasting_one_in_place():
    def handler(event):
        pass

    subscribe(Happened, handler)
    try:
        with subscribed(Happened, handler):
            pass
        assert subscribers_of(Happened) == [handler]
    finally:
        events.unsubscribe(Happened, handler)


def test_subscribe_works_as_a_decorator():
    @subscribe(Happened)
    def handler(event):
        pass

    try:
        assert subscribers_of(Happened) == [handler]
    finally:
        events.unsubscribe(Happened, handler)


def test_only_domain_events_are_published_or_subscribed_to():
    with pytest.raises(TypeError):
        publish({"client_id": 1})
    with pytest.raises(TypeError):
        subscribe(dict, print)


def test_an_event_is_frozen_and_plain_enough_to_serialise():
    event = Happened(client_id=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.client_id = 2
    assert set(dataclasses.asdict(event)) == {"occurred_at", "client_id"}
    assert event.occurred_at.tzinfo is not None


# In-transaction subscribers: called at once, and their errors undo the write.


@pytest.mark.django_db(transaction=True)
def test_an_in_transaction_subscriber_runs_at_once_and_the_others_after_the_commit():
    seen = []

    def now(event):
        seen.append(("now", event.client_id))

    def later(event):
        seen.append(("later", event.client_id))

    subscribe(Happened, now, in_transaction=True)
    try:
        with subscribed(Happened, later):
            assert subscribers_of(Happened, in_transaction=True) == [now]
            assert subscribers_of(Happened) == [later]
            with transaction.atomic():
                publish(Happened(client_id=1))
                assert seen == [("now", 1)]
        assert seen == [("now", 1), ("later", 1)]
    finally:
        events.unsubscribe(Happened, now)
    assert subscribers_of(Happened, in_transaction=True) == []


@pytest.mark.django_db(transaction=True)
def test_an_in_transaction_subscriber_that_fails_undoes_the_write_and_tells_no_one():
    from halte.core.models import Team
    from halte.core.tests.factories import TeamFactory

    seen = []

    @subscribe(Happened, in_transaction=True)
    def breaks(event):
        raise Rollback

    try:
        with subscribed(Happened, seen.append), pytest.raises(Rollback), transaction.atomic():
            TeamFactory(name="Oost")
            publish(Happened(client_id=1))
    finally:
        events.unsubscribe(Happened, breaks)
    assert not Team.objects.filter(name="Oost").exists()
    assert seen == []


def test_subscribing_to_an_event_type_nothing_subscribed_to_yet():
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Unheard(DomainEvent):
        pass

    def handler(event):
        pass

    for in_transaction in (False, True):
        subscribe(Unheard, handler, in_transaction=in_transaction)
        try:
            assert subscribers_of(Unheard, in_transaction=in_transaction) == [handler]
        finally:
            events.unsubscribe(Unheard, handler)


def test_the_refusals_name_what_was_given():
    with pytest.raises(TypeError, match=r"^\{'client_id': 1\} is not a DomainEvent\.$"):
        publish({"client_id": 1})
    with pytest.raises(TypeError, match=r"^<class 'dict'> is not a DomainEvent class\.$"):
        subscribe(dict, print)


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_is_named_by_its_module_and_name_in_a_fixed_message(caplog):
    class Recorder:
        """A callable object: named by its class (it has no __qualname__ of its own)."""

        def __call__(self, event):
            raise KeyError("Hendrika")

    def breaks(event):
        raise ValueError("Hendrika")

    recorder = Recorder()
    with (
        subscribed(Happened, breaks),
        subscribed(Happened, recorder),
        caplog.at_level(logging.ERROR, logger="halte.core.events"),
    ):
        publish(Happened(client_id=1))
    messages = [r.getMessage() for r in caplog.records if r.name == "halte.core.events"]
    here = __file__
    assert messages == [
        f"Subscriber {__name__}.test_a_failing_subscriber_is_named_by_its_module_and_name_in_a"
        f"_fixed_message.<locals>.breaks failed on Happened: ValueError at {here}:"
        f"{breaks.__code__.co_firstlineno + 1}.",
        f"Subscriber {__name__}.Recorder failed on Happened: KeyError at {here}:"
        f"{Recorder.__call__.__code__.co_firstlineno + 1}.",
    ]


# Carried through the task queue: to_payload and back.


@dataclasses.dataclass(frozen=True, kw_only=True)
class Planned(DomainEvent):
    client_id: int
    note: str = ""
    day: datetime.date
    until: datetime.datetime | None = None
    reviewed_on: datetime.date | None = None


def test_an_event_goes_through_its_payload_and_back_unchanged():
    moment = datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.UTC)
    event = Planned(
        client_id=7,
        note="bellen",
        day=datetime.date(2026, 3, 29),
        until=moment,
        reviewed_on=datetime.date(2026, 4, 1),
    )

    payload = events.to_payload(event)

    assert payload == {
        "occurred_at": event.occurred_at.isoformat(),
        "client_id": 7,
        "note": "bellen",
        "day": "2026-03-29",
        "until": "2026-03-29T01:30:00+00:00",
        "reviewed_on": "2026-04-01",
    }
    assert json.loads(json.dumps(payload)) == payload
    assert events.from_payload(Planned, payload) == event


def test_empty_optional_dates_stay_empty_and_missing_fields_take_their_defaults():
    event = Planned(client_id=7, day=datetime.date(2026, 3, 29))
    payload = events.to_payload(event)
    assert payload["until"] is None and payload["reviewed_on"] is None
    assert events.from_payload(Planned, payload) == event

    # A payload written before a field was added: the fields after it still read.
    del payload["note"]
    assert events.from_payload(Planned, payload) == event
