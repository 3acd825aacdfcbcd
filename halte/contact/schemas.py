"""The API's shapes of callers, call events, contacts, promises and the timeline.

Shapes and bounds only; what a value means (a phone number, an owner, a due time)
is checked by contact.services. Times go out in the organisation's time zone, with
their offset (2026-11-23T17:00:00+01:00).
"""

from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict, Discriminator, Tag

from halte.contact.models import (
    AttemptOutcome,
    CallState,
    Channel,
    Commitment,
    CommitmentKind,
    Direction,
    Interaction,
    InteractionOutcome,
)
from halte.core.api.types import MAX_ID, LocalDateTime, text

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class InputSchema(Schema):
    # A misspelt field is refused rather than silently ignored.
    model_config = ConfigDict(extra="forbid")


# Caller recognition


class CallerMatchOut(Schema):
    type: Literal["client", "relation"]
    client_id: int
    relation_id: int | None
    display_name: str = Field(description="The client's or the relation's name.")
    relation_kind: str | None = Field(description="partner, child, gp, ...; null for a client.")
    client_display_name: str = Field(
        description="How to address the client the call is about, e.g. 'mevrouw Van den Berg'."
    )
    may_receive_information: bool | None = Field(
        description="Whether the relation may be told about the client; null for a client."
    )
    may_act_on_behalf: bool | None = Field(
        description="Whether the relation may act for the client; null for a client."
    )

    @staticmethod
    def resolve_client_id(obj):
        return obj.client.pk

    @staticmethod
    def resolve_relation_id(obj):
        return obj.relation.pk if obj.relation else None

    @staticmethod
    def resolve_display_name(obj):
        return obj.relation.name if obj.relation else obj.client.full_name

    @staticmethod
    def resolve_relation_kind(obj):
        return obj.relation.kind if obj.relation else None

    @staticmethod
    def resolve_client_display_name(obj):
        return obj.client.formal_name

    @staticmethod
    def resolve_may_receive_information(obj):
        return obj.relation.may_receive_information if obj.relation else None

    @staticmethod
    def resolve_may_act_on_behalf(obj):
        return obj.relation.may_act_on_behalf if obj.relation else None


class CallersOut(Schema):
    matches: list[CallerMatchOut] = Field(
        description="The client first, then relations with the client they belong to; "
        "at most 20 (a GP practice's number can be shared by hundreds of clients)."
    )
    more: bool = Field(False, description="True when the number has more matches than shown.")


# Telephone system


class TelephonyEventIn(Schema):
    # Other fields a telephone system sends along are ignored, not refused.
    call_id: text(100) = Field(min_length=1, description="The telephone system's id of the call.")
    event: CallState
    caller: text(100) | None = Field(
        None, description="The caller's number in any notation; empty or 'anonymous' if withheld."
    )
    called: text(100) | None = Field(None, description="The number that was called.")
    agent_extension: text(20) | None = Field(
        None, description="The extension that rang or answered."
    )
    at: AwareDatetime = Field(description="When it happened, ISO 8601 with offset.")


class TelephonyEventOut(Schema):
    interaction_id: int = Field(description="The call's contact, the same for every event.")
    call_id: str
    event: str
    call_state: str = Field(description="How far the call got: ringing, answered or ended.")
    replayed: bool = Field(description="True when this event came in before; nothing changed.")
    client_id: int | None = Field(description="Set when the number belongs to one client.")
    relation_id: int | None
    matches: list[CallerMatchOut]


# Contacts


class InteractionIn(InputSchema):
    client_id: Id | None = Field(None, description="Null for a contact with no known client.")
    relation_id: Id | None = Field(None, description="A relation of the client, if with them.")
    channel: Channel
    direction: Direction
    topic: text(200) = ""
    summary: text(5000) = ""
    outcome: InteractionOutcome
    occurred_at: AwareDatetime | None = Field(None, description="Default: now.")


class InteractionCompleteIn(InputSchema):
    client_id: Id | None = Field(
        None, description="Left out: the client recognised when the call came in."
    )
    relation_id: Id | None = Field(
        None, description="Left out: the relation recognised when the call came in."
    )
    topic: text(200) = ""
    summary: text(5000) = ""
    outcome: InteractionOutcome


class InteractionOut(Schema):
    id: int
    client_id: int | None
    relation_id: int | None
    channel: str
    direction: str
    topic: str
    summary: str
    outcome: str
    status: str = Field(
        description=(
            "open: a call not yet written up; completed; discarded: a call no one "
            "answered, put aside without a write-up."
        )
    )
    staff_id: int | None
    occurred_at: LocalDateTime
    call_id: str | None
    caller_e164: str = Field(description="A call's number; empty when withheld.")
    call_state: str = Field(
        description=(
            "A call's state: ringing, answered or ended (also past the time-out of a "
            "call whose end the telephone system never sent); empty for other contacts."
        )
    )
    answered_at: LocalDateTime | None = Field(description="When the call was answered.")
    ended_at: LocalDateTime | None = Field(description="When the call ended.")
    agent_extension: str

    @staticmethod
    def resolve_call_state(obj):
        return obj.call_state_at(timezone.now())


class InteractionPageOut(Schema):
    items: list[InteractionOut]
    next: str | None = Field(description="Always null: the list holds at most 50 calls.")


# Promises


class CommitmentIn(InputSchema):
    client_id: Id
    kind: CommitmentKind
    description: text(1000)
    owner_user: Id | None = Field(None, description="The person who keeps it (a user id).")
    owner_team: Id | None = Field(None, description="Or the team that keeps it (a team id).")
    due_at: AwareDatetime | None = Field(
        None, description="Default: by the organisation's service-level policy."
    )
    relation_id: Id | None = Field(None, description="The relation it was made to.")
    callback_number: text(40) = Field(
        "",
        description=(
            "The number to call back, any notation. Left empty on a callback: the first "
            "number of the relation it was made to, else the client's."
        ),
    )


class AttemptIn(InputSchema):
    outcome: AttemptOutcome
    note: text(300) = ""


class CommitmentCompleteIn(InputSchema):
    summary: text(5000)
    outcome: InteractionOutcome = InteractionOutcome.RESOLVED
    channel: Channel = Channel.PHONE
    direction: Direction = Direction.OUT
    topic: text(200) = Field("", description="Default: the kind of promise.")


class AttemptOut(Schema):
    id: int
    at: LocalDateTime
    by_id: int
    outcome: str
    note: str


class CommitmentOut(Schema):
    id: int
    client_id: int
    relation_id: int | None
    kind: str
    description: str
    owner_user: int | None = Field(description="The owning person's user id, or null.")
    owner_team: int | None = Field(description="The owning team's id, or null.")
    due_at: LocalDateTime
    status: str
    overdue: bool
    callback_e164: str
    created_at: LocalDateTime
    created_by_id: int
    completed_at: LocalDateTime | None
    completed_by_id: int | None
    result_id: int | None = Field(description="The contact that kept the promise.")
    version: int

    @staticmethod
    def resolve_owner_user(obj):
        return obj.owner_user_id

    @staticmethod
    def resolve_owner_team(obj):
        return obj.owner_team_id

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue(timezone.now())


class CommitmentDetailOut(CommitmentOut):
    attempts: list[AttemptOut] = Field(description="Tries that did not reach, newest first.")
    result: InteractionOut | None

    @staticmethod
    def resolve_attempts(obj):
        return list(obj.attempts.all())


class CommitmentListItemOut(CommitmentOut):
    client_display_name: str

    @staticmethod
    def resolve_client_display_name(obj):
        return obj.client.formal_name


class AttemptCreatedOut(Schema):
    attempt: AttemptOut
    commitment: CommitmentDetailOut


class CommitmentPageOut(Schema):
    items: list[CommitmentListItemOut]
    next: str | None = Field(description="Pass as ?cursor= for the next page; null at the end.")


# Timeline


class TimelineInteractionOut(InteractionOut):
    type: Literal["interaction"]
    at: LocalDateTime

    @staticmethod
    def resolve_type(obj):
        return "interaction"

    @staticmethod
    def resolve_at(obj):
        return obj.occurred_at


class TimelineCommitmentOut(CommitmentOut):
    type: Literal["commitment"]
    at: LocalDateTime

    @staticmethod
    def resolve_type(obj):
        return "commitment"

    @staticmethod
    def resolve_at(obj):
        return obj.created_at


class TimelineJourneyEventOut(Schema):
    """A step on the client's journey: referral, intake, waiting list, care."""

    type: Literal["journey_event"]
    id: int
    at: LocalDateTime
    kind: str = Field(description="The step, such as referral_received, waiting or care_started.")
    kind_label: str
    referral_id: int | None
    episode_id: int | None
    by: str | None = Field(description="Who took the step; null for the system.")
    detail: str

    @staticmethod
    def resolve_type(obj):
        return "journey_event"

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_by(obj):
        return obj.by.get_full_name() if obj.by_id else None


def _timeline_type(value) -> str:
    """Which item a value is: a model going in, a schema (or dict) coming out."""
    if isinstance(value, dict):
        return value.get("type", "")
    if isinstance(value, Schema):
        return value.type
    if isinstance(value, Interaction):
        return "interaction"
    if isinstance(value, Commitment):
        return "commitment"
    # The one kind a timeline source gives (journey's steps, contact.extensions); its
    # schema is part of the timeline's contract above.
    return "journey_event"


TimelineItemOut = Annotated[
    Annotated[TimelineInteractionOut, Tag("interaction")]
    | Annotated[TimelineCommitmentOut, Tag("commitment")]
    | Annotated[TimelineJourneyEventOut, Tag("journey_event")],
    Discriminator(_timeline_type),
]


class TimelinePageOut(Schema):
    items: list[TimelineItemOut] = Field(description="Newest first.")
    next: str | None = Field(description="Pass as ?cursor= for the next page; null at the end.")
