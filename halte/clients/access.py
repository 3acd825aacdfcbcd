"""The one way to fetch clients for a user: scoped by role and team, denials audited."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.audit.services import audit_record
from halte.clients.models import Client
from halte.core.roles import Capability, ClientScope, can, client_scope


def clients_visible_to(user, queryset=None):
    queryset = Client.objects.all() if queryset is None else queryset
    scope = client_scope(user)
    if scope == ClientScope.ALL:
        return queryset
    if scope == ClientScope.OWN_TEAMS:
        return queryset.filter(team_id__in=user.team_ids())
    return queryset.none()


def client_for_user(
    actor: Actor,
    pk: int,
    *,
    capability: Capability = Capability.VIEW_CLIENT,
    part: str = "card",
    queryset=None,
) -> Client:
    """The client `pk` if the actor may use `capability` on it; else 403/404, audited.

    A client outside the user's scope is a 404, as if it did not exist: the
    answer must not confirm that someone is a client here.
    """
    if not can(actor.user, capability):
        audit_record(actor, action=Action.READ, part=part, client_id=pk, outcome=Outcome.DENIED)
        raise PermissionDenied
    client = clients_visible_to(actor.user, queryset).filter(pk=pk).first()
    if client is None:
        if Client.objects.filter(pk=pk).exists():
            audit_record(actor, action=Action.READ, part=part, client_id=pk, outcome=Outcome.DENIED)
        raise Http404
    return client


def relation_for_user(
    actor: Actor,
    client_pk: int,
    relation_pk: int,
    *,
    capability: Capability = Capability.EDIT_CLIENT,
):
    """A relation of client `client_pk`, through the client's access check."""
    client = client_for_user(actor, client_pk, capability=capability, part="relations")
    relation = client.relations.prefetch_related("phones").filter(pk=relation_pk).first()
    if relation is None:
        raise Http404
    return relation


def preference_for_user(
    actor: Actor,
    client_pk: int,
    preference_pk: int,
    *,
    capability: Capability = Capability.EDIT_CLIENT,
):
    """A preference of client `client_pk`, through the client's access check."""
    client = client_for_user(actor, client_pk, capability=capability, part="preferences")
    preference = client.preferences.filter(pk=preference_pk).first()
    if preference is None:
        raise Http404
    return preference
