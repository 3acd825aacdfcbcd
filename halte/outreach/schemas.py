"""The outbox's JSON shapes (API.md style)."""

import datetime

from ninja import Field, Schema


class MessageOut(Schema):
    id: int
    client_id: int
    relation_id: int | None = Field(description="The relative it went to; null: the client.")
    recipient_name: str
    channel: str = Field(description="`email`, `sms` or `letter`.")
    address: str = Field(description="The email address, the E.164 number, or the address lines.")
    language: str
    trigger: str = Field(
        description=(
            "Why it was sent: `referral_received`, `intake_planned`, `intake_reminder`, "
            "`waiting_list_update`, `care_started`, `contact_person_changed`, `care_ended`, "
            "`announcement`."
        )
    )
    announcement_id: int | None
    subject: str
    body: str
    status: str = Field(
        description=(
            "`queued`, `sending`, `sent`, `failed` (will not be tried again), `uncertain` "
            "(a worker stopped while handing it over: it may or may not have left; never "
            "sent again without a person deciding) or `cancelled`."
        )
    )
    attempts: int
    last_error: str = Field(description="A short code of what went wrong, e.g. `smtp_550`.")
    created_at: datetime.datetime
    send_after: datetime.datetime = Field(description="Not sent before (quiet hours, schedule).")
    sent_at: datetime.datetime | None
    provider_id: str = Field(description="The carrier's reference (Message-ID, gateway id).")
    interaction_id: int | None = Field(description="The outgoing contact on the timeline.")


class MessagePageOut(Schema):
    items: list[MessageOut]
    next: str | None = Field(description="Pass as ?cursor= for the next page; null at the end.")
