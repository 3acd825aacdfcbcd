"""Domain events: how a lower app tells the higher ones what happened, without
importing them (ARCHITECTURE.md: imports run one way).

An event is a frozen dataclass deriving from `DomainEvent`, declared in the
publishing app's `events.py`. It carries ids and plain values (str, int, date,
datetime), never model instances, so that a task queue can later carry it as is
(`dataclasses.asdict`).

A service publishes inside its transaction; the subscribers run after the
transaction commits, each on its own:

- a write that is rolled back announces nothing;
- a subscriber that fails is logged (the event's name and the subscriber, never
  the exception's message, which may hold client data) and neither the request
  nor the other subscribers notice;
- outside a transaction (autocommit) the subscribers run at once.

A subscriber app subscribes in its `AppConfig.ready()`:

    from halte.core import events
    from halte.journey.events import CareStarted

    events.subscribe(CareStarted, outreach.triggers.on_care_started)

Subscribing to a base class receives its subclasses too (`DomainEvent`: all).
Tests subscribe for the length of a block with `subscribed(...)`.
"""

import dataclasses
import datetime
import logging
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened. Subclasses add their ids and plain values, and are
    declared with the same decorator: `@dataclass(frozen=True, kw_only=True)`."""

    occurred_at: datetime.datetime = dataclasses.field(default_factory=timezone.now)


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[E], object]

# Per event type, its subscribers in the order they subscribed: those delivered after
# the commit, and those called inside the publishing transaction.
_subscribers: dict[type[DomainEvent], list[Handler]] = {}
_in_transaction: dict[type[DomainEvent], list[Handler]] = {}


def subscribe(event_type: type[E], handler: Handler | None = None, *, in_transaction=False):
    """Call `handler(event)` after each commit that published an `event_type` (or a
    subclass). Subscribing the same handler twice changes nothing. Without a
    handler this is a decorator: `@subscribe(CareStarted)`.

    `in_transaction=True` calls it at once, inside the publishing transaction, and
    lets its errors undo the write: only for a handler that does no more than write a
    row beside the event (enqueue a task on the database queue; see
    core.tasks.enqueue_in_transaction), so that the row commits with the write, or not
    at all, and costs the request no commit of its own."""
    if not (isinstance(event_type, type) and issubclass(event_type, DomainEvent)):
        raise TypeError(f"{event_type!r} is not a DomainEvent class.")
    if handler is None:
        return lambda handler: subscribe(event_type, handler, in_transaction=in_transaction)
    registry = _in_transaction if in_transaction else _subscribers
    handlers = registry.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)
    return handler


def unsubscribe(event_type: type[DomainEvent], handler: Handler) -> None:
    for registry in (_subscribers, _in_transaction):
        handlers = registry.get(event_type, [])
        if handler in handlers:
            handlers.remove(handler)


@contextmanager
def subscribed(event_type: type[E], handler: Handler) -> Iterator[Handler]:
    """Subscribe for the length of the block only (tests). Events published inside
    the block reach the handler even when their transaction commits later."""
    already = handler in _subscribers.get(event_type, [])
    subscribe(event_type, handler)
    try:
        yield handler
    finally:
        if not already:
            unsubscribe(event_type, handler)


@contextmanager
def silenced() -> Iterator[None]:
    """No subscriber at all while the block runs (tests that measure a publisher alone)."""
    global _subscribers, _in_transaction
    kept = _subscribers, _in_transaction
    _subscribers, _in_transaction = {}, {}
    try:
        yield
    finally:
        _subscribers, _in_transaction = kept


def subscribers_of(event_type: type[DomainEvent], *, in_transaction: bool = False) -> list[Handler]:
    """The handlers an event of this type reaches (after the commit, or inside the
    transaction), in order: those of the type itself first, then of its base classes."""
    registry = _in_transaction if in_transaction else _subscribers
    found: list[Handler] = []
    for cls in event_type.__mro__:
        for handler in registry.get(cls, ()):
            if handler not in found:
                found.append(handler)
    return found


def publish(event: DomainEvent) -> None:
    """Announce `event` to its subscribers once the current transaction commits (and
    to the in-transaction ones now).

    The subscribers are those subscribed now; publishing itself runs no query."""
    if not isinstance(event, DomainEvent):
        raise TypeError(f"{event!r} is not a DomainEvent.")
    for handler in subscribers_of(type(event), in_transaction=True):
        handler(event)
    for handler in subscribers_of(type(event)):
        # One callback each: Django runs them in order, and robust=True keeps the
        # others running should the guard itself ever fail.
        transaction.on_commit(_guarded(handler, event), robust=True)


def _guarded(handler: Handler, event: DomainEvent) -> Callable[[], None]:
    def deliver() -> None:
        try:
            handler(event)
        except Exception as error:
            logger.error(
                "Subscriber %s failed on %s: %s at %s.",
                _name(handler),
                type(event).__name__,
                type(error).__name__,
                _where(error),
            )

    return deliver


def _name(handler: Handler) -> str:
    module = getattr(handler, "__module__", "?")
    return f"{module}.{getattr(handler, '__qualname__', type(handler).__name__)}"


def _where(error: Exception) -> str:
    """The file and line that raised: enough to find the fault, without the message
    or the traceback's text, which may quote client data."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return "?"
    return f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"


# Carrying an event through a task queue: its fields as JSON values and back.


def to_payload(event: DomainEvent) -> dict:
    """The event's fields as JSON values (dates and times in ISO 8601)."""
    payload = {}
    for field in dataclasses.fields(event):
        value = getattr(event, field.name)
        if isinstance(value, datetime.date):  # datetime.datetime included
            value = value.isoformat()
        payload[field.name] = value
    return payload


def from_payload(event_type: type[E], payload: dict) -> E:
    """The event `to_payload` gave `payload` for."""
    hints = typing.get_type_hints(event_type)
    values = {}
    for field in dataclasses.fields(event_type):
        if field.name not in payload:
            continue
        value = payload[field.name]
        kind = hints[field.name]
        if value is not None and datetime.datetime in _types_of(kind):
            value = datetime.datetime.fromisoformat(value)
        elif value is not None and datetime.date in _types_of(kind):
            value = datetime.date.fromisoformat(value)
        values[field.name] = value
    return event_type(**values)


def _types_of(hint) -> tuple:
    return typing.get_args(hint) or (hint,)
