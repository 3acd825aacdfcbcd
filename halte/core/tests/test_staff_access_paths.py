"""The less common ways a staff member's access changes are reported too, by the right
person: a fixture loaded (a pk not stored yet), a member reactivated or stripped of
superuser, a member deleted in the admin or while a request runs, a team deleted in a
block, the service called by a process. And the model signals are connected once."""

import json

import pytest
from django.core.management import call_command
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.test import RequestFactory

from halte.api.tests.helpers import audit_entries, last_seq
from halte.audit.models import Action
from halte.audit.staff import OUTSIDE_HALTE
from halte.core import staff
from halte.core.extensions import STAFF_ACCESS_CHANGES, StaffAccess, StaffAccessChange
from halte.core.models import Team, User
from halte.core.roles import Role

pytestmark = pytest.mark.django_db

NEW_PK = 9001  # a staff member's id no test stores


def _entries(after_seq):
    return [(e.action, e.username, e.part) for e in audit_entries(after_seq)]


def _fixture(tmp_path, team):
    """A staff member in a fixture file, as `dumpdata` writes one: with their pk."""
    path = tmp_path / "staff.json"
    member = {"username": "geladen", "password": "!", "role": "planner", "teams": [team.pk]}
    path.write_text(json.dumps([{"model": "core.user", "pk": NEW_PK, "fields": member}]))
    return path


def test_a_staff_member_loaded_from_a_fixture_is_a_create_entry(tmp_path, personas, teams):
    """loaddata saves under a pk not stored yet: the database, not the pk, says new."""
    before = last_seq()

    call_command("loaddata", str(_fixture(tmp_path, teams["zuid"])), verbosity=0)

    assert _entries(before) == [
        (
            Action.CREATE,
            OUTSIDE_HALTE,
            f"staff_role,staff_member={NEW_PK},role_from=,role_to=planner",
        ),
        (
            Action.UPDATE,
            OUTSIDE_HALTE,
            f"staff_teams,staff_member={NEW_PK},team_added={teams['zuid'].pk}",
        ),
    ]


def test_a_staff_member_loaded_in_an_administrators_block_is_one_create_entry_of_theirs(
    tmp_path, personas, teams
):
    admin = personas["administrator"]
    before = last_seq()

    with staff.staff_changes(by=admin):
        call_command("loaddata", str(_fixture(tmp_path, teams["zuid"])), verbosity=0)

    assert _entries(before) == [
        (
            Action.CREATE,
            admin.username,
            f"staff_role,staff_member={NEW_PK},role_from=,role_to=planner",
        ),
        (
            Action.CREATE,
            admin.username,
            f"staff_teams,staff_member={NEW_PK},team_added={teams['zuid'].pk}",
        ),
    ]


def test_reactivating_a_staff_member_is_an_entry_from_inactive_to_active(personas):
    kcc = personas["front_office"]
    User.objects.filter(pk=kcc.pk).update(is_active=False)  # unaudited (SECURITY.md)
    before = last_seq()

    kcc.is_active = True
    kcc.save()

    assert [p for *_, p in _entries(before)] == [
        f"staff_status,staff_member={kcc.pk},active_from=no,active_to=yes"
    ]


def test_deactivating_a_member_in_the_admin_is_the_administrators_entry(client, personas):
    admin, nurse = personas["administrator"], personas["nurse_noord"]
    client.force_login(admin)
    form = {
        "username": nurse.username,
        "role": nurse.role,
        "teams": [team.pk for team in nurse.teams.all()],
    }  # is_active left out: the box unticked
    before = last_seq()

    response = client.post(f"/beheer/core/user/{nurse.pk}/change/", form)

    assert response.status_code == 302, response.content
    assert [e for e in _entries(before) if e[0] != Action.SIGN_IN] == [
        (
            Action.UPDATE,
            admin.username,
            f"staff_status,staff_member={nurse.pk},active_from=yes,active_to=no",
        )
    ]


def test_a_superuser_revoked_in_an_administrators_block_is_theirs(personas):
    admin = personas["administrator"]
    root = User.objects.create_superuser("root2", password="een lang en sterk wachtwoord")
    before = last_seq()

    with staff.staff_changes(by=admin):
        root.is_superuser = False
        root.save()

    assert _entries(before) == [
        (
            Action.UPDATE,
            admin.username,
            f"staff_status,staff_member={root.pk},superuser_from=yes,superuser_to=no",
        )
    ]


def test_a_team_deleted_in_an_administrators_block_is_theirs(personas, teams):
    admin, nurse = personas["administrator"], personas["nurse_zuid"]
    zuid_pk = teams["zuid"].pk
    before = last_seq()

    with staff.staff_changes(by=admin):
        Team.objects.filter(pk=zuid_pk).delete()

    assert _entries(before) == [
        (
            Action.UPDATE,
            admin.username,
            f"staff_teams,staff_member={nurse.pk},team_removed={zuid_pk}",
        )
    ]


def test_deleting_a_staff_member_in_the_admin_is_the_administrators_delete_entry(client, personas):
    admin, planner = personas["administrator"], personas["planner"]
    client.force_login(admin)
    before = last_seq()

    response = client.post(
        f"/beheer/core/user/{planner.pk}/delete/", {"post": "yes"}, REMOTE_ADDR="192.0.2.7"
    )

    assert response.status_code == 302, response.content
    deleted = [e for e in audit_entries(before) if e.action == Action.DELETE]
    assert [(e.username, e.source_ip, e.part) for e in deleted] == [
        (admin.username, "192.0.2.7", f"staff_deleted,staff_member={planner.pk},role_from=planner")
    ]
    assert not User.objects.filter(pk=planner.pk).exists()


def test_a_staff_member_deleted_while_a_request_runs_is_the_signed_in_users(personas):
    admin, planner = personas["administrator"], personas["planner"]
    pk = planner.pk
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.9")
    request.user = admin
    before = last_seq()

    staff.attribute_staff_changes(lambda request: planner.delete())(request)

    [entry] = audit_entries(before)
    assert (entry.action, entry.username, entry.source_ip, entry.part) == (
        Action.DELETE,
        admin.username,
        "192.0.2.9",
        f"staff_deleted,staff_member={pk},role_from=planner",
    )


def test_a_member_changed_in_a_shell_then_deleted_by_an_administrator_is_two_entries(personas):
    """What the shell's save noted is not taken for the deletion's state before."""
    admin, nurse = personas["administrator"], personas["nurse_noord"]
    pk = nurse.pk
    before = last_seq()

    nurse.role = Role.PLANNER
    nurse.save()
    with staff.staff_changes(by=admin):
        nurse.delete()

    assert _entries(before) == [
        (
            Action.UPDATE,
            OUTSIDE_HALTE,
            f"staff_role,staff_member={pk},role_from=care_professional,role_to=planner",
        ),
        (Action.DELETE, admin.username, f"staff_deleted,staff_member={pk},role_from=planner"),
    ]


def test_a_deleted_member_is_reported_with_no_access_after():
    """What core reports to each recorder (core.extensions): a deletion is the access
    before and none after."""
    member = User.objects.create_user("weg", role=Role.PLANNER)
    reported = []

    with STAFF_ACCESS_CHANGES.replaced(reported.append):
        User.objects.get(pk=member.pk).delete()

    assert reported == [
        StaffAccessChange(
            by=None,
            source_ip=None,
            member=User(pk=member.pk),
            before=StaffAccess(role=Role.PLANNER, team_ids=frozenset()),
            after=staff.NO_ACCESS,
            deleted=True,
        )
    ]


def test_a_process_may_change_a_role_through_the_service(personas):
    """The own-role rule is about a person: a process (by=None) is not refused."""
    nurse = personas["nurse_noord"]
    before = last_seq()

    staff.staff_access_change(by=None, member=nurse, role=Role.TEAM_LEAD)

    assert _entries(before) == [
        (
            Action.UPDATE,
            OUTSIDE_HALTE,
            f"staff_role,staff_member={nurse.pk},role_from=care_professional,role_to=team_lead",
        )
    ]


def test_connecting_the_signals_again_adds_no_receiver():
    """CoreConfig.ready() connects them; a second app registry (a test runner, a
    reload) calls it again: still one receiver per signal and model, each to its
    model only (a receiver for every sender, or twice, reads each change twice)."""
    signals = [pre_save, post_save, pre_delete, post_delete, m2m_changed]
    connected = {signal: [key for key, *_ in signal.receivers] for signal in signals}

    staff.connect_signals()

    assert {signal: [key for key, *_ in signal.receivers] for signal in signals} == connected
