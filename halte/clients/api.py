"""The clients part of the JSON API (API.md): create, read, change, search, relations.

Endpoints only translate: they check the role and scopes, fetch through
clients.access / clients.queries, write through clients.services.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Header, Path, Query, Router
from ninja.responses import Status

from halte.audit.gate import require
from halte.audit.models import Action
from halte.audit.services import audit_record
from halte.clients.access import (
    BSN_NOT_ALLOWED,
    BsnNotAllowed,
    client_for_user,
    refuse_bsn_without_role,
)
from halte.clients.duplicates import check_new_client
from halte.clients.queries import client_detail, client_search
from halte.clients.schemas import (
    ClientCreateIn,
    ClientDetailOut,
    ClientOut,
    ClientPageOut,
    ClientPatchIn,
    DuplicateErrorOut,
    RelationIn,
    RelationOut,
)
from halte.clients.services import client_create, client_update, relation_create
from halte.core.api.errors import ApiError, ErrorCode, error_body, error_responses
from halte.core.api.pagination import decode_cursor, encode_cursor
from halte.core.api.permissions import api_allows
from halte.core.api.types import MAX_ID
from halte.core.models import Team
from halte.core.roles import Capability

router = Router(tags=["clients"])

UNKNOWN_TEAM = _("There is no such team.")
INVALID_IF_MATCH = _('If-Match must be the client\'s version, e.g. "3".')

ClientId = Path(..., ge=1, le=MAX_ID, description="The client's id.")


def _phones(phones) -> list[tuple[str, str]]:
    return [(phone.number, phone.label) for phone in phones]


def _client_fields(payload) -> dict:
    """The payload's fields as the services take them: only those sent, address flat."""
    fields = payload.model_dump(exclude_unset=True)
    fields.update(fields.pop("address", None) or {})
    if "phones" in fields:
        fields["phones"] = _phones(payload.phones)  # with their labels' defaults
    if "team_id" in fields:
        fields["team"] = _team(fields.pop("team_id"))
    return fields


def _team(team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise ValidationError({"team": [UNKNOWN_TEAM]})
    return team


def _expected_version(if_match: str | None) -> int | None:
    """'3', '"3"' or 'W/"3"' -> 3; absent or '*' -> None (no check)."""
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 18:
        raise ApiError(400, INVALID_IF_MATCH, {"If-Match": [INVALID_IF_MATCH]})
    return int(value)


BSN_FORBIDDEN = (
    "403 `forbidden` with `fields.bsn` when the body has `bsn` (any value, null too) and "
    "the role may not see a BSN (front office, manager): such a role may not write one "
    "either, and is never told whether a BSN is taken."
)


def _refuse_bsn(actor, payload, *, action: Action, client_id: int | None = None) -> None:
    """Before anything looks at the value: the same 403 whatever BSN was sent."""
    try:
        refuse_bsn_without_role(
            actor, payload.model_dump(exclude_unset=True), action=action, client_id=client_id
        )
    except BsnNotAllowed as refused:
        raise ApiError(403, BSN_NOT_ALLOWED, {"bsn": [BSN_NOT_ALLOWED]}) from refused


def _etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = f'"{version}"'


@router.post(
    "",
    response={
        201: ClientOut,
        409: DuplicateErrorOut,
        **error_responses(400, 401, 403, 413, 422),
    },
    summary="Create a client",
    description=(
        "409 `possible_duplicate` when the client may already be here: see "
        f"`duplicates_checked`. {BSN_FORBIDDEN}"
    ),
)
def create_client(request, payload: ClientCreateIn):
    actor = require(request, Capability.CREATE_CLIENT, action=Action.CREATE, part="card")
    _refuse_bsn(actor, payload, action=Action.CREATE)
    fields = _client_fields(payload)
    # The candidates are a search's results: a token that may not search (clients:write
    # alone) is never told who is already a client, so it gets no check at all.
    checked = fields.pop("duplicates_checked", False)
    if not checked and api_allows(request, Capability.SEARCH_CLIENTS):
        check = check_new_client(actor, fields)
        if check.candidates:
            return Status(409, _duplicates_error(check.candidates))
    client = client_create(actor=actor, **fields)
    return Status(201, client)


def _duplicates_error(candidates) -> dict:
    body = error_body(ErrorCode.POSSIBLE_DUPLICATE)
    body["error"]["candidates"] = [
        {
            "id": c.id,
            "client_number": c.client_number,
            "display_name": c.full_name,
            "date_of_birth": c.date_of_birth,
            "reasons": list(c.reasons),
        }
        for c in candidates
    ]
    return body


@router.get(
    "",
    response={200: ClientPageOut, **error_responses(400, 401, 403)},
    summary="Search clients",
    description=(
        "By name fragment, postcode (+ house number), date of birth, client number or "
        "phone number, best match first."
    ),
)
def search_clients(
    request,
    q: str = Query(..., max_length=200, description="What to search for."),
    limit: int = Query(settings.API_DEFAULT_LIMIT, ge=1, le=settings.API_MAX_LIMIT),
    cursor: str | None = Query(None, max_length=200, description="`next` of the previous page."),
):
    actor = require(request, Capability.SEARCH_CLIENTS, action=Action.SEARCH, part="search")
    page, size = 1, limit
    if cursor:
        page, size = decode_cursor(cursor, query=q, max_size=settings.API_MAX_LIMIT)
    result = client_search(actor, q, page=page, page_size=size)
    following = encode_cursor(query=q, page=page + 1, size=size) if result.has_next else None
    return {"items": result.clients, "next": following}


@router.get(
    "/{client_id}",
    response={200: ClientDetailOut, **error_responses(401, 403, 404)},
    summary="One client, with relations",
)
def get_client(request, response: HttpResponse, client_id: int = ClientId):
    require(request, Capability.VIEW_CLIENT, action=Action.READ, part="card", client_id=client_id)
    client = client_detail(request.actor, client_id)
    _etag(response, client.version)
    return client


@router.patch(
    "/{client_id}",
    response={200: ClientOut, **error_responses(400, 401, 403, 404, 409, 413, 422)},
    summary="Change a client",
    description=(
        "Only the fields sent change. With `If-Match: <version>`, a stale version is 409. "
        + BSN_FORBIDDEN
    ),
)
def update_client(
    request,
    response: HttpResponse,
    payload: ClientPatchIn,
    client_id: int = ClientId,
    if_match: str | None = Header(None, alias="If-Match", max_length=100),
):
    expected_version = _expected_version(if_match)
    actor = require(
        request, Capability.EDIT_CLIENT, action=Action.UPDATE, part="card", client_id=client_id
    )
    client = client_for_user(actor, client_id, capability=Capability.EDIT_CLIENT)
    _refuse_bsn(actor, payload, action=Action.UPDATE, client_id=client.pk)
    updated = client_update(
        actor=actor, client=client, expected_version=expected_version, **_client_fields(payload)
    )
    if updated.version == client.version:
        # Nothing changed, so no update entry; the card is shown all the same.
        audit_record(actor, action=Action.READ, part="card", client_id=client.pk)
    _etag(response, updated.version)
    return updated


@router.post(
    "/{client_id}/relations",
    response={201: RelationOut, **error_responses(400, 401, 403, 404, 413, 422)},
    summary="Add a relation",
)
def add_relation(request, payload: RelationIn, client_id: int = ClientId):
    actor = require(
        request,
        Capability.EDIT_CLIENT,
        action=Action.CREATE,
        part="relations",
        client_id=client_id,
    )
    client = client_for_user(actor, client_id, capability=Capability.EDIT_CLIENT, part="relations")
    fields = payload.model_dump()
    fields["phones"] = _phones(payload.phones)
    relation = relation_create(actor=actor, client=client, **fields)
    return Status(201, relation)
