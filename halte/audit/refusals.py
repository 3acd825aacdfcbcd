"""Refused pages in the log: one `denied` entry per refusal, as the API's (audit.gate).

core.access.require_capability refuses a page by role and reports it through
core.extensions.PAGE_REFUSALS; this app registers `record_page_refusal` there. A client
outside the user's scope is logged by clients.access.client_for_user itself.
"""

from halte.audit.context import actor_from_request
from halte.audit.models import Action, Outcome
from halte.audit.services import audit_record
from halte.core.extensions import Refusal
from halte.core.roles import Capability

_C = Capability
# The part of the record each capability guards: what the refused page would have shown
# or changed. Every capability has one (a test checks), each a labelled part.
CAPABILITY_PARTS: dict[Capability, str] = {
    _C.SEARCH_CLIENTS: "search",
    _C.VIEW_CLIENT: "card",
    _C.CREATE_CLIENT: "card",
    _C.EDIT_CLIENT: "card",
    _C.VIEW_CARE_NOTES: "care_notes",
    _C.WRITE_CARE_NOTES: "care_notes",
    _C.REVEAL_BSN: "bsn",
    _C.VIEW_AUDIT_LOG: "audit_log",
    _C.MANAGE_STAFF: "staff",
    _C.USE_WORKPLACE: "workplace",
    _C.LOG_CONTACT: "contacts",
    _C.MAKE_COMMITMENT: "promises",
    _C.VIEW_ESCALATIONS: "escalations",
    _C.VIEW_JOURNEY: "journey",
    _C.REGISTER_REFERRAL: "journey",
    _C.PLAN_JOURNEY: "journey_queues",
    _C.RECORD_INTAKE: "journey",
    _C.EXPORT_WAITING_LIST: "waiting_list_bsn",
    _C.MANAGE_OUTBOX: "outbox",
    _C.SEND_ANNOUNCEMENTS: "announcement_recipients",
    _C.PRINT_LETTERS: "letters",
}
# What a refused attempt to write would have done; a look is a read.
_WRITE_ACTIONS: dict[Capability, Action] = {
    _C.CREATE_CLIENT: Action.CREATE,
    _C.REGISTER_REFERRAL: Action.CREATE,
    _C.WRITE_CARE_NOTES: Action.CREATE,
}
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def refused_action(capability: Capability, method: str) -> Action:
    if capability == Capability.EXPORT_WAITING_LIST:
        return Action.EXPORT
    # Revealing the BSN is a look, though its button posts (no BSN in a GET's URL log).
    if method in _SAFE_METHODS or capability == Capability.REVEAL_BSN:
        return Action.READ
    return _WRITE_ACTIONS.get(capability, Action.UPDATE)


def record_page_refusal(request, refusal: Refusal) -> None:
    """One `denied` entry for a page the user's role may not use."""
    capability = Capability(refusal.capability)
    audit_record(
        actor_from_request(request),
        action=refused_action(capability, request.method),
        part=CAPABILITY_PARTS[capability],
        client_id=refusal.client_id,
        outcome=Outcome.DENIED,
    )
