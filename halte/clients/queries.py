"""Reads of client data for pages and endpoints; each one that shows client data audits it."""

from django.db.models import Prefetch

from halte.audit.context import Actor
from halte.audit.models import Action
from halte.audit.services import audit_record
from halte.clients.access import client_for_user
from halte.clients.models import CareNote, Client, Phone, Preference, Relation
from halte.clients.search import SearchPage, find_clients
from halte.core.roles import Capability, can


def client_search(actor: Actor, raw: str, *, page: int = 1, page_size: int = 25) -> SearchPage:
    """Search, audited as one entry naming the kind of query, never the query itself
    (it may hold a name or a BSN)."""
    result = find_clients(actor.user, raw, page=page, page_size=page_size)
    audit_record(actor, action=Action.SEARCH, part=f"search:{result.kind}")
    return result


def _detail_queryset():
    return Client.objects.select_related("team", "team__location").prefetch_related(
        Prefetch("phones", queryset=Phone.objects.filter(relation__isnull=True)),
        Prefetch("relations", queryset=Relation.objects.prefetch_related("phones")),
        Prefetch("preferences", queryset=Preference.objects.all()),
    )


def client_detail(actor: Actor, pk: int) -> Client:
    """The whole contact card of one client, in a fixed number of queries, audited."""
    client = client_for_user(actor, pk, queryset=_detail_queryset())
    audit_record(actor, action=Action.READ, part="card", client_id=client.pk)
    return client


def client_care_notes(actor: Actor, client: Client, *, limit: int = 20) -> list[CareNote] | None:
    """The latest care notes, or None when the actor's role may not read them."""
    if not can(actor.user, Capability.VIEW_CARE_NOTES):
        return None
    audit_record(actor, action=Action.READ, part="care_notes", client_id=client.pk)
    return list(CareNote.objects.filter(client=client).select_related("author")[:limit])


def client_id_for_number(client_number: int) -> int | None:
    """Identifiers only (no client content): for the audit log's filter."""
    return Client.objects.filter(client_number=client_number).values_list("id", flat=True).first()


def client_numbers(client_ids) -> dict[int, int]:
    """id -> client number, in one query: for listing audit entries."""
    return dict(Client.objects.filter(id__in=client_ids).values_list("id", "client_number"))
