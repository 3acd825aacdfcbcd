"""Changing a staff member's access (role and teams): the rule that an administrator
cannot change their own role, and the report of every change to the audit log.

The admin site (core.admin.StaffAdmin) and any other code that changes a role or
teams go through here; the audit app records the change (core.extensions).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from halte.core.extensions import StaffAccess, StaffAccessChange, record_staff_access_change
from halte.core.models import Team, User
from halte.core.roles import Role

UNKNOWN_ROLE = _("There is no such role.")
OWN_ROLE = _("You cannot change your own role. Ask another administrator to do it.")
NO_ACCESS = StaffAccess(role="", team_ids=frozenset())


def stored_access(member: User) -> StaffAccess:
    """The member's role and teams as stored (not as an unsaved form left them)."""
    if member.pk is None:
        return NO_ACCESS
    role = User.objects.filter(pk=member.pk).values_list("role", flat=True).first()
    if role is None:
        return NO_ACCESS
    team_ids = Team.objects.filter(members=member.pk).values_list("id", flat=True)
    return StaffAccess(role=role, team_ids=frozenset(team_ids))


def refuse_own_role_change(by, member: User, role: str) -> None:
    """ValidationError (on `role`) when `by` would give themselves another role: nobody
    grants themselves access, and an administrator cannot lock out the last one."""
    if by is None or member.pk is None or by.pk != member.pk:
        return
    if role != stored_access(member).role:
        raise ValidationError({"role": [OWN_ROLE]})


def report_access_change(*, by, source_ip, member: User, before: StaffAccess) -> None:
    """Report the member's change since `before` to the audit log, if anything changed."""
    after = stored_access(member)
    if after != before:
        record_staff_access_change(
            StaffAccessChange(
                by=by,
                source_ip=source_ip,
                member=member,
                before=before,
                after=after,
                created=before is NO_ACCESS,
            )
        )


@transaction.atomic
def staff_access_change(
    *, by, member: User, role: str | None = None, teams=None, source_ip: str | None = None
) -> User:
    """Give `member` another role and/or teams (None: unchanged), refused for one's own
    role, and recorded in the audit log in the same transaction."""
    locked = User.objects.select_for_update().get(pk=member.pk)
    before = stored_access(locked)
    if role is not None:
        if role not in Role.values:
            raise ValidationError({"role": [UNKNOWN_ROLE]})
        refuse_own_role_change(by, locked, role)
        if role != locked.role:
            locked.role = role
            locked.save(update_fields=["role"])
    if teams is not None:
        locked.teams.set(teams)
    report_access_change(by=by, source_ip=source_ip, member=locked, before=before)
    return locked
