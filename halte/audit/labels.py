"""What the privacy officer reads for the codes an entry stores.

Entries keep short, stable codes (`card`, `caller_pop`, `front_office`); the log page
shows these labels, in the reader's language. Actions, outcomes and purposes are
TextChoices on the model; roles are core's; the parts of the record are listed here.

The vocabulary is closed: the append refuses a part without a label (see
`check_part`), so code that writes a new part fails its own tests until the part is
given a label here.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.utils import dateformat, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from halte.core.api.scopes import Scope
from halte.core.roles import Role

SYSTEM_ROLE = "system"  # an entry written by a process, not a person (Actor.system)

ROLE_LABELS = {
    **dict(Role.choices),
    SYSTEM_ROLE: _("System"),
    "": _("No role"),
}

# The search kinds (clients.search.QueryKind) an entry `search:<kind>` names.
_SEARCH_LABELS = {
    "search": _("Search"),
    "search:name": _("Search by name"),
    "search:postcode": _("Search by postcode"),
    "search:birth_date": _("Search by date of birth"),
    "search:client_number": _("Search by client number"),
    "search:phone": _("Search by phone number"),
    "search:none": _("Search without usable terms"),
    "search:duplicates": _("Search: possibly the same client (new client)"),
}

# The client's own fields: a change of the card names the fields it changed
# (clients.services.client_update writes them comma-separated).
_CLIENT_FIELD_LABELS = {
    "given_names": pgettext_lazy("audit part", "Given names"),
    "name_prefix": pgettext_lazy("audit part", "Name prefix"),
    "family_name": pgettext_lazy("audit part", "Family name"),
    "preferred_name": pgettext_lazy("audit part", "Preferred name"),
    "address_form": pgettext_lazy("audit part", "Form of address"),
    "salutation": pgettext_lazy("audit part", "Salutation"),
    "date_of_birth": pgettext_lazy("audit part", "Date of birth"),
    "email": pgettext_lazy("audit part", "Email address"),
    "street": pgettext_lazy("audit part", "Street"),
    "house_number": pgettext_lazy("audit part", "House number"),
    "house_number_suffix": pgettext_lazy("audit part", "House number suffix"),
    "postcode": pgettext_lazy("audit part", "Postcode"),
    "city": pgettext_lazy("audit part", "City"),
    "language": pgettext_lazy("audit part", "Language"),
    "interpreter_needed": pgettext_lazy("audit part", "Interpreter needed"),
    "hard_of_hearing": pgettext_lazy("audit part", "Hard of hearing"),
    "status": pgettext_lazy("audit part", "Client status"),
    "team": pgettext_lazy("audit part", "Care team"),
    "primary_contact": pgettext_lazy("audit part", "Fixed contact person"),
    "what_matters": pgettext_lazy("audit part", "What matters to me"),
    "bsn": pgettext_lazy("audit part", "BSN"),
    "phones": pgettext_lazy("audit part", "Phone numbers"),
    "contact_channel": pgettext_lazy("audit part", "Preferred channel for messages"),
    "journey_messages": pgettext_lazy("audit part", "Messages about the care"),
    "announcements": pgettext_lazy("audit part", "News and announcements"),
}

# A change of a staff member's access (core.admin, audit.staff): the entry of the
# person who made it names these parts; it never names a client.
_STAFF_LABELS = {
    "staff_role": _("Staff member's role"),
    "staff_teams": _("Staff member's teams"),
    "staff_status": _("Staff member's account (superuser, active)"),
    "staff_deleted": _("Staff member deleted"),
}

# The second factor at sign-in (halte.twofactor): which factor was checked, enrolled
# or, for an administrator, reset. Never the code itself.
_SECOND_FACTOR_LABELS = {
    "second_factor_totp": _("Second factor: code from the authenticator app"),
    "second_factor_recovery": _("Second factor: recovery code"),
    "second_factor_passkey": _("Second factor: passkey or security key"),
    "second_factor_reset": _("Second factor of a staff member (reset)"),
}

# An API token made, given another expiry or revoked (halte.api.services): its scopes,
# one code each (a short one: a token's entry names the token, its owner, every scope
# and its expiry before and after within the part's 200 characters). The scope
# `announcements` has its own code: the bare one is a client's preference above.
API_TOKEN_SCOPE_CODES = {
    scope.value: "announcements_scope"
    if scope is Scope.ANNOUNCEMENTS
    else scope.value.replace(":", "_")
    for scope in Scope
}
NO_SCOPES = "scopes_role"  # a token without scopes: whatever its user's role may do
_API_TOKEN_LABELS = {
    **{
        code: format_lazy(_("API scope {scope}"), scope=scope)
        for scope, code in API_TOKEN_SCOPE_CODES.items()
    },
    NO_SCOPES: _("No scopes (everything the role may do)"),
}

PART_LABELS = {
    "card": _("Contact card"),
    "relations": pgettext_lazy("audit part", "Relations"),
    "preferences": pgettext_lazy("audit part", "Preferences"),
    "care_notes": pgettext_lazy("audit part", "Care notes"),
    "contacts": _("Contacts"),
    "promises": _("Promises"),
    "timeline": _("Contact history"),
    "caller_pop": _("Incoming call: caller shown"),
    "caller_recognition": _("Caller recognised by phone number"),
    "journey": _("Care journey"),
    "journey_queues": _("Journey planning"),
    "care_offer": _("Care offer"),
    "waiting_list": pgettext_lazy("audit part", "Waiting list"),
    "waiting_list_bsn": _("Waiting list with BSN (export)"),
    "audit_log": _("Audit log"),
    "messages": _("Messages to the client"),
    "outbox": _("Outbox (all messages)"),
    "announcement_preview": _("Announcement: recipients checked before sending"),
    "announcement_recipients": _("Announcement: recipients and their messages"),
    "message_preview": _("Message template previewed on the client"),
    "letters": _("Letters to print (batch)"),
    # Pages refused by role (audit.refusals) and the staff administration.
    "workplace": _("Workplace (calls and number lookup)"),
    "escalations": _("Escalations (overdue promises)"),
    "staff": _("Staff administration"),
    **_STAFF_LABELS,
    # Signing in and out (halte/audit/signin.py).
    "sign_in": _("Sign-in with password"),
    "sign_in_locked": _("Sign-in blocked: too many failed attempts"),
    "sign_out": _("Signed out"),
    "session_idle": _("Session ended: inactive too long"),
    "session_max_age": _("Session ended: maximum duration reached"),
    **_SEARCH_LABELS,
    **_CLIENT_FIELD_LABELS,
    **_SECOND_FACTOR_LABELS,
    **_API_TOKEN_LABELS,
}

_SEPARATOR = ","

# Codes that carry a value, `name=value` (audit.staff): whom a change of staff access
# was about, the role before and after, each team added or removed; the announcement
# refused. Values are ids and role codes only, never free text.
PARAMETER_LABELS = {
    "staff_member": _("Staff member (id)"),
    "role_from": _("Role before"),
    "role_to": _("Role after"),
    "team_added": _("Team added (id)"),
    "team_removed": _("Team removed (id)"),
    "superuser_from": _("Superuser before"),
    "superuser_to": _("Superuser after"),
    "active_from": _("Active before"),
    "active_to": _("Active after"),
    # An announcement refused to someone who may not see it (outreach.announcement_access).
    "announcement": _("Announcement (id)"),
    # An API token (api.services): which one, its name as a code (lower case letters,
    # digits and underscores), and its expiry when made or before and after a change.
    "api_token": _("API token (id)"),
    "token_name": _("Token name"),
    "expires": _("Expires"),
    "expires_from": _("Expiry before"),
    "expires_to": _("Expiry after"),
}
_ROLE_PARAMETERS = frozenset({"role_from", "role_to"})
_YES_NO_PARAMETERS = frozenset({"superuser_from", "superuser_to", "active_from", "active_to"})
_YES_NO = {"yes": _("yes"), "no": _("no")}
_MOMENT_PARAMETERS = frozenset({"expires", "expires_from", "expires_to"})
_PARAMETER_VALUE = re.compile(r"[a-z0-9_]{0,40}")


def _is_labelled(code: str) -> bool:
    if code in PART_LABELS:
        return True
    name, equals, value = code.partition("=")
    known = bool(equals) and name in PARAMETER_LABELS
    return known and _PARAMETER_VALUE.fullmatch(value) is not None


# Codes whose value is a staff member's or a team's id: the page shows the name
# instead (with the id's label kept for one no longer there).
_STAFF_PARAMETERS = frozenset({"staff_member"})
_TEAM_PARAMETERS = frozenset({"team_added", "team_removed"})
_NAMED_PARAMETER_LABELS = {
    "staff_member": _("Staff member"),
    "team_added": _("Team added"),
    "team_removed": _("Team removed"),
}


@dataclass(frozen=True)
class PartNames:
    """Names for the ids a page of entries holds, looked up once for the page."""

    staff: dict[int, str] = field(default_factory=dict)  # user id -> "Name (username)"
    teams: dict[int, str] = field(default_factory=dict)  # team id -> team name


NO_NAMES = PartNames()


def named_ids(part: str) -> tuple[set[int], set[int]]:
    """The staff member ids and team ids a part names (`staff_member=12`, `team_added=3`)."""
    staff, teams = set(), set()
    if part in PART_LABELS:
        return staff, teams
    for code in part.split(_SEPARATOR):
        name, equals, value = code.partition("=")
        if not equals or not value.isdigit():
            continue
        if name in _STAFF_PARAMETERS:
            staff.add(int(value))
        elif name in _TEAM_PARAMETERS:
            teams.add(int(value))
    return staff, teams


def _code_label(code: str, names: PartNames) -> str:
    if code in PART_LABELS:
        return str(PART_LABELS[code])
    name, equals, value = code.partition("=")
    if not equals or name not in PARAMETER_LABELS:
        return code
    known = names.staff if name in _STAFF_PARAMETERS else names.teams
    if name in _NAMED_PARAMETER_LABELS and value.isdigit() and int(value) in known:
        return f"{_NAMED_PARAMETER_LABELS[name]}: {known[int(value)]}"
    shown = value
    if name in _ROLE_PARAMETERS:
        shown = role_label(value)
    elif name in _YES_NO_PARAMETERS:
        shown = str(_YES_NO.get(value, value))
    elif name in _MOMENT_PARAMETERS:
        shown = moment_label(value)
    return f"{PARAMETER_LABELS[name]}: {shown}"


class UnlabelledPart(ValueError):
    pass


def check_part(part: str) -> None:
    """Refuse a part the log page could not name. A dict lookup: cheap on the hot path."""
    if part in PART_LABELS:
        return
    unknown = [code for code in part.split(_SEPARATOR) if not _is_labelled(code)]
    if unknown or not part:
        raise UnlabelledPart(
            f"The audit part {part!r} has no label; add {unknown or [part]} to "
            "halte/audit/labels.py PART_LABELS (and its Dutch translation)."
        )


def part_label(part: str, names: PartNames = NO_NAMES) -> str:
    """The label of a part, or of each part of a comma-separated list; an entry written
    before its part had a label shows its code. A staff member or team the part names
    by id is shown by name when `names` knows it, else by id (since removed)."""
    if part in PART_LABELS:
        return str(PART_LABELS[part])
    return ", ".join(_code_label(code, names) for code in part.split(_SEPARATOR))


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


# A moment in a code (an API token's expiry): UTC to the second, or `none`.
_NO_MOMENT = "none"
_MOMENT_FORMAT = "%Y%m%d%H%M%S"


def moment_code(moment: datetime.datetime | None) -> str:
    """`moment` as a code value: 20261231230000 (UTC), or `none` for no moment."""
    if moment is None:
        return _NO_MOMENT
    return moment.astimezone(datetime.UTC).strftime(_MOMENT_FORMAT)


def moment_label(code: str) -> str:
    """The moment a code names, in local time as the log shows its entries' (to the
    minute); "no end" for none; an unreadable code as it is."""
    if code == _NO_MOMENT:
        return str(_("no end"))
    try:
        moment = datetime.datetime.strptime(code, _MOMENT_FORMAT).replace(tzinfo=datetime.UTC)
    except ValueError:
        return code
    return dateformat.format(timezone.localtime(moment), "d-m-Y H:i")
