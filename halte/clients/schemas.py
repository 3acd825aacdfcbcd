"""The API's shapes of a client and its relations: what comes in, what goes out.

Shapes and bounds only; what a value means (11-proef, postcode, phone, language)
is checked by clients.validation through the services.
"""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from halte.clients.models import Client, MessageCopy, PhoneLabel, RelationKind
from halte.core.api.errors import ErrorDetail
from halte.core.api.types import MAX_ID, text
from halte.core.roles import Capability, can

MAX_PHONES = 10


# Empty: no preference. Written out (not the model's choices) so the document lists them.
ClientChannel = Literal["", "email", "sms", "letter", "none"]
RelationChannel = Literal["", "email", "sms", "none"]

CLIENT_CHANNEL = (
    "How the client wants to hear from the organisation: `email`, `sms` (a text "
    "message to a mobile number), `letter`, or `none` (no messages at all). Empty or "
    "null: no preference, and Halte uses the first that can, in that order. A channel "
    "that cannot be used is refused (422): `email` without an email address, `sms` "
    "without a mobile number, `letter` without street, house number, postcode and city. "
    "This is checked whenever the channel, the email, the phones or the address change."
)
JOURNEY_MESSAGES = (
    "Messages about the client's own care (referral received, intake, waiting list, "
    "care start, contact person): on unless the client opted out."
)
ANNOUNCEMENTS = "News and announcements: only when the client agreed (off by default)."
MESSAGE_COPY = (
    "Whether the relation receives the client's messages: empty (no), `copy` (beside "
    "the client) or `instead` (instead of the client). Only a relation with "
    "`may_receive_information` true, and with an email address or a mobile number "
    "(422 otherwise)."
)
RELATION_CHANNEL = (
    "How the relation wants to hear from the organisation: `email`, `sms` or `none`; "
    "empty or null: no preference. No `letter`: a relation has no postal address here. "
    "`email` needs an email address, `sms` a mobile number, and a relation that receives "
    "the client's messages cannot choose `none`."
)
RELATION_LANGUAGE = (
    "The language of the messages to the relation, an ISO 639-1 code; empty or null: "
    "the client's language."
)


class InputSchema(Schema):
    # A misspelt field is refused rather than silently ignored.
    model_config = ConfigDict(extra="forbid")


class PhoneIn(InputSchema):
    number: text(40) = Field(description="Any Dutch or international notation.")
    label: PhoneLabel = PhoneLabel.MOBILE


class AddressIn(InputSchema):
    street: text(100) | None = None
    house_number: int | None = None
    house_number_suffix: text(10) | None = None
    postcode: text(16) | None = Field(None, description="Dutch postcode, e.g. 3811 AB.")
    city: text(80) | None = None


# Fields that may not be null have a default of None that is never validated: left
# out, they are unchanged; sent as null, they are refused.
class ClientPatchIn(InputSchema):
    given_names: text(100) = None
    family_name: text(100) = None
    name_prefix: text(20) | None = Field(None, description="Tussenvoegsel, e.g. 'van der'.")
    preferred_name: text(60) | None = None
    date_of_birth: date | None = None
    bsn: text(32) | None = Field(
        None,
        description="Burgerservicenummer; must pass the 11-proef. Only roles that may see "
        "a BSN may send it (403 otherwise, whatever the value).",
    )
    phones: list[PhoneIn] = Field(None, max_length=MAX_PHONES)
    email: text(254) | None = None
    address: AddressIn = None
    language: text(16) = Field(None, description="ISO 639-1 code such as nl, en, tr, ar, pl.")
    interpreter_needed: bool = None
    team_id: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="The client's care team. A care professional or team lead (who sees "
        "only their own teams' clients) must choose one of their own teams, also when "
        "adding a client: another team, or none, is refused (422).",
    )
    contact_channel: ClientChannel | None = Field(None, description=CLIENT_CHANNEL)
    journey_messages: bool = Field(None, description=JOURNEY_MESSAGES)
    announcements: bool = Field(None, description=ANNOUNCEMENTS)


DUPLICATES_CHECKED = (
    "Before adding a client, the API looks for clients it may duplicate: the same date "
    "of birth, or one of the same phone numbers, with a name alike (typos, "
    "tussenvoegsels, accents and initials allowed), among the clients the caller may "
    "see. When it finds any it adds nothing and answers 409 with code "
    "`possible_duplicate` and the `candidates`. Send `true` when you have checked "
    "those (or your system checks itself) to add the client all the same. A token "
    "without `clients:read` may not search, so it is never told who is a client: it "
    "gets no check. The same BSN as another client's is refused (422) either way."
)


class ClientCreateIn(ClientPatchIn):
    given_names: text(100)
    family_name: text(100)
    duplicates_checked: bool = Field(False, description=DUPLICATES_CHECKED)


class RelationIn(InputSchema):
    name: text(150)
    kind: RelationKind
    phones: list[PhoneIn] = Field([], max_length=MAX_PHONES)
    email: text(254) | None = None
    may_receive_information: bool = False
    may_act_on_behalf: bool = False
    emergency_contact: bool = False
    message_copy: MessageCopy = Field(MessageCopy.NO, description=MESSAGE_COPY)
    contact_channel: RelationChannel | None = Field("", description=RELATION_CHANNEL)
    language: text(16) | None = Field(None, description=RELATION_LANGUAGE)


class PhoneOut(Schema):
    e164: str
    label: str
    display: str


class AddressOut(Schema):
    street: str
    house_number: int | None
    house_number_suffix: str
    postcode: str
    city: str


class TeamOut(Schema):
    id: int
    name: str


def _address(client: Client) -> dict:
    return {
        "street": client.street,
        "house_number": client.house_number,
        "house_number_suffix": client.house_number_suffix,
        "postcode": client.postcode,
        "city": client.city,
    }


class ClientSummaryOut(Schema):
    id: int
    client_number: int
    given_names: str
    name_prefix: str
    family_name: str
    preferred_name: str
    date_of_birth: date | None
    address: AddressOut
    team_id: int | None

    @staticmethod
    def resolve_address(obj):
        return _address(obj)


class ClientOut(Schema):
    id: int
    client_number: int
    version: int = Field(description="Send it back in If-Match to guard a change.")
    given_names: str
    name_prefix: str
    family_name: str
    preferred_name: str
    date_of_birth: date | None
    bsn_masked: str | None = Field(
        description="The last three digits; the BSN itself never. Always null for a role "
        "that may not see a BSN (front office, manager), whether or not there is one."
    )
    phones: list[PhoneOut]
    email: str
    address: AddressOut
    language: str
    interpreter_needed: bool
    contact_channel: str = Field(description=CLIENT_CHANNEL)
    journey_messages: bool = Field(description=JOURNEY_MESSAGES)
    announcements: bool = Field(description=ANNOUNCEMENTS)
    status: str
    team: TeamOut | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_address(obj):
        return _address(obj)

    @staticmethod
    def resolve_bsn_masked(obj, context):
        # Nothing of a BSN for a role that may not see it: not even whether there is one.
        request = (context or {}).get("request")
        actor = getattr(request, "actor", None)
        if actor is None or not can(actor.user, Capability.REVEAL_BSN):
            return None
        return obj.bsn_masked or None

    @staticmethod
    def resolve_phones(obj):
        # The client's own numbers; its relations' numbers share the table.
        return [phone for phone in obj.phones.all() if phone.relation_id is None]


class RelationOut(Schema):
    id: int
    name: str
    kind: str
    phones: list[PhoneOut]
    email: str
    may_receive_information: bool
    may_act_on_behalf: bool
    emergency_contact: bool
    message_copy: str = Field(description=MESSAGE_COPY)
    contact_channel: str = Field(description=RELATION_CHANNEL)
    language: str = Field(description=RELATION_LANGUAGE)

    @staticmethod
    def resolve_phones(obj):
        return list(obj.phones.all())


class ClientDetailOut(ClientOut):
    relations: list[RelationOut]

    @staticmethod
    def resolve_relations(obj):
        return list(obj.relations.all())


class ClientPageOut(Schema):
    items: list[ClientSummaryOut]
    next: str | None = Field(description="Pass as ?cursor= for the next page; null at the end.")


class DuplicateCandidateOut(Schema):
    id: int
    client_number: int
    display_name: str
    date_of_birth: date | None
    reasons: list[str] = Field(
        description="Why it may be the same person: `birth_date` (the same date of birth) "
        "and/or `phone` (one of the same phone numbers), each with a name alike."
    )


class DuplicateErrorDetail(ErrorDetail):
    candidates: list[DuplicateCandidateOut] = Field(
        description="The clients the new one may duplicate, likeliest first (at most 10), "
        "only those the caller may see."
    )


class DuplicateErrorOut(Schema):
    error: DuplicateErrorDetail
