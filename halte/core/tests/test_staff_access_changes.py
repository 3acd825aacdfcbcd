"""A change of a staff member's role or teams is an entry in the audit chain (who
changed whom, the role before and after, the teams added and removed), and an
administrator cannot change their own role: not in the form, not around it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.test import override_settings
from django.utils.html import escape

from halte.api.tests import helpers
from halte.api.tests.helpers import last_seq
from halte.audit.labels import part_label
from halte.audit.models import Action, Outcome
from halte.audit.tests.failures import audit_write_fails
from halte.core import staff
from halte.core.admin import StaffAdmin
from halte.core.models import User
from halte.core.roles import Role
from halte.core.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def _change_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "teams": [team.pk for team in user.teams.all()],
        "is_active": "on",
    }
    data.update(changes)
    return data


def audit_entries(after_seq: int):
    """The entries since `after_seq` but the sign-in that logging in for the test writes."""
    return [e for e in helpers.audit_entries(after_seq) if e.action != Action.SIGN_IN]


def _post_change(client, admin, member, **changes):
    client.force_login(admin)
    return client.post(f"/beheer/core/user/{member.pk}/change/", _change_form(member, **changes))


def test_a_role_changed_in_the_admin_is_an_entry_naming_whom_and_both_roles(client, personas):
    admin, nurse = personas["administrator"], personas["nurse_noord"]
    before = last_seq()

    response = _post_change(client, admin, nurse, role=Role.TEAM_LEAD)

    assert response.status_code == 302, response.content
    assert User.objects.get(pk=nurse.pk).role == Role.TEAM_LEAD
    [entry] = audit_entries(before)
    assert (entry.username, entry.role, entry.action, entry.outcome, entry.client_id) == (
        admin.username,
        Role.ADMINISTRATOR,
        Action.UPDATE,
        Outcome.SUCCESS,
        None,
    )
    assert entry.part == (
        f"staff_role,staff_member={nurse.pk},role_from=care_professional,role_to=team_lead"
    )
    with override_settings(LANGUAGE_CODE="en"):
        assert "Role before: Care professional" in part_label(entry.part)


def test_teams_changed_in_the_admin_are_an_entry_naming_those_added_and_removed(
    client, personas, teams
):
    admin, nurse = personas["administrator"], personas["nurse_noord"]
    extra = TeamFactory(name="Wijkteam Oost")
    before = last_seq()

    response = _post_change(client, admin, nurse, teams=[teams["zuid"].pk, extra.pk])

    assert response.status_code == 302, response.content
    [entry] = audit_entries(before)
    added = sorted([teams["zuid"].pk, extra.pk])
    assert entry.part == (
        f"staff_teams,staff_member={nurse.pk},team_added={added[0]},team_added={added[1]},"
        f"team_removed={teams['noord'].pk}"
    )


def test_a_role_and_teams_changed_at_once_are_two_entries(client, personas, teams):
    admin, kcc = personas["administrator"], personas["front_office"]
    before = last_seq()

    _post_change(client, admin, kcc, role=Role.CARE_PROFESSIONAL, teams=[teams["noord"].pk])

    parts = [entry.part for entry in audit_entries(before)]
    assert parts == [
        f"staff_role,staff_member={kcc.pk},role_from=front_office,role_to=care_professional",
        f"staff_teams,staff_member={kcc.pk},team_added={teams['noord'].pk}",
    ]


def test_a_save_that_changes_no_access_writes_no_entry(client, personas):
    admin, nurse = personas["administrator"], personas["nurse_noord"]
    before = last_seq()

    response = _post_change(client, admin, nurse, first_name="Anders")

    assert response.status_code == 302
    assert audit_entries(before) == []


def test_a_new_staff_member_is_a_create_entry_with_role_and_teams(client, personas, teams):
    admin = personas["administrator"]
    client.force_login(admin)
    before = last_seq()

    response = client.post(
        "/beheer/core/user/add/",
        {
            "username": "nieuwe_collega",
            "password1": "een lang en sterk wachtwoord",
            "password2": "een lang en sterk wachtwoord",
            "role": "planner",
            "teams": [teams["zuid"].pk],
        },
    )

    assert response.status_code == 302, response.content
    new = User.objects.get(username="nieuwe_collega")
    entries = audit_entries(before)
    assert [(e.action, e.part) for e in entries] == [
        (Action.CREATE, f"staff_role,staff_member={new.pk},role_from=,role_to=planner"),
        (Action.CREATE, f"staff_teams,staff_member={new.pk},team_added={teams['zuid'].pk}"),
    ]


def test_many_teams_are_split_over_entries_that_fit_the_part(personas):
    nurse = personas["nurse_noord"]
    many = [TeamFactory(name=f"Team {n}") for n in range(9)]
    before = last_seq()

    staff.staff_access_change(by=personas["administrator"], member=nurse, teams=many)

    entries = audit_entries(before)
    assert len(entries) == 3
    named = [code for e in entries for code in e.part.split(",") if code.startswith("team_")]
    assert len(named) == 10  # nine added, Noord removed
    assert all(len(e.part) <= 200 for e in entries)


# An administrator cannot change their own role


def test_the_admin_form_refuses_an_administrators_own_role_in_dutch(client, personas):
    admin = personas["administrator"]
    before = last_seq()

    response = _post_change(client, admin, admin, role=Role.PLANNER, HTTP_ACCEPT_LANGUAGE="nl")

    assert response.status_code == 200
    assert "U kunt uw eigen rol niet wijzigen" in response.content.decode()
    assert User.objects.get(pk=admin.pk).role == Role.ADMINISTRATOR
    assert audit_entries(before) == []


def test_the_admin_form_refuses_an_administrators_own_deactivation_in_dutch(client, personas):
    admin = personas["administrator"]
    form = _change_form(admin)
    del form["is_active"]  # the box unticked
    client.force_login(admin)
    before = last_seq()

    response = client.post(f"/beheer/core/user/{admin.pk}/change/", form, HTTP_ACCEPT_LANGUAGE="nl")

    assert response.status_code == 200
    assert "U kunt uw eigen account niet deactiveren" in response.content.decode()
    assert User.objects.get(pk=admin.pk).is_active
    assert audit_entries(before) == []


def test_the_admins_save_refuses_an_own_deactivation_that_went_around_the_form(rf, personas):
    admin = personas["administrator"]
    request = rf.post("/beheer/core/user/")
    request.user = admin
    changed = User.objects.get(pk=admin.pk)
    changed.is_active = False

    with pytest.raises(ValidationError):
        StaffAdmin(User, None).save_model(request, changed, form=None, change=True)

    assert User.objects.get(pk=admin.pk).is_active


def test_another_administrator_may_deactivate_an_administrator(client, personas):
    admin = personas["administrator"]
    second = User.objects.create_user("beheer2", role=Role.ADMINISTRATOR)
    form = _change_form(admin)
    del form["is_active"]
    client.force_login(second)

    response = client.post(f"/beheer/core/user/{admin.pk}/change/", form)

    assert response.status_code == 302, response.content
    assert not User.objects.get(pk=admin.pk).is_active


def test_an_administrator_may_change_their_own_teams_and_name(client, personas, teams):
    admin = personas["administrator"]

    response = _post_change(client, admin, admin, first_name="Beheer", teams=[teams["noord"].pk])

    assert response.status_code == 302, response.content
    assert User.objects.get(pk=admin.pk).first_name == "Beheer"


def test_the_service_refuses_an_own_role_change_without_the_form(personas):
    admin = personas["administrator"]

    with pytest.raises(ValidationError) as refused:
        staff.staff_access_change(by=admin, member=admin, role=Role.PLANNER)

    assert "role" in refused.value.message_dict
    assert User.objects.get(pk=admin.pk).role == Role.ADMINISTRATOR


def test_the_admins_save_refuses_an_own_role_change_that_went_around_the_form(rf, personas):
    admin = personas["administrator"]
    request = rf.post("/beheer/core/user/")
    request.user = admin
    changed = User.objects.get(pk=admin.pk)
    changed.role = Role.TEAM_LEAD

    with pytest.raises(ValidationError):
        StaffAdmin(User, None).save_model(request, changed, form=None, change=True)

    assert User.objects.get(pk=admin.pk).role == Role.ADMINISTRATOR


def test_another_administrator_may_change_an_administrators_role(personas):
    second = User.objects.create_user("beheer2", role=Role.ADMINISTRATOR)
    before = last_seq()

    staff.staff_access_change(by=second, member=personas["administrator"], role=Role.PLANNER)

    assert User.objects.get(pk=personas["administrator"].pk).role == Role.PLANNER
    [entry] = audit_entries(before)
    assert entry.username == "beheer2"


def test_the_service_refuses_an_unknown_role(personas):
    with pytest.raises(ValidationError) as refused:
        staff.staff_access_change(
            by=personas["administrator"], member=personas["nurse_noord"], role="root"
        )

    assert refused.value.message_dict == {"role": [str(staff.UNKNOWN_ROLE)]}


def test_an_administrator_may_pass_their_own_role_unchanged_with_new_teams(personas, teams):
    admin = personas["administrator"]

    staff.staff_access_change(
        by=admin, member=admin, role=Role.ADMINISTRATOR, teams=[teams["zuid"]]
    )

    stored = User.objects.get(pk=admin.pk)
    assert (stored.role, list(stored.teams.all())) == (Role.ADMINISTRATOR, [teams["zuid"]])


def test_the_privacy_officer_reads_the_change_on_the_log_page(client, personas):
    admin, nurse = personas["administrator"], personas["nurse_noord"]
    staff.staff_access_change(by=admin, member=nurse, role=Role.TEAM_LEAD)
    client.force_login(personas["privacy_officer"])

    content = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()

    assert "Rol van medewerker" in content
    assert escape(f"Medewerker: {nurse.first_name} {nurse.last_name} (nurse_noord)") in content
    assert "Rol was: Zorgprofessional" in content
    assert "Rol wordt: Teamleider" in content
    assert admin.username in content


def test_the_audit_log_refuses_a_part_value_that_is_not_an_id_or_a_code():
    from halte.audit.labels import UnlabelledPart, check_part

    check_part("staff_role,staff_member=12,role_from=,role_to=planner")
    for bad in ("staff_member=Jan de Vries", "staff_member=1;drop", "unknown=1", "role_to"):
        with pytest.raises(UnlabelledPart):
            check_part(f"staff_role,{bad}")


def test_deleting_a_team_in_the_admin_records_it_as_removed_from_each_member(
    client, personas, teams
):
    admin = personas["administrator"]
    gone = TeamFactory(name="Wijkteam Opgeheven")
    nurse = personas["nurse_noord"]
    nurse.teams.add(gone)
    client.force_login(admin)
    before = last_seq()

    response = client.post(f"/beheer/core/team/{gone.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302, response.content
    [entry] = audit_entries(before)
    assert (entry.username, entry.part) == (
        admin.username,
        f"staff_teams,staff_member={nurse.pk},team_removed={gone.pk}",
    )


def test_a_change_whose_last_entry_fails_is_undone_whole(personas, teams):
    """The role and teams are saved before their entries are written: when the teams'
    entry fails, the role change is undone with it. (staff_changes' transaction does
    this; the service's own holds the member's row lock from the read to the write.)"""
    admin, nurse = personas["administrator"], personas["nurse_noord"]
    before = last_seq()

    with audit_write_fails(at_entry=2), pytest.raises(OperationalError):
        staff.staff_access_change(
            by=admin, member=nurse, role=Role.TEAM_LEAD, teams=[teams["zuid"]]
        )

    stored = User.objects.get(pk=nurse.pk)
    assert stored.role == Role.CARE_PROFESSIONAL
    assert list(stored.teams.all()) == [teams["noord"]]
    assert audit_entries(before) == []


def test_a_change_by_the_service_names_where_it_came_from(personas, teams):
    admin, nurse = personas["administrator"], personas["nurse_noord"]
    before = last_seq()

    changed = staff.staff_access_change(
        by=admin, member=nurse, teams=[teams["zuid"]], source_ip="192.0.2.7"
    )

    assert list(changed.teams.all()) == [teams["zuid"]]
    assert [(e.username, e.source_ip) for e in audit_entries(before)] == [
        (admin.username, "192.0.2.7")
    ]
