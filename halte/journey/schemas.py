"""The API's shapes of the care offer, referrals, intakes, the waiting list, care
episodes and a client's journey.

Shapes and bounds only; whether a step fits the referral's stage, a person may hold
an intake or a status fits the care is checked by journey.services. Times go out in
the organisation's time zone, with their offset; dates as YYYY-MM-DD.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict

from halte.core.api.types import MAX_ID, LocalDateTime, text
from halte.journey.models import (
    EndReason,
    IntakeMode,
    IntakeOutcome,
    Priority,
    ReferralSource,
    Urgency,
    WaitingStatus,
)

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Hours = Annotated[Decimal, Field(ge=0, lt=100, allow_inf_nan=False)]
MAX_AGREEMENTS = 20
MAX_RELATIVES = 20


class InputSchema(Schema):
    # A misspelt field is refused rather than silently ignored.
    model_config = ConfigDict(extra="forbid")


def _related(obj, name: str):
    """A reverse one-to-one (intake, waiting entry, care episode), or None."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def _hours(value) -> float | None:
    return float(value) if value is not None else None


class PersonOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj):
        return obj.get_full_name() or obj.get_username()


class PageOut(Schema):
    next: str | None = Field(description="Pass as ?cursor= for the next page; null at the end.")


# The care offer


class CareProductOut(Schema):
    id: int
    code: str = Field(description="What the other endpoints take as `product`.")
    name: str
    financing: str = Field(description="zvw, wlz, wmo or private.")
    norm_days: int = Field(description="The longest acceptable wait, receipt to care start.")


class CareProductPageOut(PageOut):
    items: list[CareProductOut]


# Referrals and intakes


class ReferralIn(InputSchema):
    client_id: Id
    source: ReferralSource
    product: text(40) = Field(description="The care asked for: a care product's code.")
    team_id: Id | None = Field(None, description="Default: the client's team.")
    urgency: Urgency = Urgency.REGULAR
    received_at: AwareDatetime | None = Field(None, description="Default: now.")
    referrer_id: Id | None = Field(None, description="The relation of the client who referred.")
    question: text(500) = ""
    owner_id: Id | None = Field(None, description="The planner who sees it through.")


class AssignIn(InputSchema):
    owner_id: Id


class TransitionIn(InputSchema):
    stage: Literal["contacted", "declined", "withdrawn", "referred_elsewhere"]
    reason: text(500) = Field(
        "", description="Required for declined, withdrawn and referred_elsewhere."
    )


class IntakePlanIn(InputSchema):
    planned_at: AwareDatetime
    held_by_id: Id = Field(description="Who holds the intake (a user id).")
    mode: IntakeMode = IntakeMode.HOME_VISIT
    relative_ids: list[Id] = Field(
        [], max_length=MAX_RELATIVES, description="Relations of the client who will be there."
    )


class IntakeCompleteIn(InputSchema):
    held_at: AwareDatetime
    outcome: IntakeOutcome
    indicated_product: text(40) | None = Field(
        None, description="A care product's code; required when the outcome is care_needed."
    )
    hours_per_week: Hours | None = None
    summary: text(1000) = ""
    agreements: list[text(1000)] = Field(
        [],
        max_length=MAX_AGREEMENTS,
        description="Each becomes a promise owned by whoever held the intake.",
    )


class IntakeOut(Schema):
    id: int
    planned_at: LocalDateTime
    mode: str
    held_by: PersonOut
    relative_ids: list[int]
    held_at: LocalDateTime | None
    outcome: str = Field(description="Empty until the intake was held.")
    indicated_product: str | None = Field(description="The indicated care product's code.")
    hours_per_week: float | None
    summary: str

    @staticmethod
    def resolve_relative_ids(obj):
        return sorted(relation.pk for relation in obj.relatives_present.all())

    @staticmethod
    def resolve_indicated_product(obj):
        return obj.indicated_product.code if obj.indicated_product_id else None

    @staticmethod
    def resolve_hours_per_week(obj):
        return _hours(obj.hours_per_week)


class ReferralOut(Schema):
    id: int
    client_id: int
    client_display_name: str
    source: str
    referrer_id: int | None
    product: str = Field(description="The care asked for: a care product's code.")
    team_id: int
    urgency: str
    received_at: LocalDateTime
    question: str
    stage: str
    stage_since: LocalDateTime
    due_at: LocalDateTime | None = Field(description="When the current stage's norm runs out.")
    overdue: bool
    closed_reason: str
    owner: PersonOut | None
    intake: IntakeOut | None
    waiting_entry_id: int | None
    care_episode_id: int | None
    version: int

    @staticmethod
    def resolve_client_display_name(obj):
        return obj.client.formal_name

    @staticmethod
    def resolve_product(obj):
        return obj.product.code

    @staticmethod
    def resolve_overdue(obj):
        return obj.due_at is not None and obj.due_at < timezone.now()

    @staticmethod
    def resolve_intake(obj):
        return _related(obj, "intake")

    @staticmethod
    def resolve_waiting_entry_id(obj):
        entry = _related(obj, "waiting_entry")
        return entry.pk if entry else None

    @staticmethod
    def resolve_care_episode_id(obj):
        episode = _related(obj, "care_episode")
        return episode.pk if episode else None


class ReferralPageOut(PageOut):
    items: list[ReferralOut]


# The waiting list


class WaitingPlaceIn(InputSchema):
    status: WaitingStatus = Field(
        description="Wlz: urgent, active_placement, preference or precautionary; "
        "other care: active or non_active."
    )
    priority: Priority = Field(Priority.NORMAL, description="1 high, 2 normal, 3 low.")
    care_office: text(10) | None = Field(None, description="Wlz: the care office's code.")
    bridging_care: text(300) = Field("", description="Care given while the client waits.")


class WaitingPatchIn(InputSchema):
    priority: Priority | None = Field(None, description="1 high, 2 normal, 3 low.")
    status: WaitingStatus | None = None
    reason: text(500) = Field(description="Why; goes into the client's journey.")


class WaitingUpdateIn(InputSchema):
    channel: Literal["phone", "email", "sms", "letter", "portal", "visit", "walk_in"]
    summary: text(5000) = Field(description="What the client or relative was told.")


BridgingText = text(300)  # the field below is named text too


class BridgingCareIn(InputSchema):
    text: BridgingText = Field(description="Empty: no bridging care any more.")


class EstimateOut(Schema):
    expected: datetime.date | None
    earliest: datetime.date | None = Field(description="The 80% range's start.")
    latest: datetime.date | None = Field(description="The 80% range's end.")


class WaitingEntryOut(Schema):
    id: int
    referral_id: int
    client_id: int
    client_display_name: str
    product: str = Field(description="The care waited for: a care product's code.")
    team_id: int
    care_office: str | None = Field(description="Wlz: the care office's code.")
    status: str
    priority: int = Field(description="1 high, 2 normal, 3 low.")
    position: int | None = Field(description="Place in line; null when not active.")
    estimate: EstimateOut = Field(description="Expected start; nulls when unknown.")
    waiting_since: datetime.date
    norm_date: datetime.date = Field(description="Receipt of the referral plus the norm.")
    norm_exceeded: bool
    will_exceed_norm: bool = Field(description="Over the norm, or expected to start after it.")
    update_due: bool = Field(description="The client should be told where they stand.")
    last_update_on: datetime.date | None
    next_update_due: datetime.date
    bridging_care: str
    left_on: datetime.date | None
    left_reason: str
    version: int


class OutflowOut(Schema):
    started: int = Field(description="Clients of this queue who started care in `weeks` weeks.")
    weeks: int
    per_week: float


class WaitingListOut(Schema):
    product: str
    team_id: int
    outflow: OutflowOut
    waiting: int = Field(description="Everyone on this list, also those you may not see.")
    active: int = Field(description="Those in line for a place.")
    items: list[WaitingEntryOut] = Field(description="In queue order.")
    page: int
    next: int | None = Field(description="Pass as ?page= for the next page; null at the end.")


# Care


class CareStartIn(InputSchema):
    starts_on: datetime.date
    contact_person_id: Id = Field(description="The fixed contact person: a nurse of the team.")
    team_id: Id | None = Field(None, description="Default: the referral's team.")
    hours_per_week: Hours | None = Field(None, description="Default: the intake's indication.")


class EpisodePatchIn(InputSchema):
    contact_person_id: Id


class CareEndIn(InputSchema):
    ended_on: datetime.date
    reason: EndReason


class CareEpisodeOut(Schema):
    id: int
    client_id: int
    referral_id: int | None
    product: str
    team_id: int
    contact_person: PersonOut
    hours_per_week: float | None
    starts_on: datetime.date
    ended_on: datetime.date | None
    end_reason: str
    running: bool
    version: int

    @staticmethod
    def resolve_product(obj):
        return obj.product.code

    @staticmethod
    def resolve_hours_per_week(obj):
        return _hours(obj.hours_per_week)

    @staticmethod
    def resolve_running(obj):
        return obj.is_running


# A client's journey


class StopOut(Schema):
    name: str = Field(description="referral, intake, waiting, care or end.")
    state: str = Field(description="done, current, skipped or ahead.")
    entered_at: LocalDateTime | None
    left_at: LocalDateTime | None
    duration_days: int | None = Field(description="Whole days spent at the stop so far.")


class EventOut(Schema):
    kind: str
    at: LocalDateTime
    by: PersonOut | None
    detail: str


class TrackOut(Schema):
    product: str = Field(description="The care: a care product's code.")
    product_name: str
    team_id: int
    phase: Literal["care", "waiting", "referral", "closed"] = Field(
        description=(
            "Where this journey is: in care, on the waiting list, referred (before the "
            "waiting list or care), or closed."
        )
    )
    open: bool = Field(description="Not closed: care runs, the client waits or is referred.")
    referral_id: int | None = Field(
        description="Null for care recorded without its referral (care from before Halte)."
    )
    stage: str | None = Field(description="The referral's stage; null without a referral.")
    summary: str = Field(description="Where this journey is, in one line.")
    stops: list[StopOut] = Field(description="This journey's bar.")
    waiting: WaitingEntryOut | None = Field(description="The waiting place while waiting.")
    episode: CareEpisodeOut | None = Field(description="The care of this journey.")


class JourneyOut(Schema):
    client_id: int
    status: str = Field(
        description=(
            "Every open journey in one line, e.g. 'In zorg: Wijkverpleging · Wacht op: "
            "Dagbesteding'; empty without an open journey."
        )
    )
    journeys: list[TrackOut] = Field(
        description=(
            "One journey per care question (a referral, or care without one): open ones "
            "first (in care, waiting, referred), newest first within each."
        )
    )
    stops: list[StopOut] = Field(description="The latest referral's journey bar.")
    referral: ReferralOut | None = Field(description="The latest referral.")
    referral_ids: list[int] = Field(description="Every referral of the client, newest first.")
    waiting: WaitingEntryOut | None = Field(description="The latest referral's waiting place.")
    episode: CareEpisodeOut | None = Field(description="The running care.")
    events: list[EventOut] = Field(description="The latest referral's steps, oldest first.")
