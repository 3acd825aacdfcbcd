"""Changing a staff member's access (role, superuser, active, teams): the rule that an
administrator cannot change their own role, and the report of every change to the
audit log.

Every change that goes through the ORM is reported, whoever makes it: a save of a
staff member (the admin site, `createsuperuser`, `user.role = ...; user.save()` in a
shell), a change of their teams from either side (`user.teams.add/remove/set/clear`,
`team.members...`), the deletion of a team and the deletion of a staff member. The
model signals below note the state before and report the change after, in the
transaction that made it (in autocommit too: User.save is one block with its post_save,
core.models; delete and the teams' add/remove/set/clear are Django's own blocks); the
audit app records it (core.extensions.STAFF_ACCESS_CHANGES).

Who made it: inside `staff_changes(by=...)` that person; else, during a request, the
signed-in user (the `attribute_staff_changes` middleware); else nobody, which the
audit log writes as a process (a management command, a shell, a task).

`staff_changes` also gathers the block's changes per member into one report (a
`teams.set()` removes and adds: one entry, not two), made when the block ends
without an error. `staff_access_change` and the admin site run inside one.

Not reported: writes that send no signals (`queryset.update`, `bulk_create`,
`bulk_update`, the through table written directly) and raw SQL (SECURITY.md).
"""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils.translation import gettext_lazy as _

from halte.core.extensions import StaffAccess, StaffAccessChange, record_staff_access_change
from halte.core.models import Team, User
from halte.core.roles import Role

UNKNOWN_ROLE = _("There is no such role.")
OWN_ROLE = _("You cannot change your own role. Ask another administrator to do it.")
OWN_DEACTIVATION = _("You cannot deactivate your own account. Ask another administrator to do it.")
NO_ACCESS = StaffAccess(role="", team_ids=frozenset())

# The stored fields that are a staff member's access (is_staff follows role and
# is_superuser: core.models.User.is_staff).
ACCESS_FIELDS = frozenset({"role", "is_superuser", "is_active"})
_Teams = User.teams.through


def stored_accesses(member_ids: Iterable[int]) -> dict[int, StaffAccess]:
    """Each member's access as stored, in two queries; a member not stored is left out."""
    ids = set(member_ids)
    if not ids:
        return {}
    rows = User.objects.filter(pk__in=ids).values_list("pk", *sorted(ACCESS_FIELDS))
    teams: dict[int, set[int]] = {}
    for user_id, team_id in _Teams.objects.filter(user_id__in=ids).values_list(
        "user_id", "team_id"
    ):
        teams.setdefault(user_id, set()).add(team_id)
    return {
        pk: StaffAccess(
            role=role,
            team_ids=frozenset(teams.get(pk, ())),
            is_superuser=is_superuser,
            is_active=is_active,
        )
        for pk, is_active, is_superuser, role in rows
    }


def stored_access(member: User) -> StaffAccess:
    """The member's access as stored (not as an unsaved form left it)."""
    if member.pk is None:
        return NO_ACCESS
    return stored_accesses([member.pk]).get(member.pk, NO_ACCESS)


def refuse_own_access_change(by, member: User, *, role=None, is_active=None) -> None:
    """ValidationError (on `role`, `is_active`) when `by` would give themselves another
    role or deactivate their own account: nobody grants themselves access, and the last
    administrator cannot lock everyone out. One read of the stored access for both."""
    if by is None or member.pk is None or by.pk != member.pk:
        return
    stored = stored_access(member)
    errors = {}
    if role is not None and role != stored.role:
        errors["role"] = [OWN_ROLE]
    if is_active is False and stored.is_active:
        errors["is_active"] = [OWN_DEACTIVATION]
    if errors:
        raise ValidationError(errors)


# Who is changing access, and the changes gathered so far


class _Scope:
    """A `staff_changes` block: who acts, and each member's access before the block."""

    def __init__(self, by, source_ip):
        self.by, self.source_ip = by, source_ip
        self.before: dict[int, StaffAccess] = {}

    def note(self, member_ids: Iterable[int], *, created=False) -> None:
        new = [pk for pk in member_ids if pk not in self.before]
        if created:
            self.before.update(dict.fromkeys(new, NO_ACCESS))
        elif new:
            stored = stored_accesses(new)
            self.before.update({pk: stored.get(pk, NO_ACCESS) for pk in new})


_scope: ContextVar[_Scope | None] = ContextVar("halte_staff_changes", default=None)
_request: ContextVar[object | None] = ContextVar("halte_staff_changes_request", default=None)


@contextmanager
def staff_changes(*, by, source_ip: str | None = None):
    """Within the block, changes of staff access are `by`'s, and each member's are
    reported once, as the difference between before the block and its end. The block
    is a transaction (or part of the caller's): the changes and their report are
    written together, or, when the block fails, neither. A block inside another adds
    to the outer one."""
    if _scope.get() is not None:
        yield
        return
    scope = _Scope(by, source_ip)
    with transaction.atomic():
        token = _scope.set(scope)
        try:
            yield
        finally:
            _scope.reset(token)
        after = stored_accesses(scope.before)
        for pk, before in scope.before.items():
            if pk in after:
                _report(scope.by, scope.source_ip, pk, before, after[pk])
            elif before is not NO_ACCESS:  # deleted in the block: their access went too
                _report(scope.by, scope.source_ip, pk, before, NO_ACCESS, deleted=True)


def attribute_staff_changes(get_response):
    """Middleware: a change of staff access made while a request runs is the signed-in
    user's (below AuthenticationMiddleware)."""

    def middleware(request):
        token = _request.set(request)
        try:
            return get_response(request)
        finally:
            _request.reset(token)

    return middleware


def _acting() -> tuple[object | None, str | None]:
    """Who makes a change outside a `staff_changes` block: the request's user, or no one."""
    request = _request.get()
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None, None
    return user, request.META.get("REMOTE_ADDR") or None


def _report(
    by, source_ip, member_id: int, before: StaffAccess, after: StaffAccess, deleted=False
) -> None:
    if before != after or deleted:
        record_staff_access_change(
            StaffAccessChange(
                by=by,
                source_ip=source_ip,
                member=User(pk=member_id),
                before=before,
                after=after,
                created=before is NO_ACCESS,
                deleted=deleted,
            )
        )


def _report_now(member_id: int, before: StaffAccess, after: StaffAccess) -> None:
    by, source_ip = _acting()
    _report(by, source_ip, member_id, before, after)


# The model signals (connected in CoreConfig.ready())


def _saves_access(update_fields) -> bool:
    return update_fields is None or bool(ACCESS_FIELDS & set(update_fields))


def _fields_of(member: User) -> StaffAccess:
    """The access fields a save writes (a save leaves the teams as they are)."""
    return StaffAccess(
        role=member.role,
        team_ids=frozenset(),
        is_superuser=member.is_superuser,
        is_active=member.is_active,
    )


def _before_save(sender, instance: User, raw=False, update_fields=None, **kwargs):
    instance._access_before = None
    if not _saves_access(update_fields):
        return
    # A new member without a pk is noted once saved; one with a pk (loaddata, a copy)
    # may be new or stored: the database says which.
    adding = instance.pk is None
    scope = _scope.get()
    if scope is not None:
        if not adding:
            scope.note([instance.pk])
        return
    if adding:
        instance._access_before = NO_ACCESS
        return
    row = User.objects.filter(pk=instance.pk).values_list(*sorted(ACCESS_FIELDS)).first()
    if row is None:  # saved under a pk not stored (yet): a new member
        instance._access_before = NO_ACCESS
        return
    is_active, is_superuser, role = row
    instance._access_before = StaffAccess(role, frozenset(), is_superuser, is_active)


def _after_save(sender, instance: User, created=False, raw=False, update_fields=None, **kwargs):
    scope = _scope.get()
    if scope is not None:
        if created:
            scope.note([instance.pk], created=True)
        return
    before = getattr(instance, "_access_before", None)
    instance._access_before = None
    if before is not None:
        _report_now(instance.pk, before, _fields_of(instance))


def _before_member_delete(sender, instance: User, **kwargs):
    scope = _scope.get()
    if scope is not None:
        scope.note([instance.pk])
    else:
        instance._access_before = stored_access(instance)


def _after_member_delete(sender, instance: User, **kwargs):
    before = getattr(instance, "_access_before", None)
    instance._access_before = None
    if before is not None and before is not NO_ACCESS:
        by, source_ip = _acting()
        _report(by, source_ip, instance.pk, before, NO_ACCESS, deleted=True)


def _members_changed(instance, reverse: bool, pk_set, action: str) -> list[int]:
    """The staff members a change of team membership is about."""
    if not reverse:
        return [instance.pk]
    if action == "pre_clear":
        return list(_Teams.objects.filter(team_id=instance.pk).values_list("user_id", flat=True))
    return sorted(pk_set or ())


def _teams_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action.startswith("pre_"):
        members = _members_changed(instance, reverse, pk_set, action)
        scope = _scope.get()
        if scope is not None:
            scope.note(members)
        else:
            instance._teams_before = stored_accesses(members)
    elif action.startswith("post_"):
        before = getattr(instance, "_teams_before", None)
        instance._teams_before = None
        if before:
            after = stored_accesses(before)
            for pk, access in before.items():
                _report_now(pk, access, after.get(pk, access))


def _before_team_delete(sender, instance: Team, **kwargs):
    members = list(_Teams.objects.filter(team_id=instance.pk).values_list("user_id", flat=True))
    scope = _scope.get()
    if scope is not None:
        scope.note(members)
    else:
        instance._members_before = stored_accesses(members)


def _after_team_delete(sender, instance: Team, **kwargs):
    before = getattr(instance, "_members_before", None)
    instance._members_before = None
    if before:
        after = stored_accesses(before)
        for pk, access in before.items():
            if pk in after:
                _report_now(pk, access, after[pk])


def connect_signals() -> None:
    uid = "halte.core.staff"
    pre_save.connect(_before_save, sender=User, dispatch_uid=uid)
    post_save.connect(_after_save, sender=User, dispatch_uid=uid)
    pre_delete.connect(_before_member_delete, sender=User, dispatch_uid=uid)
    post_delete.connect(_after_member_delete, sender=User, dispatch_uid=uid)
    m2m_changed.connect(_teams_changed, sender=_Teams, dispatch_uid=uid)
    pre_delete.connect(_before_team_delete, sender=Team, dispatch_uid=uid)
    post_delete.connect(_after_team_delete, sender=Team, dispatch_uid=uid)


def staff_access_change(
    *, by, member: User, role: str | None = None, teams=None, source_ip: str | None = None
) -> User:
    """Give `member` another role and/or teams (None: unchanged), refused for one's own
    role, and recorded in the audit log in the same transaction (once: the model's
    signals report it, gathered by `staff_changes`)."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=member.pk)
        if role is not None:
            if role not in Role.values:
                raise ValidationError({"role": [UNKNOWN_ROLE]})
            refuse_own_access_change(by, locked, role=role)
        with staff_changes(by=by, source_ip=source_ip):
            if role is not None and role != locked.role:
                locked.role = role
                locked.save(update_fields=["role"])
            if teams is not None:
                locked.teams.set(teams)
        return locked
