"""Staff roles and what each may do: the one place the access policy lives.

Views and API endpoints ask `can(user, Capability.X)` and `client_scope(user)`;
nothing else compares role names.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FRONT_OFFICE = "front_office", _("Front office")
    PLANNER = "planner", _("Planner")
    CARE_PROFESSIONAL = "care_professional", _("Care professional")
    TEAM_LEAD = "team_lead", _("Team lead")
    MANAGER = "manager", _("Manager")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    ADMINISTRATOR = "administrator", _("Administrator")


class Capability(StrEnum):
    SEARCH_CLIENTS = "search_clients"
    VIEW_CLIENT = "view_client"  # the contact card: names, phones, address, relations, wishes
    CREATE_CLIENT = "create_client"
    EDIT_CLIENT = "edit_client"
    VIEW_CARE_NOTES = "view_care_notes"
    WRITE_CARE_NOTES = "write_care_notes"
    REVEAL_BSN = "reveal_bsn"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_STAFF = "manage_staff"  # staff, teams, locations and API tokens; no client data
    # First contact (contact app)
    USE_WORKPLACE = "use_workplace"  # the agent workplace: calls, number lookup, queues
    LOG_CONTACT = "log_contact"  # record contacts and read a client's contact timeline
    MAKE_COMMITMENT = "make_commitment"  # promise, try and complete callbacks and other promises
    VIEW_ESCALATIONS = "view_escalations"  # overdue and expiring promises of the organisation
    # The client journey (journey app)
    VIEW_JOURNEY = "view_journey"  # referrals, waiting list, care episodes: stages, not care
    REGISTER_REFERRAL = "register_referral"  # record that someone asks care for a client
    PLAN_JOURNEY = "plan_journey"  # own referrals, plan intakes, run the waiting list, start care
    RECORD_INTAKE = "record_intake"  # hold an intake and record its outcome and indication
    EXPORT_WAITING_LIST = "export_waiting_list"  # the care offices' CSV, with BSN
    # Messages to clients (outreach app); a client's own messages are read with
    # LOG_CONTACT, as they are contacts on the client's timeline.
    MANAGE_OUTBOX = "manage_outbox"  # the whole outbox: act on failures
    SEND_ANNOUNCEMENTS = "send_announcements"  # a message to a segment of clients
    # Download the day's letters (names and addresses of every client written to) and
    # mark them printed. Only roles that see every client: a batch holds all teams'.
    PRINT_LETTERS = "print_letters"


class ClientScope(StrEnum):
    ALL = "all"  # every client of the organisation
    OWN_TEAMS = "own_teams"  # clients of the teams the user belongs to
    NONE = "none"  # no client content at all


_C = Capability
_CLIENT_WORK = {
    _C.SEARCH_CLIENTS,
    _C.VIEW_CLIENT,
    _C.CREATE_CLIENT,
    _C.EDIT_CLIENT,
    _C.USE_WORKPLACE,
    _C.LOG_CONTACT,
    _C.MAKE_COMMITMENT,
    _C.VIEW_JOURNEY,
    _C.REGISTER_REFERRAL,
}
_CARE_WORK = _CLIENT_WORK | {
    _C.VIEW_CARE_NOTES,
    _C.WRITE_CARE_NOTES,
    _C.REVEAL_BSN,
    _C.RECORD_INTAKE,
}
_PLANNING = {_C.PLAN_JOURNEY, _C.EXPORT_WAITING_LIST, _C.MANAGE_OUTBOX, _C.SEND_ANNOUNCEMENTS}
# The post goes out from the front office and the planners: team leads see only
# their own teams' clients, and a day's batch holds every team's letters.
_POST = {_C.PRINT_LETTERS}

CAPABILITIES: dict[str, frozenset[Capability]] = {
    # The front office answers every caller, so it sees every contact card, but
    # it has no need for care notes or the BSN.
    # It also answers for the messages that did not arrive, and sends the post.
    Role.FRONT_OFFICE: frozenset(_CLIENT_WORK | {_C.MANAGE_OUTBOX} | _POST),
    Role.PLANNER: frozenset(_CARE_WORK | _PLANNING | _POST),
    Role.CARE_PROFESSIONAL: frozenset(_CARE_WORK),
    Role.TEAM_LEAD: frozenset(_CARE_WORK | _PLANNING | {_C.VIEW_ESCALATIONS}),
    # Managers steer on figures; they may look a client up, not read their care.
    # They see where clients are on their journey (waiting lists, norms), not the care.
    Role.MANAGER: frozenset(
        {_C.SEARCH_CLIENTS, _C.VIEW_CLIENT, _C.VIEW_ESCALATIONS, _C.VIEW_JOURNEY}
    ),
    # The privacy officer checks who looked at what, never the content itself.
    Role.PRIVACY_OFFICER: frozenset({_C.VIEW_AUDIT_LOG}),
    Role.ADMINISTRATOR: frozenset({_C.MANAGE_STAFF}),
}

CLIENT_SCOPES: dict[str, ClientScope] = {
    Role.FRONT_OFFICE: ClientScope.ALL,
    Role.PLANNER: ClientScope.ALL,
    Role.CARE_PROFESSIONAL: ClientScope.OWN_TEAMS,
    Role.TEAM_LEAD: ClientScope.OWN_TEAMS,
    Role.MANAGER: ClientScope.ALL,
    Role.PRIVACY_OFFICER: ClientScope.NONE,
    Role.ADMINISTRATOR: ClientScope.NONE,
}


def can(user, capability: Capability) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return capability in CAPABILITIES.get(user.role, frozenset())


def client_scope(user) -> ClientScope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ClientScope.NONE
    return CLIENT_SCOPES.get(user.role, ClientScope.NONE)


# Roles whose day is the telephone: their start page is the agent workplace.
_STARTS_AT_WORKPLACE = frozenset({Role.FRONT_OFFICE})


def starts_at_workplace(user) -> bool:
    return can(user, Capability.USE_WORKPLACE) and user.role in _STARTS_AT_WORKPLACE


# Roles whose day is the referral pipeline: their start page is the work queues.
_STARTS_AT_QUEUES = frozenset({Role.PLANNER})


def starts_at_queues(user) -> bool:
    return can(user, Capability.VIEW_JOURNEY) and user.role in _STARTS_AT_QUEUES
