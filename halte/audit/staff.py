"""A change of a staff member's access in the chain: who changed whom, the role before
and after, the teams added and removed (NEN 7513: who may see what is itself logged).

core.staff reports each change through core.extensions.STAFF_ACCESS_CHANGES; this app
registers `record_staff_access_change` there. The entry is the changer's (a process
when no one was signed in); the member changed is named in the part
(`staff_member=<id>`), as no client is concerned.
"""

from halte.audit.context import Actor
from halte.audit.models import Action
from halte.audit.services import audit_record
from halte.core.extensions import StaffAccessChange

# The name a change made without anyone signed in is logged under (Actor.system).
OUTSIDE_HALTE = "outside Halte (command or shell)"

# Team codes per entry: the part's column holds 200 characters.
_TEAMS_PER_ENTRY = 4


def role_part(change: StaffAccessChange) -> str:
    return ",".join(
        [
            "staff_role",
            f"staff_member={change.member.pk}",
            f"role_from={change.before.role}",
            f"role_to={change.after.role}",
        ]
    )


def team_parts(change: StaffAccessChange) -> list[str]:
    """One part per few teams changed, each naming the member."""
    added = sorted(change.after.team_ids - change.before.team_ids)
    removed = sorted(change.before.team_ids - change.after.team_ids)
    codes = [f"team_added={team_id}" for team_id in added]
    codes += [f"team_removed={team_id}" for team_id in removed]
    head = ["staff_teams", f"staff_member={change.member.pk}"]
    return [
        ",".join(head + codes[start : start + _TEAMS_PER_ENTRY])
        for start in range(0, len(codes), _TEAMS_PER_ENTRY)
    ]


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def status_part(change: StaffAccessChange) -> str | None:
    """Superuser and active (may sign in), each only when it changed."""
    before, after = change.before, change.after
    codes = []
    if before.is_superuser != after.is_superuser:
        codes += [
            f"superuser_from={_yes_no(before.is_superuser)}",
            f"superuser_to={_yes_no(after.is_superuser)}",
        ]
    if before.is_active != after.is_active:
        codes += [
            f"active_from={_yes_no(before.is_active)}",
            f"active_to={_yes_no(after.is_active)}",
        ]
    if not codes:
        return None
    return ",".join(["staff_status", f"staff_member={change.member.pk}", *codes])


def _actor(change: StaffAccessChange) -> Actor:
    if change.by is None:
        # Made with no one signed in: a management command (createsuperuser), a
        # shell, a script or a task, through the ORM.
        return Actor.system(OUTSIDE_HALTE, source_ip=change.source_ip)
    return Actor(change.by, source_ip=change.source_ip)


def deleted_part(change: StaffAccessChange) -> str:
    """A staff member deleted: whom, and the role they had (their teams went with them)."""
    return ",".join(
        ["staff_deleted", f"staff_member={change.member.pk}", f"role_from={change.before.role}"]
    )


def record_staff_access_change(change: StaffAccessChange) -> None:
    actor = _actor(change)
    if change.deleted:
        audit_record(actor, action=Action.DELETE, part=deleted_part(change))
        return
    action = Action.CREATE if change.created else Action.UPDATE
    parts = team_parts(change)
    status = status_part(change)
    if status is not None:
        parts.insert(0, status)
    if change.before.role != change.after.role:
        parts.insert(0, role_part(change))
    for part in parts:
        audit_record(actor, action=action, part=part)
