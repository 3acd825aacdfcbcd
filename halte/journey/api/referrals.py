"""The care offer, referrals, their owner and stage, and the intake."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.responses import Status

from halte.audit.gate import require
from halte.audit.models import Action
from halte.audit.services import audit_record, audit_record_listing
from halte.clients.access import client_for_user
from halte.core.api.errors import error_responses
from halte.core.api.params import (
    UNKNOWN_CLIENT,
    UNKNOWN_RELATION,
    cursor_query,
    id_path,
    limit_query,
)
from halte.core.api.types import MAX_ID
from halte.core.errors import Conflict
from halte.core.roles import Capability
from halte.core.validation import Errors
from halte.journey import queries, services
from halte.journey.api.common import (
    IF_MATCH,
    PART,
    api_fields,
    expected_version,
    page_of,
    product_named,
    referral_detail,
    set_etag,
    team_named,
    user_named,
)
from halte.journey.models import CareProduct, Intake, Referral, Stage
from halte.journey.schemas import (
    AssignIn,
    CareProductPageOut,
    IntakeCompleteIn,
    IntakePlanIn,
    ReferralIn,
    ReferralOut,
    ReferralPageOut,
    TransitionIn,
)

NO_INTAKE = _("No intake has been planned for this referral; plan it first.")
STAGE_QUERY = Query(None, description="Only referrals at this stage.")

router = Router(tags=["journey"])

# The care offer


@router.get(
    "/care-products",
    response={200: CareProductPageOut, **error_responses(400, 401, 403)},
    summary="The care offer",
    description="The care products offered, by name, with the longest acceptable wait.",
)
def list_care_products(request, limit: int = limit_query(), cursor: str | None = cursor_query()):
    require(request, Capability.VIEW_JOURNEY, action=Action.READ, part="care_offer")
    rows = CareProduct.objects.filter(active=True).order_by("name", "id")
    items, following = page_of(rows, query="care-products", limit=limit, cursor=cursor)
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
    product = product_named(errors, "product", payload.product)
    team = team_named(errors, payload.team_id)
    owner = user_named(errors, "owner_id", payload.owner_id)
    referrer = None
    if payload.referrer_id is not None:
        referrer = client.relations.filter(pk=payload.referrer_id).first()
        if referrer is None:
            errors.add("referrer_id", UNKNOWN_RELATION)
    errors.raise_if_any()
    with api_fields(owner="owner_id"):
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
    return Status(201, referral_detail(actor, referral.pk, Capability.REGISTER_REFERRAL))


@router.get(
    "/referrals",
    response={200: ReferralPageOut, **error_responses(400, 401, 403, 404)},
    summary="Referrals",
    description=(
        "The referrals of the clients you may see (care professionals: their teams' "
        "clients), oldest received first; `over_norm=true`: open referrals past their "
        "stage's norm, soonest due first. One read entry per page, naming its clients; a "
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
    limit: int = limit_query(),
    cursor: str | None = cursor_query(),
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
    items, following = page_of(rows, query=query, limit=limit, cursor=cursor)
    audit_record_listing(
        actor, action=Action.READ, part=PART, client_ids=[r.client_id for r in items]
    )
    return {"items": items, "next": following}


@router.get(
    "/referrals/{referral_id}",
    response={200: ReferralOut, **error_responses(401, 403, 404)},
    summary="One referral, with its intake",
)
def get_referral(request, response: HttpResponse, referral_id: int = id_path("The referral's id.")):
    actor = require(request, Capability.VIEW_JOURNEY, action=Action.READ, part=PART)
    referral = referral_detail(actor, referral_id)
    audit_record(actor, action=Action.READ, part=PART, client_id=referral.client_id)
    set_etag(response, referral.version)
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
    referral_id: int = id_path("The referral's id."),
    if_match: str | None = IF_MATCH,
):
    version = expected_version(if_match)
    actor = require(request, Capability.PLAN_JOURNEY, action=Action.UPDATE, part=PART)
    referral = referral_detail(actor, referral_id, Capability.PLAN_JOURNEY)
    errors = Errors()
    owner = user_named(errors, "owner_id", payload.owner_id)
    errors.raise_if_any()
    with api_fields(owner="owner_id"):
        services.referral_assign(actor=actor, referral=referral, owner=owner, version=version)
    return referral_detail(actor, referral_id, Capability.PLAN_JOURNEY)


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
    referral_id: int = id_path("The referral's id."),
    if_match: str | None = IF_MATCH,
):
    version = expected_version(if_match)
    actor = require(request, Capability.PLAN_JOURNEY, action=Action.UPDATE, part=PART)
    referral = referral_detail(actor, referral_id, Capability.PLAN_JOURNEY)
    services.referral_move(
        actor=actor, referral=referral, stage=payload.stage, reason=payload.reason, version=version
    )
    return referral_detail(actor, referral_id, Capability.PLAN_JOURNEY)


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
    referral_id: int = id_path("The referral's id."),
    if_match: str | None = IF_MATCH,
):
    version = expected_version(if_match)
    actor = require(request, Capability.PLAN_JOURNEY, action=Action.UPDATE, part=PART)
    referral = referral_detail(actor, referral_id, Capability.PLAN_JOURNEY)
    errors = Errors()
    held_by = user_named(errors, "held_by_id", payload.held_by_id)
    relatives = _relatives(errors, referral, payload.relative_ids)
    errors.raise_if_any()
    with api_fields(held_by="held_by_id", relatives_present="relative_ids"):
        services.intake_plan(
            actor=actor,
            referral=referral,
            planned_at=payload.planned_at,
            held_by=held_by,
            mode=payload.mode,
            relatives_present=relatives,
            version=version,
        )
    return referral_detail(actor, referral_id, Capability.PLAN_JOURNEY)


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
    referral_id: int = id_path("The referral's id."),
    if_match: str | None = IF_MATCH,
):
    version = expected_version(if_match)
    actor = require(request, Capability.RECORD_INTAKE, action=Action.UPDATE, part=PART)
    referral = referral_detail(actor, referral_id, Capability.RECORD_INTAKE)
    intake = Intake.objects.filter(referral=referral).first()
    if intake is None:
        raise Conflict(NO_INTAKE)
    errors = Errors()
    indicated = product_named(errors, "indicated_product", payload.indicated_product)
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
    return referral_detail(actor, referral_id, Capability.RECORD_INTAKE)
