"""The client-journey part of the JSON API: the care offer, referrals and their
intake, the waiting list, care episodes and a client's journey.

Endpoints only translate: they check the role and scopes, fetch through
journey.queries (which check the client's scope), write through journey.services,
and name the API's fields in the services' errors.
"""

from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Header, Path, Query, Router
from ninja.responses import Status

from halte.api.errors import ApiError, error_responses
from halte.api.pagination import MAX_PAGE, decode_cursor, encode_cursor
from halte.api.permissions import require
from halte.api.types import MAX_ID
from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.audit.services import audit_record, audit_record_many
from halte.clients.access import client_for_user
from halte.core.errors import Conflict
from halte.core.models import Team, User
from halte.core.roles import Capability
from halte.core.validation import Errors
from halte.journey import queries, services
from halte.journey.models import CareOffice, CareProduct, Intake, Referral, Stage
from halte.journey.schemas import (
    AssignIn,
    BridgingCareIn,
    CareEndIn,
    CareEpisodeOut,
    CareProductPageOut,
    CareStartIn,
    EpisodePatchIn,
    IntakeCompleteIn,
    IntakePlanIn,
    JourneyOut,
    ReferralIn,
    ReferralOut,
    ReferralPageOut,
    TransitionIn,
    WaitingEntryOut,
    WaitingListOut,
    WaitingPatchIn,
    WaitingPlaceIn,
    WaitingUpdateIn,
)

router = Router(tags=["journey"])

PART = queries.PART
WAITING_PART = "waiting_list"
UNKNOWN_CLIENT = _("There is no such client, or you may not see them.")
UNKNOWN_RELATION = _("The client has no such relation.")
UNKNOWN_USER = _("There is no such person.")
UNKNOWN_TEAM = _("There is no such team.")
UNKNOWN_PRODUCT = _("There is no such care product.")
UNKNOWN_CARE_OFFICE = _("There is no such care office.")
NO_INTAKE = _("No intake has been planned for this referral; plan it first.")
INVALID_IF_MATCH = _('If-Match must be the version you read, e.g. "3".')


def _id_path(description: str):
    return Path(..., ge=1, le=MAX_ID, description=description)


def _limit():
    return Query(settings.API_DEFAULT_LIMIT, ge=1, le=settings.API_MAX_LIMIT)


def _cursor():
    return Query(None, max_length=300, description="`next` of the previous page.")


IF_MATCH = Header(
    None,
    alias="If-Match",
    max_length=100,
    description="The `version` you read; when it is stale the answer is 409 and nothing changes.",
)


STAGE_QUERY = Query(None, description="Only referrals at this stage.")


def _version(if_match: str | None) -> int | None:
    """'3', '"3"' or 'W/"3"' -> 3; absent or '*' -> None (no check)."""
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 18:
        raise ApiError(400, INVALID_IF_MATCH, {"If-Match": [INVALID_IF_MATCH]})
    return int(value)


def _etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = f'"{version}"'


@contextmanager
def _api_fields(**names: str):
    """The services name model fields (owner, held_by, ...); the API names its own."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        fields: dict[str, list] = {}
        for name, messages in error.message_dict.items():
            fields.setdefault(names.get(name, name), []).extend(messages)
        raise ValidationError(fields) from None


def _page(rows, *, query: str, limit: int, cursor: str | None):
    """A page of `rows` (a queryset) and the cursor of the next page."""
    page, size = 1, limit
    if cursor:
        page, size = decode_cursor(cursor, query=query, max_size=settings.API_MAX_LIMIT)
    start = (page - 1) * size
    found = list(rows[start : start + size + 1])
    more = len(found) > size and page < MAX_PAGE
    return found[:size], encode_cursor(query=query, page=page + 1, size=size) if more else None


# Looking up what a body names: unknown is 422 on the field, never 404 or 500.


def _user(errors: Errors, field: str, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        errors.add(field, UNKNOWN_USER)
    return user


def _team(errors: Errors, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        errors.add("team_id", UNKNOWN_TEAM)
    return team


def _product(errors: Errors, field: str, code: str | None) -> CareProduct | None:
    if code is None:
        return None
    product = CareProduct.objects.filter(code=code).first()
    if product is None:
        errors.add(field, UNKNOWN_PRODUCT)
    return product


def _referral_detail(actor: Actor, referral_id: int, capability=Capability.VIEW_JOURNEY):
    return queries.referral_for_user(actor, referral_id, capability=capability)


# The care offer


@router.get(
    "/care-products",
    response={200: CareProductPageOut, **error_responses(400, 401, 403)},
    summary="The care offer",
    description="The care products offered, by name, with the longest acceptable wait.",
)
def list_care_products(request, limit: int = _limit(), cursor: str | None = _cursor()):
    require(request, Capability.VIEW_JOURNEY, action=Action.READ, part="care_offer")
    rows = CareProduct.objects.filter(active=True).order_by("name", "id")
    items, following = _page(rows, query="care-products", limit=limit, cursor=cursor)
    return {"items": items, "next": following}


# Referrals


@router.post(
    "/referrals",
    response={201: ReferralOut, **error_responses(400, 401, 403, 413, 422)},
    summary="Register a referral",
    description=(
        "Someone asks care for the client; the referral starts at stage `received`, due "
        "for first contact by the journey policy's norm. A client outside your scope, an "
        "unknown product, team, relation or person is 422 naming the field."
    ),
)
def create_referral(request, payload: ReferralIn):
    actor = require(
        request,
        Capability.REGISTER_REFERRAL,
        action=Action.CREATE,
        part=PART,
        client_id=payload.client_id,
    )
    try:
        client = client_for_user(
            actor, payload.client_id, capability=Capability.REGISTER_REFERRAL, part=PART
        )
    except Http404:
        raise ValidationError({"client_id": [UNKNOWN_CLIENT]}) from None
    errors = Errors()
    product = _product(errors, "product", payload.product)
    team = _team(errors, payload.team_id)
    owner = _user(errors, "owner_id", payload.owner_id)
    referrer = None
    if payload.referrer_id is not None:
        referrer = client.relations.filter(pk=payload.referrer_id).first()
        if referrer is None:
            errors.add("referrer_id", UNKNOWN_RELATION)
    errors.raise_if_any()
    with _api_fields(owner="owner_id"):
        referral = services.referral_register(
            actor=actor,
            client=client,
            source=payload.source,
            product=product,
            team=team,
            urgency=payload.urgency,
            received_at=payload.received_at,
            referrer=referrer,
            question=payload.question,
            owner=owner,
        )
    return Status(201, _referral_detail(actor, referral.pk, Capability.REGISTER_REFERRAL))


@router.get(
    "/referrals",
    response={200: ReferralPageOut, **error_responses(400, 401, 403, 404)},
    summary="Referrals",
    description=(
        "The referrals of the clients you may see (care professionals: their teams' "
        "clients), oldest received first; `over_norm=true`: open referrals past their "
        "stage's norm, soonest due first. One read entry per client on the page; a "
        "`client_id` you may not see is 404."
    ),
)
def list_referrals(
    request,
    stage: Stage | None = STAGE_QUERY,
    owner: str | None = Query(
        None, pattern="^(me|none)$", description="`me`: yours; `none`: without an owner."
    ),
    over_norm: bool = Query(False, description="Only open referrals past their norm."),
    client_id: int | None = Query(None, ge=1, le=MAX_ID, description="One client's referrals."),
    limit: int = _limit(),
    cursor: str | None = _cursor(),
):
    actor = require(request, Capability.VIEW_JOURNEY, action=Action.READ, part=PART)
    if client_id is not None:
        client_for_user(actor, client_id, capability=Capability.VIEW_JOURNEY, part=PART)
    rows = queries.referral_list(
        actor.user,
        stage=stage,
        owner=actor.user if owner == "me" else None,
        unowned=owner == "none",
        over_norm=over_norm,
        client_id=client_id,
    )
    query = f"referrals?stage={stage}&owner={owner}&over_norm={over_norm}&client_id={client_id}"
    items, following = _page(rows, query=query, limit=limit, cursor=cursor)
    audit_record_many(
        actor,
        action=Action.READ,
        part=PART,
        client_ids=sorted({referral.client_id for referral in items}),
    )
    return {"items": items, "next": following}


@router.get(
    "/referrals/{referral_id}",
    response={200: ReferralOut, **error_responses(401, 403, 404)},
    summary="One referral, with its intake",
)
def get_referral(
    request, response: HttpResponse, referral_id: int = _id_path("The referral's id.")
):
    actor = require(request, Capability.VIEW_JOURNEY, action=Action.READ, part=PART)
    referral = _referral_detail(actor, referral_id)
    audit_record(actor, action=Action.READ, part=PART, client_id=referral.client_id)
    _etag(response, referral.version)
    return referral


@router.post(
    "/referrals/{referral_id}/assign",
    response={200: ReferralOut, **error_responses(400, 401, 403, 404, 409, 413, 422)},
    summary="Give a referral its owner",
    description="The planner who sees it through. With `If-Match: <version>`, stale is 409.",
)
def assign_referral(
    request,
    payload: AssignIn,
    referral_id: int = _id_path("The referral's id."),
    if_match: str | None = IF_MATCH,
):
    version = _version(if_match)
    actor = require(request, Capability.PLAN_JOURNEY, action=Action.UPDATE, part=PART)
    referral = _referral_detail(actor, referral_id, Capability.PLAN_JOURNEY)
    errors = Errors()
    owner = _user(errors, "owner_id", payload.owner_id)
    errors.raise_if_any()
    with _api_fields(owner="owner_id"):
        services.referral_assign(actor=actor, referral=referral, owner=owner, version=version)
    return _referral_detail(actor, referral_id, Capability.PLAN_JOURNEY)


@router.post(
    "/referrals/{referral_id}/transitions",
    response={200: ReferralOut, **error_responses(400, 401, 403, 404, 409, 413, 422)},
    summary="Move a referral on",
    description=(
        "`contacted` (first contact made), or end it: `declined`, `withdrawn` or "
        "`referred_elsewhere`, each with a `reason`. A step that does not fit the stage "
        "is 409 with the reason; the intake, waiting list and care start have their own "
        "endpoints. With `If-Match: <version>`, stale is 409."
    ),
)
def move_referral(
    request,
    payload: TransitionIn,
    referral_id: int = _id_path("The referral's id."),
    if_match: str | None = IF_MATCH,
):
    version = _version(if_match)
    actor = require(request, Capability.PLAN_JOURNEY, action=Action.UPDATE, part=PART)
    referral = _referral_detail(actor, referral_id, Capability.PLAN_JOURNEY)
    services.referral_move(
        actor=actor, referral=referral, stage=payload.stage, reason=payload.reason, version=version
    )
    return _referral_detail(actor, referral_id, Capability.PLAN_JOURNEY)


# The intake


def _relatives(errors: Errors, referral: Referral, relation_ids: list[int]):
    wanted = set(relation_ids)
    relatives = list(referral.client.relations.filter(pk__in=wanted))
    if len(relatives) != len(wanted):
        errors.add("relative_ids", UNKNOWN_RELATION)
    return relatives


@router.post(
    "/referrals/{referral_id}/intake",
    response={200: ReferralOut, **error_responses(400, 401, 403, 404, 409, 413, 422)},
    summary="Plan the intake, or plan it anew",
    description=(
        "Planning again moves the same intake. Not before the referral was received "
        "(422); a referral past the intake is 409. With `If-Match: <version>` of the "
        "referral, stale is 409."
    ),
)
def plan_intake(
    request,
    payload: IntakePlanIn,
    referral_id: int = _id_path("The referral's id."),
    if_match: str | None = IF_MATCH,
):
    version = _version(if_match)
    actor = require(request, Capability.PLAN_JOURNEY, action=Action.UPDATE, part=PART)
    referral = _referral_detail(actor, referral_id, Capability.PLAN_JOURNEY)
    errors = Errors()
    held_by = _user(errors, "held_by_id", payload.held_by_id)
    relatives = _relatives(errors, referral, payload.relative_ids)
    errors.raise_if_any()
    with _api_fields(held_by="held_by_id", relatives_present="relative_ids"):
        services.intake_plan(
            actor=actor,
            referral=referral,
            planned_at=payload.planned_at,
            held_by=held_by,
            mode=payload.mode,
            relatives_present=relatives,
            version=version,
        )
    return _referral_detail(actor, referral_id, Capability.PLAN_JOURNEY)


@router.post(
    "/referrals/{referral_id}/intake/complete",
    response={200: ReferralOut, **error_responses(400, 401, 403, 404, 409, 413, 422)},
    summary="Record the intake",
    description=(
        "Its outcome, the indication (`indicated_product` required for care_needed) and "
        "the agreements made, each a promise owned by whoever held the intake. Without a "
        "planned intake, or recorded already: 409."
    ),
)
def complete_intake(
    request,
    payload: IntakeCompleteIn,
    referral_id: int = _id_path("The referral's id."),
    if_match: str | None = IF_MATCH,
):
    version = _version(if_match)
    actor = require(request, Capability.RECORD_INTAKE, action=Action.UPDATE, part=PART)
    referral = _referral_detail(actor, referral_id, Capability.RECORD_INTAKE)
    intake = Intake.objects.filter(referral=referral).first()
    if intake is None:
        raise Conflict(NO_INTAKE)
    errors = Errors()
    indicated = _product(errors, "indicated_product", payload.indicated_product)
    errors.raise_if_any()
    services.intake_complete(
        actor=actor,
        intake=intake,
        held_at=payload.held_at,
        outcome=payload.outcome,
        indicated_product=indicated,
        hours_per_week=payload.hours_per_week,
        summary=payload.summary,
        agreements=payload.agreements,
        version=version,
    )
    return _referral_detail(actor, referral_id, Capability.RECORD_INTAKE)


# The waiting list


def _waiting_item(row: queries.WaitingRow) -> dict:
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
    return _waiting_item(
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
    referral_id: int = _id_path("The referral's id."),
    if_match: str | None = IF_MATCH,
):
    version = _version(if_match)
    actor = require(request, Capability.PLAN_JOURNEY, action=Action.CREATE, part=PART)
    referral = _referral_detail(actor, referral_id, Capability.PLAN_JOURNEY)
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
    limit: int = _limit(),
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
        "items": [_waiting_item(row) for row in listing.rows],
        "page": listing.page,
        "next": listing.page + 1 if listing.has_next and listing.page < MAX_PAGE else None,
    }


@router.get(
    "/waiting-list/{entry_id}",
    response={200: WaitingEntryOut, **error_responses(401, 403, 404)},
    summary="One waiting-list entry, with position and estimate",
)
def get_waiting_entry(request, response: HttpResponse, entry_id: int = _id_path("The entry's id.")):
    actor = require(request, Capability.VIEW_JOURNEY, action=Action.READ, part=WAITING_PART)
    item = _waiting_detail(actor, entry_id)
    audit_record(actor, action=Action.READ, part=WAITING_PART, client_id=item["client_id"])
    _etag(response, item["version"])
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
    entry_id: int = _id_path("The entry's id."),
    if_match: str | None = IF_MATCH,
):
    version = _version(if_match)
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
    _etag(response, item["version"])
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
    entry_id: int = _id_path("The entry's id."),
    if_match: str | None = IF_MATCH,
):
    version = _version(if_match)
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
    entry_id: int = _id_path("The entry's id."),
    if_match: str | None = IF_MATCH,
):
    version = _version(if_match)
    actor = require(request, Capability.PLAN_JOURNEY, action=Action.UPDATE, part=PART)
    entry = queries.waiting_entry_for_user(actor, entry_id, capability=Capability.PLAN_JOURNEY)
    with _api_fields(bridging_care="text"):
        services.bridging_care_record(actor=actor, entry=entry, text=payload.text, version=version)
    return _waiting_detail(actor, entry_id, Capability.PLAN_JOURNEY)


# Care


def _episode(actor: Actor, episode_id: int, capability=Capability.VIEW_JOURNEY):
    return queries.episode_for_user(actor, episode_id, capability=capability)


@router.post(
    "/referrals/{referral_id}/care-episode",
    response={201: CareEpisodeOut, **error_responses(400, 401, 403, 404, 409, 413, 422)},
    summary="Start care",
    description=(
        "With the fixed contact person (a nurse of the team), who becomes the client's "
        "contact. For a referral that ended or is not yet past the intake: 409 with why."
    ),
)
def start_care(
    request,
    payload: CareStartIn,
    referral_id: int = _id_path("The referral's id."),
    if_match: str | None = IF_MATCH,
):
    version = _version(if_match)
    actor = require(request, Capability.PLAN_JOURNEY, action=Action.CREATE, part=PART)
    referral = _referral_detail(actor, referral_id, Capability.PLAN_JOURNEY)
    errors = Errors()
    contact_person = _user(errors, "contact_person_id", payload.contact_person_id)
    team = _team(errors, payload.team_id)
    errors.raise_if_any()
    with _api_fields(contact_person="contact_person_id"):
        episode = services.care_start(
            actor=actor,
            referral=referral,
            starts_on=payload.starts_on,
            contact_person=contact_person,
            team=team,
            hours_per_week=payload.hours_per_week,
            version=version,
        )
    return Status(201, _episode(actor, episode.pk, Capability.PLAN_JOURNEY))


@router.get(
    "/care-episodes/{episode_id}",
    response={200: CareEpisodeOut, **error_responses(401, 403, 404)},
    summary="One care episode, with its contact person",
)
def get_care_episode(
    request, response: HttpResponse, episode_id: int = _id_path("The care episode's id.")
):
    actor = require(request, Capability.VIEW_JOURNEY, action=Action.READ, part=PART)
    episode = _episode(actor, episode_id)
    audit_record(actor, action=Action.READ, part=PART, client_id=episode.client_id)
    _etag(response, episode.version)
    return episode


@router.patch(
    "/care-episodes/{episode_id}",
    response={200: CareEpisodeOut, **error_responses(400, 401, 403, 404, 409, 413, 422)},
    summary="A new fixed contact person",
    description="With `If-Match: <version>`, stale is 409; care that ended is 409.",
)
def change_care_episode(
    request,
    response: HttpResponse,
    payload: EpisodePatchIn,
    episode_id: int = _id_path("The care episode's id."),
    if_match: str | None = IF_MATCH,
):
    version = _version(if_match)
    actor = require(request, Capability.PLAN_JOURNEY, action=Action.UPDATE, part=PART)
    episode = _episode(actor, episode_id, Capability.PLAN_JOURNEY)
    errors = Errors()
    contact_person = _user(errors, "contact_person_id", payload.contact_person_id)
    errors.raise_if_any()
    with _api_fields(contact_person="contact_person_id"):
        services.contact_person_change(
            actor=actor, episode=episode, contact_person=contact_person, version=version
        )
    changed = _episode(actor, episode_id, Capability.PLAN_JOURNEY)
    _etag(response, changed.version)
    return changed


@router.post(
    "/care-episodes/{episode_id}/end",
    response={200: CareEpisodeOut, **error_responses(400, 401, 403, 404, 409, 413, 422)},
    summary="End care",
    description="With the reason. Care that ended already is 409.",
)
def end_care(
    request,
    payload: CareEndIn,
    episode_id: int = _id_path("The care episode's id."),
    if_match: str | None = IF_MATCH,
):
    version = _version(if_match)
    actor = require(request, Capability.PLAN_JOURNEY, action=Action.UPDATE, part=PART)
    episode = _episode(actor, episode_id, Capability.PLAN_JOURNEY)
    services.care_end(
        actor=actor,
        episode=episode,
        ended_on=payload.ended_on,
        reason=payload.reason,
        version=version,
    )
    return _episode(actor, episode_id, Capability.PLAN_JOURNEY)


# A client's journey


@router.get(
    "/clients/{client_id}/journey",
    response={200: JourneyOut, **error_responses(401, 403, 404)},
    summary="A client's journey",
    description=(
        "The latest referral as a journey bar (referral, intake, waiting, care, end: "
        "when each was entered and left), its waiting place with position and estimate, "
        "the running care with its contact person, and the referral's steps."
    ),
)
def client_journey(request, client_id: int = _id_path("The client's id.")):
    actor = require(
        request, Capability.VIEW_JOURNEY, action=Action.READ, part=PART, client_id=client_id
    )
    journey = queries.client_journey(actor, client_id)
    return {
        "client_id": client_id,
        "stops": [
            {
                "name": stop.name,
                "state": stop.state,
                "entered_at": stop.entered_at,
                "left_at": stop.left_at,
                "duration_days": duration.days
                if (duration := stop.duration(journey.now)) is not None
                else None,
            }
            for stop in journey.stops
        ],
        "referral": journey.referral,
        "referral_ids": [referral.pk for referral in journey.referrals],
        "waiting": _waiting_item(journey.waiting) if journey.waiting else None,
        "episode": journey.episode,
        "events": journey.events,
    }
