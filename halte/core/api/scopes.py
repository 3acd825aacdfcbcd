"""Token scopes: what an API token may be used for, on top of its user's role.

A token without scopes may do whatever its user's role may do; each scope adds a
set of capabilities, and a scoped token may use only the capabilities its scopes
name (and its role grants). Scopes only ever narrow.
"""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from halte.core.roles import Capability


class Scope(StrEnum):
    CLIENTS_READ = "clients:read"
    CLIENTS_WRITE = "clients:write"
    CONTACTS_READ = "contacts:read"
    CONTACTS_WRITE = "contacts:write"
    JOURNEY_READ = "journey:read"
    JOURNEY_WRITE = "journey:write"
    ANNOUNCEMENTS = "announcements"


SCOPE_CAPABILITIES: dict[Scope, frozenset[Capability]] = {
    Scope.CLIENTS_READ: frozenset({Capability.SEARCH_CLIENTS, Capability.VIEW_CLIENT}),
    Scope.CLIENTS_WRITE: frozenset({Capability.CREATE_CLIENT, Capability.EDIT_CLIENT}),
    Scope.CONTACTS_READ: frozenset({Capability.USE_WORKPLACE, Capability.VIEW_ESCALATIONS}),
    Scope.CONTACTS_WRITE: frozenset({Capability.LOG_CONTACT, Capability.MAKE_COMMITMENT}),
    Scope.JOURNEY_READ: frozenset({Capability.VIEW_JOURNEY}),
    Scope.JOURNEY_WRITE: frozenset(
        {Capability.REGISTER_REFERRAL, Capability.PLAN_JOURNEY, Capability.RECORD_INTAKE}
    ),
    Scope.ANNOUNCEMENTS: frozenset({Capability.SEND_ANNOUNCEMENTS}),
}

SCOPE_DESCRIPTIONS: dict[Scope, str] = {
    Scope.CLIENTS_READ: _("search clients and read a client's card and relations"),
    Scope.CLIENTS_WRITE: _(
        "create and change clients and add relations (the response shows what was written)"
    ),
    Scope.CONTACTS_READ: _(
        "recognise callers by number, read a client's timeline and the queues of promises"
    ),
    Scope.CONTACTS_WRITE: _(
        "log contacts and make, try and keep promises (the response shows what was written)"
    ),
    Scope.JOURNEY_READ: _(
        "read the care offer, referrals, waiting lists, care episodes and a client's journey"
    ),
    Scope.JOURNEY_WRITE: _(
        "register referrals, plan and record intakes, run the waiting list and start and "
        "end care (the response shows what was written)"
    ),
    Scope.ANNOUNCEMENTS: _(
        "write announcements to a group of clients, preview their recipients, send or "
        "schedule them and follow each recipient's message"
    ),
}


def unknown_scopes(scopes) -> list[str]:
    known = {scope.value for scope in Scope}
    return sorted(set(scopes) - known)


def scopes_allow(scopes, capability: Capability) -> bool:
    """Whether a token with `scopes` may use `capability`; empty means no narrowing."""
    if not scopes:
        return True
    return any(capability in SCOPE_CAPABILITIES.get(scope, ()) for scope in scopes)
