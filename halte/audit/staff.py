"""A change of a staff member's access in the chain: who changed whom, the role before
and after, the teams added and removed (NEN 7513: who may see what is itself logged).

core.staff reports each change through core.extensions.STAFF_ACCESS_CHANGES; this app
registers `record_staff_access_change` there. The entry is the changer's; the member
changed is named in the part (`staff_member=<id>`), as no client is concerned.
"""

from halte.audit.context import Actor
from halte.audit.models import Action
from halte.audit.services import audit_record
from halte.core.extensions import StaffAccessChange

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


def record_staff_access_change(change: StaffAccessChange) -> None:
    actor = Actor(change.by, source_ip=change.source_ip)
    action = Action.CREATE if change.created else Action.UPDATE
    parts = team_parts(change)
    if change.before.role != change.after.role:
        parts.insert(0, role_part(change))
    for part in parts:
        audit_record(actor, action=action, part=part)
