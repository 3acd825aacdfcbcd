"""The outbox in the JSON API (API.md): a client's messages and one message. Every read
names the client in the audit log."""

from django.conf import settings
from django.http import Http404
from ninja import Router

from halte.audit.gate import require
from halte.audit.models import Action
from halte.audit.services import audit_record
from halte.clients.access import client_for_user
from halte.core.api.errors import error_responses
from halte.core.api.pagination import MAX_PAGE, decode_cursor, encode_cursor
from halte.core.api.params import cursor_query, id_path, limit_query
from halte.core.roles import Capability
from halte.outreach import queries
from halte.outreach.models import Message
from halte.outreach.schemas import MessageOut, MessagePageOut

router = Router()


@router.get(
    "/clients/{client_id}/messages",
    response={200: MessagePageOut, **error_responses(400, 401, 403, 404)},
    tags=["messages"],
    summary="A client's messages",
    description=(
        "Every message Halte sent or will send to the client or their relatives, newest "
        "first: the client's outbox. Reading it is logged as a read of the client."
    ),
)
def client_messages(
    request,
    client_id: int = id_path("The client's id."),
    limit: int = limit_query(),
    cursor: str | None = cursor_query(),
):
    actor = require(
        request, Capability.USE_WORKPLACE, action=Action.READ, part="messages", client_id=client_id
    )
    client = client_for_user(actor, client_id, capability=Capability.LOG_CONTACT, part="messages")
    query = f"clients/{client.pk}/messages"
    page, size = (1, limit)
    if cursor:
        page, size = decode_cursor(cursor, query=query, max_size=settings.API_MAX_LIMIT)
    start = (page - 1) * size
    rows = list(queries.client_messages(client.pk)[start : start + size + 1])
    audit_record(actor, action=Action.READ, part="messages", client_id=client.pk)
    more = len(rows) > size and page < MAX_PAGE
    return {
        "items": rows[:size],
        "next": encode_cursor(query=query, page=page + 1, size=size) if more else None,
    }


@router.get(
    "/messages/{message_id}",
    response={200: MessageOut, **error_responses(401, 403, 404)},
    tags=["messages"],
    summary="One message",
    description="A message of a client you may see; 404 for any other.",
)
def message_detail(request, message_id: int = id_path("The message's id.")):
    actor = require(request, Capability.USE_WORKPLACE, action=Action.READ, part="messages")
    client_id = Message.objects.filter(pk=message_id).values_list("client_id", flat=True).first()
    if client_id is None:
        raise Http404
    client = client_for_user(actor, client_id, capability=Capability.LOG_CONTACT, part="messages")
    message = queries.client_messages(client.pk).get(pk=message_id)
    audit_record(actor, action=Action.READ, part="messages", client_id=client.pk)
    return message
