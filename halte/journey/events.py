"""What happens along the client's journey, for the apps above journey (outreach
first) to act on. Published by journey.services inside their transaction, delivered
after it commits (core.events). Ids and plain values only: a subscriber reads what
it needs itself."""

import datetime
from dataclasses import dataclass

from halte.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ReferralReceived(DomainEvent):
    client_id: int
    referral_id: int
    product_id: int
    team_id: int
    urgency: str  # journey.models.Urgency


@dataclass(frozen=True, kw_only=True)
class ReferralClosed(DomainEvent):
    """Declined, withdrawn or referred elsewhere: what was planned for it lapses."""

    client_id: int
    referral_id: int
    stage: str  # journey.models.Stage


@dataclass(frozen=True, kw_only=True)
class IntakePlanned(DomainEvent):
    """The intake was planned, or moved to another time (`rescheduled`)."""

    client_id: int
    referral_id: int
    intake_id: int
    planned_at: datetime.datetime
    held_by_id: int
    mode: str  # journey.models.IntakeMode
    rescheduled: bool


@dataclass(frozen=True, kw_only=True)
class WaitingListEntered(DomainEvent):
    client_id: int
    referral_id: int
    entry_id: int
    product_id: int
    team_id: int


@dataclass(frozen=True, kw_only=True)
class WaitingListUpdateGiven(DomainEvent):
    """A member of staff told the waiting client where they stand (by `channel`)."""

    client_id: int
    referral_id: int
    entry_id: int
    channel: str  # contact.models.Channel
    next_update_due: datetime.date


@dataclass(frozen=True, kw_only=True)
class CareStarted(DomainEvent):
    client_id: int
    referral_id: int
    episode_id: int
    team_id: int
    contact_person_id: int
    starts_on: datetime.date


@dataclass(frozen=True, kw_only=True)
class ContactPersonChanged(DomainEvent):
    client_id: int
    episode_id: int
    contact_person_id: int
    previous_contact_person_id: int | None


@dataclass(frozen=True, kw_only=True)
class CareEnded(DomainEvent):
    client_id: int
    referral_id: int
    episode_id: int
    ended_on: datetime.date
    reason: str  # journey.models.EndReason


@dataclass(frozen=True, kw_only=True)
class WaitingListUpdateDue(DomainEvent):
    """A waiting client's next update fell due (found by
    journey.services.publish_waiting_updates_due for the scheduler's day)."""

    client_id: int
    referral_id: int
    entry_id: int
    due_on: datetime.date
