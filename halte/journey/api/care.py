"""Care episodes (start, contact person, end) and a client's journey."""

from django.http import HttpResponse
from ninja import Router
from ninja.responses import Status

from halte.audit.context import Actor
from halte.audit.gate import require
from halte.audit.models import Action
from halte.audit.services import audit_record
from halte.core.api.errors import error_responses
from halte.core.api.params import id_path
from halte.core.roles import Capability
from halte.core.validation import Errors
from halte.journey import queries, services
from halte.journey.api.common import (
    IF_MATCH,
    PART,
    api_fields,
    expected_version,
    referral_detail,
    set_etag,
    team_named,
    user_named,
)
from halte.journey.api.waiting import waiting_item
from halte.journey.schemas import (
    CareEndIn,
    CareEpisodeOut,
    CareStartIn,
    EpisodePatchIn,
    JourneyOut,
)
from halte.journey.templatetags.journey import stage_line

router = Router(tags=["journey"])

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
    referral_id: int = id_path("The referral's id."),
    if_match: str | None = IF_MATCH,
):
    version = expected_version(if_match)
    actor = require(request, Capability.PLAN_JOURNEY, action=Action.CREATE, part=PART)
    referral = referral_detail(actor, referral_id, Capability.PLAN_JOURNEY)
    errors = Errors()
    contact_person = user_named(errors, "contact_person_id", payload.contact_person_id)
    team = team_named(errors, payload.team_id)
    errors.raise_if_any()
    with api_fields(contact_person="contact_person_id"):
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
    request, response: HttpResponse, episode_id: int = id_path("The care episode's id.")
):
    actor = require(request, Capability.VIEW_JOURNEY, action=Action.READ, part=PART)
    episode = _episode(actor, episode_id)
    audit_record(actor, action=Action.READ, part=PART, client_id=episode.client_id)
    set_etag(response, episode.version)
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
    episode_id: int = id_path("The care episode's id."),
    if_match: str | None = IF_MATCH,
):
    version = expected_version(if_match)
    actor = require(request, Capability.PLAN_JOURNEY, action=Action.UPDATE, part=PART)
    episode = _episode(actor, episode_id, Capability.PLAN_JOURNEY)
    errors = Errors()
    contact_person = user_named(errors, "contact_person_id", payload.contact_person_id)
    errors.raise_if_any()
    with api_fields(contact_person="contact_person_id"):
        services.contact_person_change(
            actor=actor, episode=episode, contact_person=contact_person, version=version
        )
    changed = _episode(actor, episode_id, Capability.PLAN_JOURNEY)
    set_etag(response, changed.version)
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
    episode_id: int = id_path("The care episode's id."),
    if_match: str | None = IF_MATCH,
):
    version = expected_version(if_match)
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


def _stops(stops, now) -> list[dict]:
    return [
        {
            "name": stop.name,
            "state": stop.state,
            "entered_at": stop.entered_at,
            "left_at": stop.left_at,
            "duration_days": (
                duration.days if (duration := stop.duration(now)) is not None else None
            ),
        }
        for stop in stops
    ]


def _track(track, now) -> dict:
    return {
        "product": track.product.code,
        "product_name": track.product.name,
        "team_id": track.team.pk,
        "phase": track.phase,
        "open": track.is_open,
        "referral_id": track.referral.pk if track.referral else None,
        "stage": track.referral.stage if track.referral else None,
        "summary": stage_line(track),
        "stops": _stops(track.stops, now),
        "waiting": waiting_item(track.waiting) if track.waiting else None,
        "episode": track.episode,
    }


@router.get(
    "/clients/{client_id}/journey",
    response={200: JourneyOut, **error_responses(401, 403, 404)},
    summary="A client's journeys",
    description=(
        "Every journey of the client, one per care question (`journeys`: a referral with "
        "its bar, waiting place and care, or care recorded without a referral), and "
        "`status`, the open ones in one line. For the latest referral, as before: its "
        "bar (`stops`), `referral`, `waiting` place and steps (`events`); `episode` is "
        "the running care that started last."
    ),
)
def client_journey(request, client_id: int = id_path("The client's id.")):
    actor = require(
        request, Capability.VIEW_JOURNEY, action=Action.READ, part=PART, client_id=client_id
    )
    journey = queries.client_journey(actor, client_id)
    return {
        "client_id": client_id,
        "status": journey.status,
        "journeys": [_track(track, journey.now) for track in journey.tracks],
        "stops": _stops(journey.stops, journey.now),
        "referral": journey.referral,
        "referral_ids": [referral.pk for referral in journey.referrals],
        "waiting": waiting_item(journey.waiting) if journey.waiting else None,
        "episode": journey.episode,
        "events": journey.events,
    }
