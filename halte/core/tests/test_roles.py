"""The access policy itself; pages and endpoints have their own role tests."""

import pytest

from halte.core.roles import CAPABILITIES, CLIENT_SCOPES, Capability, ClientScope, Role, can


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
