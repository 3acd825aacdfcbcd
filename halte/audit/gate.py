"""The API's gate: what core.api.permissions allows, and else one `denied` audit entry.

It lives in audit, not core, because a refusal is logged (NEN 7513); every app's
api.py sits above audit and imports it from here.
"""

from django.core.exceptions import PermissionDenied

from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.audit.services import audit_record
from halte.core.api.permissions import api_allows
from halte.core.roles import Capability


def require(
    request, capability: Capability, *, action: Action, part: str, client_id: int | None = None
) -> Actor:
    """The request's Actor if it may use `capability`; else one `denied` audit entry and 403."""
    actor = request.actor
    if api_allows(request, capability):
        return actor
    audit_record(actor, action=action, part=part, client_id=client_id, outcome=Outcome.DENIED)
    raise PermissionDenied
