"""Announcements in the JSON API (API.md): create, preview the recipients, send or
schedule, and follow each recipient's message. Capability SEND_ANNOUNCEMENTS, token
scope `announcements`; a team lead's segments stop at their own teams, and an
announcement they may not see is 404."""

import datetime
from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import AwareDatetime, ConfigDict

from halte.audit.gate import require
from halte.audit.models import Action
from halte.audit.services import audit_record_listing
from halte.core.api.errors import error_responses
from halte.core.api.pagination import MAX_PAGE, decode_cursor, encode_cursor
from halte.core.api.params import cursor_query, id_path, limit_query
from halte.core.api.types import MAX_ID, text
from halte.core.errors import Conflict
from halte.core.roles import Capability
from halte.journey.models import CareProduct
from halte.outreach import announcements
from halte.outreach.announcement_access import (
    PREVIEW_PART,
    RECIPIENTS_PART,
    announcement_for_user,
)
from halte.outreach.announcements import JourneyStage
from halte.outreach.models import Announcement, Message, MessageStatus
from halte.outreach.recipients import REASON_TEXT

router = Router(tags=["announcements"])

PART = RECIPIENTS_PART
UNKNOWN_PRODUCT_CODE = _("Unknown care product: %(codes)s.")
NOT_SENDABLE = _("This announcement is being sent already, was sent or was cancelled.")
IN_THE_PAST = _("Choose a moment in the future, or leave send_at out to send now.")

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
STATUS_QUERY = Query(None, description="queued, sent, failed, uncertain, cancelled.")


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class TextIn(InputSchema):
    subject: text(announcements.SUBJECT_MAX) = ""
    body: text(announcements.BODY_MAX) = ""


class SegmentIn(InputSchema):
    teams: list[Id] = Field([], max_length=100, description="Team ids; empty: every team.")
    postcode_from: text(4) = Field("", description="Four digits, e.g. 3811.")
    postcode_to: text(4) = Field("", description="Four digits, e.g. 3818 (3811 for one area).")
    products: list[text(40)] = Field(
        [], max_length=100, description="Care product codes (as `/care-products` gives them)."
    )
    stages: list[JourneyStage] = Field(
        [], max_length=4, description="referred, waiting, in_care, ended."
    )
    languages: list[text(8)] = Field([], max_length=50, description="The clients' languages.")


class AnnouncementIn(InputSchema):
    title: text(200)
    texts: dict[text(8), TextIn] = Field(
        ...,
        max_length=20,
        description=(
            'Per language: `{"nl": {"subject", "body"}, "en": {...}}`; Dutch is '
            "required. Placeholders: " + ", ".join(announcements.placeholders.COMMON) + "."
        ),
    )
    segment: SegmentIn = SegmentIn()


class ScheduleIn(InputSchema):
    send_at: AwareDatetime | None = Field(
        None, description="When to send, with offset; null or absent: now."
    )


class ProgressOut(Schema):
    total: int
    composed: int
    queued: int
    sending: int
    sent: int
    failed: int
    uncertain: int
    cancelled: int
    percent: int


class AnnouncementOut(Schema):
    id: int
    title: str
    texts: dict[str, dict[str, str]]
    segment: dict
    status: str
    send_at: datetime.datetime | None
    recipients_total: int
    created_at: datetime.datetime
    created_by: str
    progress: ProgressOut


class AnnouncementPageOut(Schema):
    items: list[AnnouncementOut]
    next: str | None


class LeftOutOut(Schema):
    reason: str
    text: str
    count: int


class RecipientOut(Schema):
    client_id: int
    relation_id: int | None
    name: str
    channel: str
    language: str


class RenderedOut(Schema):
    recipients: int = Field(description="How many recipients read this language's text.")
    example_for: str | None
    subject: str
    body: str


class PreviewOut(Schema):
    clients: int = Field(description="Clients in the segment.")
    recipients: int = Field(description="Messages that would be sent now.")
    left_out: list[LeftOutOut]
    sample: list[RecipientOut] = Field(description="The first 50 recipients.")
    texts: dict[str, RenderedOut]


class MessageOut(Schema):
    id: int
    client_id: int
    relation_id: int | None
    recipient_name: str
    channel: str
    language: str
    status: str
    sent_at: datetime.datetime | None
    last_error: str


class MessagePageOut(Schema):
    items: list[MessageOut]
    next: str | None


def _products_by_code(codes: list[str]) -> list[int]:
    found = dict(CareProduct.objects.filter(code__in=codes).values_list("code", "pk"))
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise ValidationError(
            {"segment.products": [UNKNOWN_PRODUCT_CODE % {"codes": ", ".join(unknown)}]}
        )
    return [found[code] for code in codes]


def _segment_in(segment: SegmentIn) -> dict:
    values = segment.model_dump()
    values["products"] = _products_by_code(values["products"])
    values["stages"] = [str(stage) for stage in values["stages"]]
    return values


def _api_errors(error: ValidationError) -> ValidationError:
    """The segment's fields under `segment.`; the texts' are named already."""
    if not hasattr(error, "error_dict"):
        return error
    names = set(announcements.empty_segment())
    return ValidationError(
        {
            (f"segment.{name}" if name in names else name): messages
            for name, messages in error.message_dict.items()
        }
    )


def _out_many(items: list[Announcement]) -> list[dict]:
    """The announcements as the API gives them, in three queries however many."""
    products = {pk for item in items for pk in item.segment.get("products") or []}
    codes = dict(CareProduct.objects.filter(pk__in=products).values_list("pk", "code"))
    progress = announcements.progress_many(items)
    return [_out(item, codes=codes, progress=progress[item.pk]) for item in items]


def _out(announcement: Announcement, *, codes=None, progress=None) -> dict:
    if codes is None:
        return _out_many([announcement])[0]
    segment = dict(announcement.segment)
    segment["products"] = [codes.get(pk, str(pk)) for pk in segment.get("products") or []]
    creator = announcement.created_by
    return {
        "id": announcement.pk,
        "title": announcement.title,
        "texts": announcement.texts,
        "segment": segment,
        "status": announcement.status,
        "send_at": announcement.send_at,
        "recipients_total": announcement.recipients_total,
        "created_at": announcement.created_at,
        "created_by": creator.get_full_name() or creator.get_username(),
        "progress": progress,
    }


def _page(rows, *, query: str, limit: int, cursor: str | None) -> tuple[list, str | None]:
    page, size = 1, limit
    if cursor:
        page, size = decode_cursor(cursor, query=query, max_size=settings.API_MAX_LIMIT)
    start = (page - 1) * size
    found = list(rows[start : start + size + 1])
    more = len(found) > size and page < MAX_PAGE
    return found[:size], encode_cursor(query=query, page=page + 1, size=size) if more else None


@router.post(
    "/announcements",
    response={201: AnnouncementOut, **error_responses(400, 401, 403, 413, 422)},
    summary="Write an announcement (a draft)",
    description=(
        "A message to a segment of clients who agreed to receive announcements. Every "
        "segment filter that is set must hold; a team lead may name only their own "
        "teams. An unknown placeholder, language, team or product is 422 naming the "
        "field (`texts.nl.body`, `segment.teams`, ...). Nothing is sent yet: preview it, "
        "then `POST .../schedule`."
    ),
)
def create_announcement(request, payload: AnnouncementIn):
    actor = require(request, Capability.SEND_ANNOUNCEMENTS, action=Action.CREATE, part=PART)
    texts = {code: text.model_dump() for code, text in payload.texts.items()}
    try:
        announcement = announcements.announcement_create(
            user=actor.user,
            title=payload.title,
            texts=texts,
            segment=_segment_in(payload.segment),
        )
    except ValidationError as error:
        raise _api_errors(error) from None
    return Status(201, _out(announcement))


@router.get(
    "/announcements",
    response={200: AnnouncementPageOut, **error_responses(400, 401, 403)},
    summary="Announcements",
    description="Newest first; a team lead sees their own.",
)
def list_announcements(request, limit: int = limit_query(), cursor: str | None = cursor_query()):
    actor = require(request, Capability.SEND_ANNOUNCEMENTS, action=Action.READ, part=PART)
    rows = announcements.visible_announcements(actor.user).order_by("-created_at", "-id")
    items, following = _page(rows, query="announcements", limit=limit, cursor=cursor)
    return {"items": _out_many(items), "next": following}


@router.get(
    "/announcements/{announcement_id}",
    response={200: AnnouncementOut, **error_responses(401, 403, 404)},
    summary="One announcement and its progress",
    description="`progress` counts the messages composed so far by status.",
)
def get_announcement(request, announcement_id: int = id_path("The announcement's id.")):
    actor = require(request, Capability.SEND_ANNOUNCEMENTS, action=Action.READ, part=PART)
    return _out(announcement_for_user(actor, announcement_id))


@router.get(
    "/announcements/{announcement_id}/preview",
    response={200: PreviewOut, **error_responses(401, 403, 404)},
    summary="Who would receive it now, who not and why, and how it reads",
    description=(
        "The segment as it stands now: the number of recipients, who is left out by "
        "reason, the first 50 recipients with their channel, and the text rendered in "
        "each language for one recipient. One read entry naming the clients shown."
    ),
)
def preview_announcement(request, announcement_id: int = id_path("The announcement's id.")):
    actor = require(request, Capability.SEND_ANNOUNCEMENTS, action=Action.READ, part=PREVIEW_PART)
    announcement = announcement_for_user(actor, announcement_id, part=PREVIEW_PART)
    preview = announcements.preview(announcement)
    audit_record_listing(
        actor, action=Action.READ, part=PREVIEW_PART, client_ids=preview.client_ids
    )
    return {
        "clients": preview.clients,
        "recipients": preview.recipients,
        "left_out": [
            {"reason": reason.value, "text": str(REASON_TEXT[reason]), "count": n}
            for reason, n in preview.left_out.most_common()
        ],
        "sample": [
            {
                "client_id": r.client.pk,
                "relation_id": r.relation.pk if r.relation else None,
                "name": r.name,
                "channel": r.channel,
                "language": r.language,
            }
            for r in preview.sample
        ],
        "texts": {
            code: {
                "recipients": preview.by_language.get(code, 0),
                "example_for": preview.texts[code][0].name if code in preview.texts else None,
                "subject": preview.texts[code][1] if code in preview.texts else "",
                "body": preview.texts[code][2] if code in preview.texts else "",
            }
            for code in announcement.texts
        },
    }


@router.post(
    "/announcements/{announcement_id}/schedule",
    response={200: AnnouncementOut, **error_responses(400, 401, 403, 404, 409, 413, 422)},
    summary="Send now, or at a moment",
    description=(
        "Without `send_at` (or null): sending starts now. With a future `send_at`: it "
        "starts then (within a minute). A draft or scheduled announcement only; one "
        "being sent, sent or cancelled is 409 and nothing is sent again, so a second "
        "call sends nothing twice."
    ),
)
def schedule_announcement(
    request, payload: ScheduleIn, announcement_id: int = id_path("The announcement's id.")
):
    actor = require(request, Capability.SEND_ANNOUNCEMENTS, action=Action.UPDATE, part=PART)
    announcement = announcement_for_user(actor, announcement_id, action=Action.UPDATE)
    if payload.send_at is None:
        done = announcements.send_now(announcement)
    else:
        if payload.send_at <= timezone.now():
            raise ValidationError({"send_at": [IN_THE_PAST]})
        done = announcements.schedule(announcement, payload.send_at)
    if not done:
        raise Conflict(NOT_SENDABLE)
    return _out(announcement)


@router.get(
    "/announcements/{announcement_id}/messages",
    response={200: MessagePageOut, **error_responses(400, 401, 403, 404)},
    summary="Each recipient's message and its status",
    description="In the order composed; `?status=` narrows. One read entry per page.",
)
def announcement_messages(
    request,
    announcement_id: int = id_path("The announcement's id."),
    status: MessageStatus | None = STATUS_QUERY,
    limit: int = limit_query(),
    cursor: str | None = cursor_query(),
):
    actor = require(request, Capability.SEND_ANNOUNCEMENTS, action=Action.READ, part=PART)
    announcement = announcement_for_user(actor, announcement_id)
    rows = Message.objects.filter(announcement_id=announcement.pk).order_by("id")
    if status:
        rows = rows.filter(status=status)
    query = f"announcements/{announcement.pk}/messages?status={status or ''}"
    items, following = _page(rows, query=query, limit=limit, cursor=cursor)
    audit_record_listing(
        actor, action=Action.READ, part=PART, client_ids=[m.client_id for m in items]
    )
    return {"items": items, "next": following}
