"""The first-contact part of the JSON API (API.md): who is calling, the telephone
system's call events, contacts, promises and a client's timeline.

Endpoints only translate: they check the role and scopes, fetch through
clients.access and contact.queries, write through contact.services.
"""

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.responses import NinjaJSONEncoder, Status

from halte.audit.context import Actor
from halte.audit.gate import require
from halte.audit.models import Action
from halte.audit.services import audit_record, audit_record_listing
from halte.clients.access import client_for_user
from halte.clients.models import Client, Relation
from halte.contact.queries import (
    TimelineKey,
    call_for_agent,
    callers_for_number,
    commitment_for_user,
    commitment_list,
    interaction_for_user,
    timeline,
    timeline_cursor,
    timeline_position,
    unwritten_calls,
)
from halte.contact.schemas import (
    AttemptCreatedOut,
    AttemptIn,
    CallerMatchOut,
    CallersOut,
    CommitmentCompleteIn,
    CommitmentDetailOut,
    CommitmentIn,
    CommitmentPageOut,
    InteractionCompleteIn,
    InteractionIn,
    InteractionOut,
    InteractionPageOut,
    TelephonyEventIn,
    TelephonyEventOut,
    TimelinePageOut,
)
from halte.contact.services import (
    audit_callers_shown,
    call_event_register,
    commitment_attempt,
    commitment_complete,
    commitment_create,
    interaction_complete,
    interaction_discard,
    interaction_log,
)
from halte.contact.telephony import SIGNATURE_HEADER, TelephonySignature
from halte.core import phone as phone_codec
from halte.core.api.errors import ApiError, error_responses
from halte.core.api.pagination import INVALID_CURSOR, MAX_PAGE, decode_cursor, encode_cursor
from halte.core.api.params import (
    UNKNOWN_CLIENT,
    UNKNOWN_RELATION,
    UNKNOWN_TEAM,
    UNKNOWN_USER,
    cursor_query,
    id_path,
    limit_query,
)
from halte.core.models import Team, User
from halte.core.roles import Capability
from halte.core.validation import Errors

router = Router()

NOT_A_NUMBER = _("This cannot be a phone number; enter it as 06 12345678 or +31 6 12345678.")


def _client_ids(rows) -> list[int]:
    return sorted({row.client.pk for row in rows})


def _client(actor: Actor, client_id: int | None, capability: Capability, part: str):
    """The client a body refers to; one the actor may not see is as unknown (422)."""
    if client_id is None:
        return None
    try:
        return client_for_user(actor, client_id, capability=capability, part=part)
    except Http404:
        raise ValidationError({"client_id": [UNKNOWN_CLIENT]}) from None


def _relation(client: Client | None, relation_id: int | None) -> Relation | None:
    if relation_id is None:
        return None
    relation = client.relations.filter(pk=relation_id).first() if client else None
    if relation is None:
        raise ValidationError({"relation_id": [UNKNOWN_RELATION]})
    return relation


# Who is calling


@router.get(
    "/callers",
    response={200: CallersOut, **error_responses(400, 401, 403)},
    tags=["callers"],
    summary="Who is calling",
    description=(
        "Every client and relation with this number (any notation: 06-12345678, "
        "+31 (0)6 ..., 0031 ..., tel: URIs, foreign numbers), the clients first, then "
        "relations with the client they belong to; only clients the user may see. No "
        "match is an empty list; a number that cannot be a phone number is 400. One "
        "read entry per lookup, naming the clients shown."
    ),
)
def callers(
    request,
    number: str = Query(..., max_length=100, description="The number, in any notation."),
):
    actor = require(
        request, Capability.USE_WORKPLACE, action=Action.READ, part="caller_recognition"
    )
    try:
        e164 = phone_codec.normalize(number)
    except ValidationError:
        raise ApiError(400, NOT_A_NUMBER, {"number": [NOT_A_NUMBER]}) from None
    matches = callers_for_number(e164, actor.user)
    audit_callers_shown(actor, _client_ids(matches))
    return _callers_response({"matches": [_caller_match(m) for m in matches], "more": matches.more})


# The answer is built from CallerMatchOut's own fields and resolvers, the way ninja
# builds it, and rendered the way ninja renders it, without running pydantic over
# values that are ints, strings and booleans already (1.05 -> 0.98 ms median in-process).
# test_callers_response checks that the bytes are ninja's.
_MATCH_FIELDS = [
    (name, getattr(CallerMatchOut, f"resolve_{name}", None)) for name in CallerMatchOut.model_fields
]


def _caller_match(match) -> dict:
    return {
        name: resolve(match) if resolve else getattr(match, name) for name, resolve in _MATCH_FIELDS
    }


def _callers_response(body: dict) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder), content_type="application/json; charset=utf-8"
    )


# The telephone system


@router.post(
    "/telephony/events",
    auth=TelephonySignature(),
    response={
        200: TelephonyEventOut,
        201: TelephonyEventOut,
        **error_responses(400, 401, 413, 422),
    },
    tags=["telephony"],
    summary="A call event from the telephone system",
    description=(
        f"Signed, not authenticated by a token: header `{SIGNATURE_HEADER}: "
        "sha256=<hex HMAC-SHA256 of the raw body>` with the shared secret "
        "TELEPHONY_WEBHOOK_SECRET; a missing or wrong signature is 401 and stores nothing. "
        "`ringing` (or whichever event of a call comes first) opens the call's draft "
        "contact, later events move it on. **201** when the event is new, **200** when "
        "the same `call_id` + `event` came before (a replay: nothing changes, the same "
        "`interaction_id` comes back). A withheld number (`anonymous`, empty, null) is a "
        "call without a caller. Fields other than those listed are ignored."
    ),
)
def telephony_event(request, payload: TelephonyEventIn):
    registration = call_event_register(
        call_id=payload.call_id,
        event=payload.event,
        caller=payload.caller,
        agent_extension=payload.agent_extension or "",
        at=payload.at,
        source_ip=request.actor.source_ip,
        with_matches=True,
    )
    interaction = registration.interaction
    body = {
        "interaction_id": interaction.pk,
        "call_id": interaction.call_id,
        "event": payload.event,
        "call_state": interaction.call_state,
        "replayed": registration.replayed,
        "client_id": interaction.client_id,
        "relation_id": interaction.relation_id,
        "matches": registration.matches,
    }
    return Status(200 if registration.replayed else 201, body)


# Contacts


@router.post(
    "/interactions",
    response={201: InteractionOut, **error_responses(400, 401, 403, 413, 422)},
    tags=["interactions"],
    summary="Log a contact",
    description="A contact on any channel, with a client or (client_id null) without one.",
)
def log_interaction(request, payload: InteractionIn):
    actor = require(
        request,
        Capability.LOG_CONTACT,
        action=Action.CREATE,
        part="contacts",
        client_id=payload.client_id,
    )
    client = _client(actor, payload.client_id, Capability.LOG_CONTACT, "contacts")
    interaction = interaction_log(
        actor=actor,
        client=client,
        relation=_relation(client, payload.relation_id),
        channel=payload.channel,
        direction=payload.direction,
        topic=payload.topic,
        summary=payload.summary,
        outcome=payload.outcome,
        occurred_at=payload.occurred_at,
    )
    return Status(201, interaction)


@router.post(
    "/interactions/{interaction_id}/complete",
    response={200: InteractionOut, **error_responses(400, 401, 403, 404, 409, 413, 422)},
    tags=["interactions"],
    summary="Write up a call",
    description=(
        "Completes a call's open draft contact (made by the telephone system's events): "
        "who it was with, about what, how it ended. Already written up: 409."
    ),
)
def complete_interaction(
    request,
    payload: InteractionCompleteIn,
    interaction_id: int = id_path("The contact's id."),
):
    actor = require(request, Capability.LOG_CONTACT, action=Action.UPDATE, part="contacts")
    interaction = interaction_for_user(actor, interaction_id)
    sent = payload.model_fields_set
    client_id = payload.client_id if "client_id" in sent else interaction.client_id
    relation_id = payload.relation_id if "relation_id" in sent else interaction.relation_id
    client = _client(actor, client_id, Capability.LOG_CONTACT, "contacts")
    return interaction_complete(
        actor=actor,
        interaction=interaction,
        client=client,
        relation=_relation(client, relation_id),
        topic=payload.topic,
        summary=payload.summary,
        outcome=payload.outcome,
    )


@router.get(
    "/interactions/unwritten",
    response={200: InteractionPageOut, **error_responses(401, 403)},
    tags=["interactions"],
    summary="My calls still to write up",
    description=(
        "Your calls that are over (ended, or past their time-out) and not yet written up "
        "or put aside, newest first, at most 50; `next` is always null. A call about a "
        "client you may not see comes without `client_id` and `relation_id`. One read "
        "entry per request, naming the clients shown."
    ),
)
def list_unwritten(request):
    # As the page: the list is the workplace's, and writing up is logging contacts.
    require(request, Capability.USE_WORKPLACE, action=Action.READ, part="contacts")
    actor = require(request, Capability.LOG_CONTACT, action=Action.READ, part="contacts")
    calls = unwritten_calls(actor.user)
    for call in calls:
        if not call.client_visible:
            call.client_id = call.relation_id = None
    client_ids = [call.client_id for call in calls]
    audit_record_listing(actor, action=Action.READ, part="contacts", client_ids=client_ids)
    return {"items": calls, "next": None}


@router.post(
    "/interactions/{interaction_id}/discard",
    response={200: InteractionOut, **error_responses(401, 403, 404, 409)},
    tags=["interactions"],
    summary="Put aside a missed call",
    description=(
        "A call no one answered leaves the list of calls to write up without a write-up "
        "(`status` discarded); it never enters the client's timeline. An answered call, "
        "or one already written up or put aside: 409."
    ),
)
def discard_interaction(request, interaction_id: int = id_path("The contact's id.")):
    actor = require(request, Capability.LOG_CONTACT, action=Action.UPDATE, part="contacts")
    interaction = call_for_agent(actor, interaction_id)
    return interaction_discard(actor=actor, interaction=interaction)


# A client's timeline


def _timeline_position(cursor: str, client_id: int) -> tuple[TimelineKey, int]:
    """(key of the last item shown, page size) from a cursor of this client's timeline."""
    position = timeline_position(cursor, client_id, max_size=settings.API_MAX_LIMIT)
    if position is None:
        raise ApiError(400, INVALID_CURSOR, {"cursor": [INVALID_CURSOR]})
    return position


@router.get(
    "/clients/{client_id}/timeline",
    response={200: TimelinePageOut, **error_responses(400, 401, 403, 404)},
    tags=["timeline"],
    summary="A client's timeline",
    description=(
        "Every contact (`type` interaction) and promise (`type` commitment) of the client, "
        "newest first by `at` (when the contact took place, when the promise was made). A "
        "call not yet written up (or put aside) is not in it: it waits on the agent's list, "
        "GET /interactions/unwritten."
    ),
)
def client_timeline(
    request,
    client_id: int = id_path("The client's id."),
    limit: int = limit_query(),
    cursor: str | None = cursor_query(),
):
    actor = require(
        request, Capability.USE_WORKPLACE, action=Action.READ, part="timeline", client_id=client_id
    )
    after, size = _timeline_position(cursor, client_id) if cursor else (None, limit)
    client = client_for_user(actor, client_id, capability=Capability.LOG_CONTACT, part="timeline")
    items = timeline(client, limit=size + 1, after=after)
    audit_record(actor, action=Action.READ, part="timeline", client_id=client.pk)
    page = items[:size]
    following = timeline_cursor(client.pk, page[-1].key, size) if len(items) > size else None
    return {
        "items": [item.item for item in page],
        "next": following,
    }


# Promises


def _owner_user(errors: Errors, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        errors.add("owner_user", UNKNOWN_USER)
    return user


def _owner_team(errors: Errors, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        errors.add("owner_team", UNKNOWN_TEAM)
    return team


def _with_owner_fields(error: ValidationError) -> ValidationError:
    """The service's `owner` rule names both of the API's owner fields."""
    fields = dict(error.message_dict)
    if "owner" in fields:
        messages = fields.pop("owner")
        fields["owner_user"] = fields.get("owner_user", []) + messages
        fields["owner_team"] = fields.get("owner_team", []) + messages
    return ValidationError(fields)


@router.post(
    "/commitments",
    response={201: CommitmentDetailOut, **error_responses(400, 401, 403, 413, 422)},
    tags=["commitments"],
    summary="Make a promise",
    description=(
        "Exactly one of `owner_user` and `owner_team`. Without `due_at` the promise "
        "falls due by the organisation's service-level policy (a callback asked before "
        "the cutoff on a working day: at closing time that day)."
    ),
)
def create_commitment(request, payload: CommitmentIn):
    actor = require(
        request,
        Capability.MAKE_COMMITMENT,
        action=Action.CREATE,
        part="promises",
        client_id=payload.client_id,
    )
    client = _client(actor, payload.client_id, Capability.MAKE_COMMITMENT, "promises")
    relation = _relation(client, payload.relation_id)
    errors = Errors()
    owner_user = _owner_user(errors, payload.owner_user)
    owner_team = _owner_team(errors, payload.owner_team)
    errors.raise_if_any()
    try:
        commitment = commitment_create(
            actor=actor,
            client=client,
            kind=payload.kind,
            description=payload.description,
            owner_user=owner_user,
            owner_team=owner_team,
            due_at=payload.due_at,
            relation=relation,
            callback_number=payload.callback_number,
        )
    except ValidationError as error:
        raise _with_owner_fields(error) from None
    return Status(201, commitment)


@router.get(
    "/commitments",
    response={200: CommitmentPageOut, **error_responses(400, 401, 403)},
    tags=["commitments"],
    summary="Open promises",
    description=(
        "Open promises of the clients you may see, soonest due first. `mine=true`: those "
        "you own; `team=true`: those your teams own (both: either); neither: the whole "
        "organisation's, for roles that watch escalations. `overdue=true` keeps only those "
        "past their due time. One read entry per page, naming its clients."
    ),
)
def list_commitments(
    request,
    mine: bool = Query(False, description="Promises you own."),
    team: bool = Query(False, description="Promises your teams own."),
    overdue: bool = Query(False, description="Only those past their due time."),
    limit: int = limit_query(),
    cursor: str | None = cursor_query(),
):
    capability = Capability.USE_WORKPLACE if mine or team else Capability.VIEW_ESCALATIONS
    actor = require(request, capability, action=Action.READ, part="promises")
    query = f"commitments?mine={mine}&team={team}&overdue={overdue}"
    page, size = (1, limit)
    if cursor:
        page, size = decode_cursor(cursor, query=query, max_size=settings.API_MAX_LIMIT)
    start = (page - 1) * size
    rows = list(
        commitment_list(
            actor.user, mine=mine, team=team, due_before=timezone.now() if overdue else None
        )[start : start + size + 1]
    )
    items = rows[:size]
    audit_record_listing(actor, action=Action.READ, part="promises", client_ids=_client_ids(items))
    more = len(rows) > size and page < MAX_PAGE
    return {
        "items": items,
        "next": encode_cursor(query=query, page=page + 1, size=size) if more else None,
    }


@router.get(
    "/commitments/{commitment_id}",
    response={200: CommitmentDetailOut, **error_responses(401, 403, 404)},
    tags=["commitments"],
    summary="One promise, with its attempts and result",
)
def get_commitment(request, commitment_id: int = id_path("The promise's id.")):
    actor = require(request, Capability.USE_WORKPLACE, action=Action.READ, part="promises")
    commitment = commitment_for_user(actor, commitment_id, capability=Capability.USE_WORKPLACE)
    audit_record(actor, action=Action.READ, part="promises", client_id=commitment.client_id)
    return commitment


@router.post(
    "/commitments/{commitment_id}/attempts",
    response={201: AttemptCreatedOut, **error_responses(400, 401, 403, 404, 409, 413, 422)},
    tags=["commitments"],
    summary="A try that did not reach the person",
    description="The promise stays open. A promise already kept is 409.",
)
def attempt_commitment(
    request, payload: AttemptIn, commitment_id: int = id_path("The promise's id.")
):
    actor = require(request, Capability.MAKE_COMMITMENT, action=Action.UPDATE, part="promises")
    commitment = commitment_for_user(actor, commitment_id)
    attempt = commitment_attempt(
        actor=actor, commitment=commitment, outcome=payload.outcome, note=payload.note
    )
    return Status(
        201, {"attempt": attempt, "commitment": commitment_for_user(actor, commitment_id)}
    )


@router.post(
    "/commitments/{commitment_id}/complete",
    response={200: CommitmentDetailOut, **error_responses(400, 401, 403, 404, 409, 413, 422)},
    tags=["commitments"],
    summary="Keep a promise",
    description="Done, with the contact that kept it in `result`. Already kept: 409.",
)
def complete_commitment(
    request, payload: CommitmentCompleteIn, commitment_id: int = id_path("The promise's id.")
):
    actor = require(request, Capability.MAKE_COMMITMENT, action=Action.UPDATE, part="promises")
    commitment = commitment_for_user(actor, commitment_id)
    commitment_complete(
        actor=actor,
        commitment=commitment,
        summary=payload.summary,
        outcome=payload.outcome,
        channel=payload.channel,
        direction=payload.direction,
        topic=payload.topic,
    )
    return commitment_for_user(actor, commitment_id)
