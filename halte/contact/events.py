"""What happens to promises, for the apps above contact to act on. Published by
contact.services inside their transaction, delivered after it commits (core.events).
Ids and plain values only: never the promise's description."""

import datetime
from dataclasses import dataclass

from halte.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PromiseMade(DomainEvent):
    client_id: int
    commitment_id: int
    kind: str  # contact.models.CommitmentKind
    due_at: datetime.datetime
    owner_user_id: int | None
    owner_team_id: int | None


@dataclass(frozen=True, kw_only=True)
class PromiseKept(DomainEvent):
    """The promise was kept; `interaction_id` is the contact that kept it."""

    client_id: int
    commitment_id: int
    interaction_id: int


@dataclass(frozen=True, kw_only=True)
class PromiseNearlyDue(DomainEvent):
    """An open promise came within the warning time of its due time (found by
    contact.services.publish_promises_due for the scheduler's slot)."""

    client_id: int
    commitment_id: int
    due_at: datetime.datetime
    owner_user_id: int | None
    owner_team_id: int | None


@dataclass(frozen=True, kw_only=True)
class PromiseOverdue(DomainEvent):
    """An open promise passed its due time (found as PromiseNearlyDue is)."""

    client_id: int
    commitment_id: int
    due_at: datetime.datetime
    owner_user_id: int | None
    owner_team_id: int | None
