"""The access policy itself; pages and endpoints have their own role tests."""

import pytest

from halte.core.roles import (
    CAPABILITIES,
    CLIENT_SCOPES,
    Capability,
    ClientScope,
    Role,
    can,
    client_scope,
    starts_at_queues,
    starts_at_workplace,
)


def test_it_gives_every_role_a_policy():
    assert set(CAPABILITIES) == set(Role.values) == set(CLIENT_SCOPES)


@pytest.mark.parametrize(
    ("persona", "capability", "allowed"),
    [
        ("front_office", Capability.VIEW_CLIENT, True),
        ("front_office", Capability.VIEW_CARE_NOTES, False),
        ("front_office", Capability.REVEAL_BSN, False),
        ("nurse_noord", Capability.VIEW_CARE_NOTES, True),
        ("manager", Capability.VIEW_CLIENT, True),
        ("manager", Capability.EDIT_CLIENT, False),
        ("privacy_officer", Capability.VIEW_AUDIT_LOG, True),
        ("privacy_officer", Capability.VIEW_CLIENT, False),
        ("administrator", Capability.MANAGE_STAFF, True),
        ("administrator", Capability.SEARCH_CLIENTS, False),
        ("planner", Capability.VIEW_AUDIT_LOG, False),
    ],
)
def test_it_grants_by_role(personas, persona, capability, allowed):
    assert can(personas[persona], capability) is allowed


def test_it_grants_nothing_to_inactive_or_anonymous_users(personas):
    from django.contrib.auth.models import AnonymousUser

    nurse = personas["nurse_noord"]
    nurse.is_active = False
    assert not can(nurse, Capability.VIEW_CLIENT)
    assert not can(AnonymousUser(), Capability.VIEW_CLIENT)


def test_it_scopes_care_work_to_own_teams():
    assert CLIENT_SCOPES[Role.CARE_PROFESSIONAL] == ClientScope.OWN_TEAMS
    assert CLIENT_SCOPES[Role.TEAM_LEAD] == ClientScope.OWN_TEAMS
    assert CLIENT_SCOPES[Role.PRIVACY_OFFICER] == ClientScope.NONE


@pytest.mark.parametrize(
    ("persona", "scope"),
    [
        ("front_office", ClientScope.ALL),
        ("planner", ClientScope.ALL),
        ("manager", ClientScope.ALL),
        ("nurse_noord", ClientScope.OWN_TEAMS),
        ("team_lead", ClientScope.OWN_TEAMS),
        ("privacy_officer", ClientScope.NONE),
        ("administrator", ClientScope.NONE),
    ],
)
def test_it_scopes_each_active_user_by_role(personas, persona, scope):
    assert client_scope(personas[persona]) == scope


@pytest.mark.parametrize("persona", ["front_office", "planner", "manager", "nurse_noord"])
def test_it_gives_an_inactive_user_no_client_at_all(personas, client_noord, persona):
    from halte.clients.access import clients_visible_to

    user = personas[persona]
    assert clients_visible_to(user).filter(pk=client_noord.pk).exists()
    user.is_active = False
    assert client_scope(user) == ClientScope.NONE
    assert not clients_visible_to(user).exists()


def test_it_gives_anonymous_users_and_unknown_roles_no_scope_and_no_capability(personas):
    from django.contrib.auth.models import AnonymousUser

    assert client_scope(AnonymousUser()) == ClientScope.NONE
    assert client_scope(None) == ClientScope.NONE
    assert not can(None, Capability.VIEW_CLIENT)
    stranger = personas["front_office"]
    stranger.role = "visitor"  # a role the policy does not know (an old, removed one)
    assert client_scope(stranger) == ClientScope.NONE
    assert not can(stranger, Capability.VIEW_CLIENT)


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.PRIVACY_OFFICER])
def test_it_shows_no_client_to_a_role_without_scope_even_in_a_team(teams, client_noord, role):
    """Membership of a team gives a care role its team's clients; it must not give
    them to the administrator or the privacy officer who happens to be in the team."""
    from halte.clients.access import clients_visible_to
    from halte.core.tests.factories import UserFactory

    member = UserFactory(username=f"{role}_noord", role=role, teams=[teams["noord"]])
    assert member.team_ids() == [teams["noord"].pk]
    assert client_scope(member) == ClientScope.NONE
    assert not clients_visible_to(member).exists()
    assert not can(member, Capability.VIEW_CLIENT)


def test_it_starts_the_front_office_at_the_workplace_and_the_planner_at_the_queues(personas):
    assert starts_at_workplace(personas["front_office"])
    assert not starts_at_workplace(personas["planner"])  # may use it, starts elsewhere
    assert starts_at_queues(personas["planner"])
    assert not starts_at_queues(personas["front_office"])
    assert not starts_at_queues(personas["team_lead"])  # plans too, starts elsewhere
    personas["front_office"].is_active = False
    personas["planner"].is_active = False
    assert not starts_at_workplace(personas["front_office"])
    assert not starts_at_queues(personas["planner"])
