"""The API's policy: the role (core.roles) and the token's scopes must both allow.

The gate that also writes the `denied` audit entry is halte.audit.gate.require; this
half stays free of audit so that core does not import it.
"""

from halte.core.api.scopes import scopes_allow
from halte.core.roles import Capability, can


def token_scopes(request) -> list[str]:
    """The scopes of the request's API token (halte.api.auth sets `request.api_token`);
    none for a browser session, which is not narrowed."""
    api_token = getattr(request, "api_token", None)
    return list(api_token.scopes) if api_token is not None else []


def api_allows(request, capability: Capability) -> bool:
    return can(request.actor.user, capability) and scopes_allow(token_scopes(request), capability)
