"""The API's gate: the role (core.roles) and the token's scopes must both allow."""

from django.core.exceptions import PermissionDenied

from halte.api.auth import token_scopes
from halte.api.scopes import scopes_allow
from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.audit.services import audit_record
from halte.core.roles import Capability, can


def require(
    request, capability: Capability, *, action: Action, part: str, client_id: int | None = None
) -> Actor:
    """The request's Actor if it may use `capability`; else one `denied` audit entry and 403."""
    actor = request.actor
    if can(actor.user, capability) and scopes_allow(token_scopes(request), capability):
        return actor
    audit_record(actor, action=action, part=part, client_id=client_id, outcome=Outcome.DENIED)
    raise PermissionDenied
