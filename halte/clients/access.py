"""The one way to fetch clients for a user: scoped by role and team, denials audited."""

from django.core.exceptions import PermissionDenied
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.audit.services import audit_record
from halte.clients.models import Client
from halte.core.roles import Capability, ClientScope, can, client_scope

BSN_NOT_ALLOWED = _("Your role may not see or enter a BSN. Leave the BSN out.")


class BsnNotAllowed(PermissionDenied):
    """A role that may not see a BSN tried to write one."""


def refuse_bsn_without_role(
    actor: Actor, fields: dict, *, action: Action, client_id: int | None = None
) -> None:
    """A role that may not see a BSN (front office, manager) may not write one either:
    one `denied` entry and BsnNotAllowed. Checked before the value is, so the answer is
    the same for any value: no "this BSN is taken" tells them who is a client."""
    if "bsn" not in fields or actor.user is None or can(actor.user, Capability.REVEAL_BSN):
        return
    audit_record(actor, action=action, part="bsn", client_id=client_id, outcome=Outcome.DENIED)
    raise BsnNotAllowed(BSN_NOT_ALLOWED)


def clients_visible_to(user, queryset=None):
    queryset = Client.objects.all() if queryset is None else queryset
    scope = client_scope(user)
    if scope == ClientScope.ALL:
        return queryset
    if scope == ClientScope.OWN_TEAMS:
        return queryset.filter(team_id__in=user.team_ids())
    return queryset.none()


def rows_visible_to(user, queryset, *, team: str = "team_id"):
    """`queryset`, of clients or of rows that belong to one (a phone), narrowed in the
    query to those whose client `user` may see; `team` names the client's team seen
    from the queryset's model ("client__team_id" from a phone).

    For a lookup that its own index narrows to a few rows (a birth date, a phone
    number), before a cap on the rows read: the team test is written so that no index
    serves it. SQLite's planner, without statistics (by design, see halte.demo.seed),
    would serve `team_id IN (...) AND date_of_birth = ?` from the team's index and read
    the whole team. clients_visible_to is for lists that the team itself narrows.
    """
    scope = client_scope(user)
    if scope == ClientScope.ALL:
        return queryset
    if scope == ClientScope.OWN_TEAMS:
        # A client without a team (0 is no team's id) is no team's to see.
        scoped = queryset.alias(scope_team=Coalesce(team, Value(0)))
        return scoped.filter(scope_team__in=user.team_ids())
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
