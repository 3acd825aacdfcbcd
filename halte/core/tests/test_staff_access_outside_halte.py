"""A change of a staff member's access made outside Halte's own service and admin pages
(createsuperuser, a shell, any code that saves a user or changes their teams through
the ORM) is an entry in the audit chain too: whom, before and after, once. With no one
signed in, the entry is a process's."""

import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from halte.api.tests.helpers import audit_entries, last_seq
from halte.audit.labels import SYSTEM_ROLE, part_label
from halte.audit.models import Action, Outcome
from halte.audit.queries import verify_chain
from halte.audit.staff import OUTSIDE_HALTE
from halte.audit.tests.failures import audit_table_refuses_entries
from halte.core import staff
from halte.core.models import Team, User
from halte.core.roles import Role
from halte.core.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def _entries(after_seq):
    return [(e.action, e.username, e.role, e.part) for e in audit_entries(after_seq)]


def test_createsuperuser_is_a_create_entry_of_a_process(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "een lang en sterk wachtwoord")
    before = last_seq()

    call_command(
        "createsuperuser",
        interactive=False,
        username="root",
        email="r@example.org",
        stdout=io.StringIO(),
    )

    root = User.objects.get(username="root")
    [entry] = audit_entries(before)
    assert (entry.action, entry.username, entry.role, entry.outcome, entry.client_id) == (
        Action.CREATE,
        OUTSIDE_HALTE,
        SYSTEM_ROLE,
        Outcome.SUCCESS,
        None,
    )
    assert entry.part == f"staff_status,staff_member={root.pk},superuser_from=no,superuser_to=yes"
    with translation.override("nl"):
        assert part_label(entry.part) == (
            f"Account van medewerker (superuser, actief), Medewerker (id): {root.pk},"
            " Superuser was: nee, Superuser wordt: ja"
        )


def test_a_role_saved_in_a_shell_is_one_entry_naming_both_roles(personas):
    nurse = User.objects.get(pk=personas["nurse_noord"].pk)
    before = last_seq()

    nurse.role = Role.ADMINISTRATOR
    nurse.save()

    assert _entries(before) == [
        (
            Action.UPDATE,
            OUTSIDE_HALTE,
            SYSTEM_ROLE,
            f"staff_role,staff_member={nurse.pk},role_from=care_professional,role_to=administrator",
        )
    ]


def test_a_stale_copy_that_puts_a_role_back_is_an_entry_too(personas):
    """The state before is read from the database, not from what the copy loaded."""
    stale = User.objects.get(pk=personas["planner"].pk)
    User.objects.filter(pk=stale.pk).update(role=Role.MANAGER)  # unaudited (SECURITY.md)
    before = last_seq()

    stale.save()

    [entry] = audit_entries(before)
    assert entry.part == f"staff_role,staff_member={stale.pk},role_from=manager,role_to=planner"


def test_deactivating_and_making_superuser_is_one_entry_with_both(personas):
    kcc = personas["front_office"]
    before = last_seq()

    kcc.is_active, kcc.is_superuser = False, True
    kcc.save(update_fields=["is_active", "is_superuser"])

    assert [p for *_, p in _entries(before)] == [
        f"staff_status,staff_member={kcc.pk},superuser_from=no,superuser_to=yes,"
        "active_from=yes,active_to=no"
    ]


def test_a_save_that_changes_no_access_writes_nothing_and_a_sign_in_save_reads_nothing(personas):
    nurse = personas["nurse_noord"]
    before = last_seq()

    nurse.first_name = "Anders"
    nurse.save()
    with CaptureQueriesContext(connection) as queries:
        nurse.save(update_fields=["last_login"])

    assert audit_entries(before) == []
    assert len(queries) == 1  # the update alone


def test_teams_added_and_removed_from_either_side_are_an_entry_each(personas, teams):
    nurse = personas["nurse_noord"]
    oost = TeamFactory(name="Wijkteam Oost")
    before = last_seq()

    nurse.teams.add(oost)
    oost.members.remove(nurse)
    teams["zuid"].members.add(nurse)
    nurse.teams.remove(teams["noord"])

    assert [p for *_, p in _entries(before)] == [
        f"staff_teams,staff_member={nurse.pk},team_added={oost.pk}",
        f"staff_teams,staff_member={nurse.pk},team_removed={oost.pk}",
        f"staff_teams,staff_member={nurse.pk},team_added={teams['zuid'].pk}",
        f"staff_teams,staff_member={nurse.pk},team_removed={teams['noord'].pk}",
    ]


def test_clearing_a_teams_members_is_an_entry_per_member(personas, teams):
    nurse, lead = personas["nurse_noord"], personas["team_lead"]
    noord = teams["noord"]
    before = last_seq()

    noord.members.clear()

    assert sorted(p for *_, p in _entries(before)) == sorted(
        f"staff_teams,staff_member={member.pk},team_removed={noord.pk}" for member in (nurse, lead)
    )


def test_deleting_a_team_in_code_records_it_as_removed_from_each_member(personas, teams):
    zuid = teams["zuid"]
    nurse = personas["nurse_zuid"]
    zuid_pk = zuid.pk
    before = last_seq()

    Team.objects.filter(pk=zuid_pk).delete()

    assert [p for *_, p in _entries(before)] == [
        f"staff_teams,staff_member={nurse.pk},team_removed={zuid_pk}"
    ]


def test_the_service_is_audited_exactly_once_as_its_callers_change(personas, teams):
    admin, nurse = personas["administrator"], personas["nurse_noord"]
    before = last_seq()

    staff.staff_access_change(by=admin, member=nurse, role=Role.PLANNER)
    middle = last_seq()
    staff.staff_access_change(by=admin, member=nurse, teams=[teams["zuid"]])

    assert _entries(before)[:1] == [
        (
            Action.UPDATE,
            admin.username,
            Role.ADMINISTRATOR,
            f"staff_role,staff_member={nurse.pk},role_from=care_professional,role_to=planner",
        )
    ]
    assert len(_entries(before)) == 2
    # teams.set() removes and adds: still one entry, the administrator's.
    assert _entries(middle) == [
        (
            Action.UPDATE,
            admin.username,
            Role.ADMINISTRATOR,
            f"staff_teams,staff_member={nurse.pk},team_added={teams['zuid'].pk},"
            f"team_removed={teams['noord'].pk}",
        )
    ]


def test_a_change_that_is_rolled_back_is_not_reported(personas):
    admin, nurse = personas["administrator"], personas["nurse_noord"]
    before = last_seq()

    with pytest.raises(RuntimeError, match="on purpose"), staff.staff_changes(by=admin):
        nurse.role = Role.MANAGER
        nurse.save()
        raise RuntimeError("on purpose")

    assert User.objects.get(pk=nurse.pk).role == Role.CARE_PROFESSIONAL
    assert audit_entries(before) == []


def test_a_change_while_a_request_runs_is_the_signed_in_users(personas):
    admin, kcc = personas["administrator"], personas["front_office"]
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.9")
    request.user = admin
    before = last_seq()

    def view(request):
        kcc.role = Role.PLANNER
        kcc.save()

    staff.attribute_staff_changes(view)(request)

    [entry] = audit_entries(before)
    assert (entry.username, entry.role, entry.source_ip) == (
        admin.username,
        Role.ADMINISTRATOR,
        "192.0.2.9",
    )


def test_the_chain_still_verifies_after_changes_from_everywhere(personas, teams, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "een lang en sterk wachtwoord")
    call_command(
        "createsuperuser", interactive=False, username="root", email="", stdout=io.StringIO()
    )
    nurse = personas["nurse_noord"]
    nurse.role = Role.TEAM_LEAD
    nurse.save()
    nurse.teams.set([teams["zuid"]])
    staff.staff_access_change(by=personas["administrator"], member=nurse, role=Role.PLANNER)
    out = io.StringIO()

    call_command("verify_audit", "--no-anchors", stdout=out)

    assert "Audit log intact:" in out.getvalue(), out.getvalue()


def test_a_user_saved_over_a_stored_one_by_pk_is_a_change_not_a_creation(personas):
    """As loaddata does: a new instance with the pk of a stored member."""
    planner = personas["planner"]
    before = last_seq()

    User(pk=planner.pk, username="planner", role=Role.MANAGER, password=planner.password).save()

    assert _entries(before) == [
        (
            Action.UPDATE,
            OUTSIDE_HALTE,
            SYSTEM_ROLE,
            f"staff_role,staff_member={planner.pk},role_from=planner,role_to=manager",
        )
    ]


def test_deleting_a_staff_member_is_one_delete_entry_with_the_role_they_had(personas):
    nurse = User.objects.get(pk=personas["nurse_noord"].pk)
    pk = nurse.pk
    before = last_seq()

    nurse.delete()

    assert _entries(before) == [
        (
            Action.DELETE,
            OUTSIDE_HALTE,
            SYSTEM_ROLE,
            f"staff_deleted,staff_member={pk},role_from=care_professional",
        )
    ]
    with translation.override("nl"):
        assert part_label(audit_entries(before)[0].part) == (
            f"Medewerker verwijderd, Medewerker (id): {pk}, Rol was: Zorgprofessional"
        )
    assert verify_chain().problem is None


def test_a_staff_member_deleted_by_an_administrator_is_theirs_once(personas):
    admin, nurse = personas["administrator"], personas["nurse_noord"]
    pk = nurse.pk
    before = last_seq()

    with staff.staff_changes(by=admin):
        nurse.role = Role.PLANNER
        nurse.save()
        nurse.delete()

    assert _entries(before) == [
        (
            Action.DELETE,
            admin.username,
            Role.ADMINISTRATOR,
            f"staff_deleted,staff_member={pk},role_from=care_professional",
        )
    ]


def _stored_access():
    """Every member's role and status, and every membership, as stored."""
    members = set(User.objects.values_list("pk", "role", "is_superuser", "is_active"))
    return members, set(User.teams.through.objects.values_list("user_id", "team_id"))


# Each way of changing access outside a service, made in autocommit (a shell,
# createsuperuser): the change and its entry are one transaction.
ACCESS_CHANGES_IN_AUTOCOMMIT = {
    "role saved": lambda p, t: _save_role(p["nurse_noord"], Role.ADMINISTRATOR),
    "superuser created": lambda p, t: User.objects.create_superuser("root", "", "lang genoeg"),
    "member deleted": lambda p, t: p["nurse_noord"].delete(),
    "team added": lambda p, t: p["nurse_noord"].teams.add(t["zuid"]),
    "teams set": lambda p, t: p["nurse_noord"].teams.set([t["zuid"]]),
    "team cleared": lambda p, t: t["noord"].members.clear(),
    "team deleted": lambda p, t: Team.objects.filter(pk=t["noord"].pk).delete(),
}


def _save_role(member, role):
    member.role = role
    member.save()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ACCESS_CHANGES_IN_AUTOCOMMIT)
def test_a_change_in_autocommit_is_not_stored_when_its_entry_cannot_be_written(
    personas, teams, change
):
    assert connection.get_autocommit()
    stored = _stored_access()

    with audit_table_refuses_entries(), pytest.raises(DatabaseError):
        ACCESS_CHANGES_IN_AUTOCOMMIT[change](personas, teams)

    assert _stored_access() == stored
