"""The log page names the staff members and teams an entry holds by id (a change of a
staff member's access, a reset of their second factor): by name and username, looked
up once per page, and by id when they are no longer there. The entry stays as stored."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from halte.audit.context import Actor
from halte.audit.models import Action, AuditEntry
from halte.audit.services import audit_record
from halte.audit.tests.test_labels import _cell_texts
from halte.core import staff
from halte.core.models import User
from halte.core.roles import Role
from halte.core.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("audit:log")


@pytest.fixture
def officer(client, personas):
    client.force_login(personas["privacy_officer"])
    return client


def test_it_shows_the_staff_member_and_teams_by_name(officer, personas, teams):
    admin, nurse = personas["administrator"], personas["nurse_noord"]
    nurse.first_name, nurse.last_name = "Mia", "de Jong"
    nurse.save(update_fields=["first_name", "last_name"])
    staff.staff_access_change(by=admin, member=nurse, role=Role.TEAM_LEAD, teams=[teams["zuid"]])

    cells = _cell_texts(officer.get(URL, HTTP_ACCEPT_LANGUAGE="nl"))

    assert (
        "Rol van medewerker, Medewerker: Mia de Jong (nurse_noord),"
        " Rol was: Zorgprofessional, Rol wordt: Teamleider"
    ) in cells
    assert (
        "Teams van medewerker, Medewerker: Mia de Jong (nurse_noord),"
        " Team erbij: Wijkteam Zuid, Team eraf: Wijkteam Noord"
    ) in cells
    # The stored entry keeps the ids: the chain does not change.
    parts = AuditEntry.objects.filter(part__startswith="staff_").values_list("part", flat=True)
    assert f"staff_role,staff_member={nurse.pk},role_from=care_professional,role_to=team_lead" in (
        parts
    )


def test_it_shows_whose_second_factor_was_reset_by_name(officer, personas):
    planner = personas["planner"]
    audit_record(
        Actor(personas["administrator"]),
        action=Action.DELETE,
        part=f"second_factor_reset,staff_member={planner.pk}",
    )

    cells = _cell_texts(officer.get(URL, HTTP_ACCEPT_LANGUAGE="nl"))

    name = escape(f"{planner.first_name} {planner.last_name} (planner)")
    assert any(cell.endswith(f"Medewerker: {name}") for cell in cells), cells


def test_it_shows_the_id_of_a_staff_member_or_team_since_removed(officer, personas):
    gone = UserFactory(username="vertrokken", role=Role.PLANNER)
    old_team = TeamFactory(name="Wijkteam Opgeheven")
    audit_record(
        Actor(personas["administrator"]),
        action=Action.UPDATE,
        part=f"staff_teams,staff_member={gone.pk},team_added={old_team.pk}",
    )
    gone_pk, old_team_pk = gone.pk, old_team.pk
    gone.delete()
    old_team.delete()

    cells = _cell_texts(officer.get(URL, HTTP_ACCEPT_LANGUAGE="nl"))

    assert (
        f"Teams van medewerker, Medewerker (id): {gone_pk}, Team erbij (id): {old_team_pk}" in cells
    )
    assert "vertrokken" not in " ".join(cells)


def _access_entries(admin, count):
    """`count` entries, each naming another staff member and two other teams."""
    for n in range(count):
        member = UserFactory(username=f"member{n}", role=Role.PLANNER)
        added, removed = TeamFactory(name=f"Team A{n}"), TeamFactory(name=f"Team B{n}")
        audit_record(
            Actor(admin),
            action=Action.UPDATE,
            part=f"staff_teams,staff_member={member.pk},team_added={added.pk},"
            f"team_removed={removed.pk}",
        )


def test_it_looks_the_names_up_in_a_constant_number_of_queries(
    officer, personas, django_assert_num_queries
):
    admin = personas["administrator"]
    officer.get(URL)  # warm the session
    _access_entries(admin, 1)
    with django_assert_num_queries(20, exact=False) as one:
        response = officer.get(URL)
    assert "Team A0" in response.content.decode()

    User.objects.filter(username="member0").delete()
    _access_entries(admin, 12)
    with django_assert_num_queries(len(one.captured_queries)):
        response = officer.get(URL)

    content = response.content.decode()
    assert all(f"Team A{n}" in content and f"Team B{n}" in content for n in range(12))
    assert all(f"(member{n})" in content for n in range(1, 12))
