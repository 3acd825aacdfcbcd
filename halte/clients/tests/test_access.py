"""The access helpers called directly: each refusal is one `denied` entry naming the
user, the part and the client, a client outside the scope is a 404 as if it did not
exist, and a queryset handed in is the one narrowed."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from halte.api.tests.helpers import audit_entries, last_seq
from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.clients.access import (
    BSN_NOT_ALLOWED,
    BsnNotAllowed,
    client_for_user,
    clients_visible_to,
    preference_for_user,
    refuse_bsn_without_role,
    relation_for_user,
)
from halte.clients.models import Client
from halte.clients.tests.factories import ClientFactory, PreferenceFactory, RelationFactory
from halte.core.roles import Capability

pytestmark = pytest.mark.django_db


def _denied(before) -> list[tuple]:
    return [(e.username, e.action, e.part, e.client_id, e.outcome) for e in audit_entries(before)]


def test_a_role_without_the_capability_is_refused_with_one_entry(personas, client_noord):
    officer = personas["privacy_officer"]  # no VIEW_CLIENT
    before = last_seq()

    with pytest.raises(PermissionDenied):
        client_for_user(Actor(officer), client_noord.pk)

    assert _denied(before) == [("privacy", Action.READ, "card", client_noord.pk, Outcome.DENIED)]


def test_the_capability_and_part_asked_for_are_the_ones_checked_and_logged(personas, client_noord):
    manager = personas["manager"]  # sees every client, changes none
    assert client_for_user(Actor(manager), client_noord.pk) == client_noord
    before = last_seq()

    with pytest.raises(PermissionDenied):
        client_for_user(
            Actor(manager), client_noord.pk, capability=Capability.EDIT_CLIENT, part="relations"
        )

    assert _denied(before) == [
        ("manager", Action.READ, "relations", client_noord.pk, Outcome.DENIED)
    ]


def test_a_client_outside_the_scope_is_not_found_with_one_entry(personas, client_noord):
    before = last_seq()

    with pytest.raises(Http404):
        client_for_user(Actor(personas["nurse_zuid"]), client_noord.pk)

    assert _denied(before) == [("nurse_zuid", Action.READ, "card", client_noord.pk, Outcome.DENIED)]


def test_the_queryset_handed_in_is_the_one_narrowed(personas, client_noord):
    """A caller's own queryset (its joins, or fewer clients) is used, not all clients."""
    actor = Actor(personas["nurse_noord"])
    others = Client.objects.exclude(pk=client_noord.pk)

    with pytest.raises(Http404):
        client_for_user(actor, client_noord.pk, queryset=others)
    assert list(clients_visible_to(personas["manager"], others)) == []
    assert list(clients_visible_to(personas["nurse_noord"], others)) == []


@pytest.mark.parametrize(
    ("helper", "part"), [(relation_for_user, "relations"), (preference_for_user, "preferences")]
)
def test_a_relation_or_preference_is_reached_through_its_clients_check(
    personas, client_noord, helper, part
):
    own = (
        client_noord.relations.get()
        if part == "relations"
        else PreferenceFactory(client=client_noord)
    )
    other_client = ClientFactory(team=client_noord.team)
    elsewhere = (
        RelationFactory(client=other_client)
        if part == "relations"
        else PreferenceFactory(client=other_client)
    )
    nurse = Actor(personas["nurse_noord"])

    assert helper(nurse, client_noord.pk, own.pk) == own
    with pytest.raises(Http404):  # another client's, even one she may see
        helper(nurse, client_noord.pk, elsewhere.pk)

    before = last_seq()
    with pytest.raises(Http404):
        helper(Actor(personas["nurse_zuid"]), client_noord.pk, own.pk)
    with pytest.raises(PermissionDenied):  # the manager may see, not change
        helper(Actor(personas["manager"]), client_noord.pk, own.pk)
    assert _denied(before) == [
        ("nurse_zuid", Action.READ, part, client_noord.pk, Outcome.DENIED),
        ("manager", Action.READ, part, client_noord.pk, Outcome.DENIED),
    ]
    # A lesser capability asked for explicitly is the one checked.
    assert (
        helper(
            Actor(personas["manager"]), client_noord.pk, own.pk, capability=Capability.VIEW_CLIENT
        )
        == own
    )


def test_a_bsn_from_a_role_that_may_not_see_one_is_refused_with_the_message(personas):
    with pytest.raises(BsnNotAllowed) as refused:
        refuse_bsn_without_role(
            Actor(personas["front_office"]), {"bsn": "111222333"}, action=Action.UPDATE
        )

    assert refused.value.args == (BSN_NOT_ALLOWED,)


def test_a_relation_comes_with_its_phones(personas, client_noord, django_assert_num_queries):
    relation = relation_for_user(
        Actor(personas["nurse_noord"]), client_noord.pk, client_noord.relations.get().pk
    )

    with django_assert_num_queries(0):  # the edit page lists them
        assert [phone.e164 for phone in relation.phones.all()] == ["+31687654321"]
