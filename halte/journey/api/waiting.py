"""The waiting list: placing a client, one queue with positions and estimates, one
entry, its priority and status, updates to the client and bridging care."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from ninja import Query, Router
from ninja.responses import Status

from halte.audit.context import Actor
from halte.audit.gate import require
from halte.audit.models import Action, Outcome
from halte.audit.services import audit_record
from halte.core.api.errors import ApiError, error_responses
from halte.core.api.pagination import MAX_PAGE
from halte.core.api.params import UNKNOWN_TEAM, id_path, limit_query
from halte.core.api.types import MAX_ID
from halte.core.models import Team
from halte.core.roles import Capability
from halte.journey import queries, services
from halte.journey.api.common import (
    IF_MATCH,
    PART,
    UNKNOWN_CARE_OFFICE,
    UNKNOWN_PRODUCT,
    WAITING_PART,
    api_fields,
    expected_version,
    referral_detail,
    set_etag,
)
from halte.journey.models import CareOffice, CareProduct
from halte.journey.schemas import (
    BridgingCareIn,
    WaitingEntryOut,
    WaitingListOut,
    WaitingPatchIn,
    WaitingPlaceIn,
    WaitingUpdateIn,
)

router = Router(tags=["journey"])


def waiting_item(row: queries.WaitingRow) -> dict:
    entry = row.entry
    return {
        "id": entry.pk,
        "referral_id": entry.referral_id,
        "client_id": entry.client_id,
        "client_display_name": entry.client.formal_name,
        "product": entry.product.code,
        "team_id": entry.team_id,
        "care_office": entry.care_office.code if entry.care_office else None,
        "status": entry.status,
        "priority": entry.priority,
        "position": row.position,
        "estimate": row.estimate,
        "waiting_since": entry.waiting_since,
        "norm_date": entry.norm_date,
        "norm_exceeded": row.norm_exceeded,
        "will_exceed_norm": row.will_exceed_norm,
        "update_due": row.update_due,
        "last_update_on": entry.last_update_on,
        "next_update_due": entry.next_update_due,
        "bridging_care": entry.bridging_care,
        "left_on": entry.left_on,
        "left_reason": entry.left_reason,
        "version": entry.version,
    }


def _waiting_detail(actor: Actor, entry_id: int, capability=Capability.VIEW_JOURNEY) -> dict:
    return waiting_item(
        queries.waiting_row(queries.waiting_entry_for_user(actor, entry_id, capability=capability))
    )


@router.post(
    "/referrals/{referral_id}/waiting-list",
    response={201: WaitingEntryOut, **error_responses(400, 401, 403, 404, 409, 413, 422)},
    summary="Place the client on the waiting list",
    description=(
        "For the indicated care (else the care asked for) at the referral's team. Wlz "
        "care takes the care offices' statuses and a `care_office`; other care `active` "
        "or `non_active` (422 otherwise). Before the intake was recorded: 409."
    ),
)
def place_on_waiting_list(
    request,
    payload: WaitingPlaceIn,
    referral_id: int = id_path("The referral's id."),
    if_match: str | None = IF_MATCH,
):
    version = expected_version(if_match)
    actor = require(request, Capability.PLAN_JOURNEY, action=Action.CREATE, part=PART)
    referral = referral_detail(actor, referral_id, Capability.PLAN_JOURNEY)
    care_office = None
    if payload.care_office is not None:
        care_office = CareOffice.objects.filter(code=payload.care_office).first()
        if care_office is None:
            raise ValidationError({"care_office": [UNKNOWN_CARE_OFFICE]})
    entry = services.waiting_list_place(
        actor=actor,
        referral=referral,
        status=payload.status,
        priority=payload.priority,
        care_office=care_office,
        bridging_care=payload.bridging_care,
        version=version,
    )
    return Status(201, _waiting_detail(actor, entry.pk, Capability.PLAN_JOURNEY))


@router.get(
    "/waiting-list",
    response={200: WaitingListOut, **error_responses(400, 401, 403)},
    summary="One waiting list, in order",
    description=(
        "The clients waiting for one care product at one team, in queue order "
        "(priority, then waiting since), each with their position among the active "
        "clients and the expected start with its 80% range, from the queue's outflow "
        "of the last weeks. Paged by `?page=` rather than a cursor: the list is ordered "
        "by position, and a page number says where in the queue a page lies. "
        "`waiting` and `active` count the whole queue; the items are the clients you "
        "may see, one read entry each. Care professionals open their own teams' lists."
    ),
)
def get_waiting_list(
    request,
    product: str = Query(..., max_length=40, description="The care product's code."),
    team_id: int = Query(..., ge=1, le=MAX_ID, description="The team's id."),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    limit: int = limit_query(),
):
    actor = require(request, Capability.VIEW_JOURNEY, action=Action.READ, part=WAITING_PART)
    care = CareProduct.objects.filter(code=product).first()
    team = Team.objects.filter(pk=team_id).first()
    fields = {}
    if care is None:
        fields["product"] = [UNKNOWN_PRODUCT]
    if team is None:
        fields["team_id"] = [UNKNOWN_TEAM]
    if fields:
        raise ApiError(400, None, fields)
    _products, teams = queries.queue_choices(actor.user)
    if not teams.filter(pk=team.pk).exists():
        audit_record(actor, action=Action.READ, part=WAITING_PART, outcome=Outcome.DENIED)
        raise PermissionDenied
    listing = queries.waiting_list(actor, care, team, page=page, per_page=limit)
    for row in listing.rows:
        # The queue's product and team, fetched once rather than per row.
        row.entry.product, row.entry.team = care, team
    return {
        "product": care.code,
        "team_id": team.pk,
        "outflow": {
            "started": listing.outflow.started,
            "weeks": listing.outflow.weeks,
            "per_week": listing.outflow.per_week,
        },
        "waiting": listing.waiting,
        "active": listing.active,
        "items": [waiting_item(row) for row in listing.rows],
        "page": listing.page,
        "next": listing.page + 1 if listing.has_next and listing.page < MAX_PAGE else None,
    }


@router.get(
    "/waiting-list/{entry_id}",
    response={200: WaitingEntryOut, **error_responses(401, 403, 404)},
    summary="One waiting-list entry, with position and estimate",
)
def get_waiting_entry(request, response: HttpResponse, entry_id: int = id_path("The entry's id.")):
    actor = require(request, Capability.VIEW_JOURNEY, action=Action.READ, part=WAITING_PART)
    item = _waiting_detail(actor, entry_id)
    audit_record(actor, action=Action.READ, part=WAITING_PART, client_id=item["client_id"])
    set_etag(response, item["version"])
    return item


@router.patch(
    "/waiting-list/{entry_id}",
    response={200: WaitingEntryOut, **error_responses(400, 401, 403, 404, 409, 413, 422)},
    summary="Change priority or waiting status",
    description=(
        "`priority` and/or `status`, with the `reason` (it goes into the client's "
        "journey). With `If-Match: <version>`, a stale version is 409 and nothing changes; "
        "a client who left the list is 409."
    ),
)
def change_waiting_entry(
    request,
    response: HttpResponse,
    payload: WaitingPatchIn,
    entry_id: int = id_path("The entry's id."),
    if_match: str | None = IF_MATCH,
):
    version = expected_version(if_match)
    actor = require(request, Capability.PLAN_JOURNEY, action=Action.UPDATE, part=PART)
    entry = queries.waiting_entry_for_user(actor, entry_id, capability=Capability.PLAN_JOURNEY)
    services.waiting_entry_change(
        actor=actor,
        entry=entry,
        reason=payload.reason,
        priority=payload.priority,
        status=payload.status,
        version=version,
    )
    item = _waiting_detail(actor, entry_id, Capability.PLAN_JOURNEY)
    set_etag(response, item["version"])
    return item


@router.post(
    "/waiting-list/{entry_id}/updates",
    response={201: WaitingEntryOut, **error_responses(400, 401, 403, 404, 409, 413, 422)},
    summary="An update given to the waiting client",
    description=(
        "The client or a relative was told where they stand: the contact is logged and "
        "the next update falls due a policy interval later."
    ),
)
def give_waiting_update(
    request,
    payload: WaitingUpdateIn,
    entry_id: int = id_path("The entry's id."),
    if_match: str | None = IF_MATCH,
):
    version = expected_version(if_match)
    actor = require(request, Capability.PLAN_JOURNEY, action=Action.UPDATE, part=PART)
    entry = queries.waiting_entry_for_user(actor, entry_id, capability=Capability.PLAN_JOURNEY)
    services.waiting_update_given(
        actor=actor, entry=entry, channel=payload.channel, summary=payload.summary, version=version
    )
    return Status(201, _waiting_detail(actor, entry_id, Capability.PLAN_JOURNEY))


@router.put(
    "/waiting-list/{entry_id}/bridging-care",
    response={200: WaitingEntryOut, **error_responses(400, 401, 403, 404, 409, 413, 422)},
    summary="The bridging care while the client waits",
    description="Replaces it; an empty `text` records that it stopped.",
)
def record_bridging_care(
    request,
    payload: BridgingCareIn,
    entry_id: int = id_path("The entry's id."),
    if_match: str | None = IF_MATCH,
):
    version = expected_version(if_match)
    actor = require(request, Capability.PLAN_JOURNEY, action=Action.UPDATE, part=PART)
    entry = queries.waiting_entry_for_user(actor, entry_id, capability=Capability.PLAN_JOURNEY)
    with api_fields(bridging_care="text"):
        services.bridging_care_record(actor=actor, entry=entry, text=payload.text, version=version)
    return _waiting_detail(actor, entry_id, Capability.PLAN_JOURNEY)
