"""Reads for the front office: who is calling, the client card, timelines and queues."""

import base64
import binascii
import datetime
import json
import operator
from dataclasses import dataclass
from functools import reduce

from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.audit.services import audit_record
from halte.clients.access import client_for_user, clients_visible_to
from halte.clients.models import Client, Phone, Preference, Relation
from halte.contact.extensions import (
    TIMELINE_RANKS,
    TIMELINE_SOURCES,
    TimelineItem,
    TimelineKey,
    older_than,
)
from halte.contact.models import (
    Commitment,
    CommitmentStatus,
    Interaction,
    InteractionStatus,
    ServiceLevelPolicy,
    live_call_q,
)
from halte.core.moments import READABLE_FROM, READABLE_UNTIL
from halte.core.roles import Capability, ClientScope, can, client_scope
from halte.core.sql import Columns, hot_cursor


@dataclass(frozen=True)
class CallerMatch:
    client: Client
    relation: Relation | None  # None: the client's own number

    @property
    def type(self) -> str:
        return "relation" if self.relation is not None else "client"


# A GP practice's or a care home's number is shared by hundreds of clients'
# relations: recognition shows the first ones and says there are more.
CALLER_MATCH_LIMIT = 20


class CallerMatches(list):
    """The matches to show; `more` is true when the number has further matches."""

    more: bool = False


_PHONE, _CLIENT, _RELATION = Columns(Phone, "p"), Columns(Client, "c"), Columns(Relation, "r")
# Plain SQL: caller recognition runs on every call, and compiling the ORM's
# select_related query cost more than running it.
_CALLERS_SQL = (
    f"SELECT {_CLIENT.sql}, {_RELATION.sql} FROM {_PHONE.table}"  # noqa: S608
    f" INNER JOIN {_CLIENT.table} ON {_PHONE.column('client')} = {_CLIENT.column('pk')}"
    f" LEFT OUTER JOIN {_RELATION.table} ON {_PHONE.column('relation')} = {_RELATION.column('pk')}"
    f" WHERE {_PHONE.column('e164')} = %s{{visible}}"
    f" ORDER BY {_PHONE.column('relation')} ASC NULLS FIRST, {_PHONE.column('client')} ASC"
    " LIMIT %s"
)


def callers_for_number(e164: str, user=None, *, limit: int = CALLER_MATCH_LIMIT) -> CallerMatches:
    """Everyone with this number in one indexed query: clients first, then relations
    with the client they belong to. `user` limits it to the clients they may see."""
    matches = CallerMatches()
    visible, params = "", [e164]
    if user is not None and client_scope(user) != ClientScope.ALL:
        # The access rule itself (clients.access), as a subquery.
        try:
            sql, visible_params = clients_visible_to(user).values("pk").query.sql_with_params()
        except EmptyResultSet:
            return matches
        visible, params = f" AND {_PHONE.column('client')} IN ({sql})", [*params, *visible_params]
    with hot_cursor() as cursor:
        cursor.execute(_CALLERS_SQL.format(visible=visible), [*params, limit + 1])
        rows = cursor.fetchall()
    for row in rows[:limit]:
        matches.append(CallerMatch(_CLIENT.instance(row), _RELATION.instance(row, len(_CLIENT))))
    matches.more = len(rows) > limit
    return matches


@dataclass
class ClientCard:
    client: Client
    open_commitments: list[Commitment]
    recent_contacts: list[Interaction]
    now: datetime.datetime
    warn_before: datetime.timedelta

    def is_overdue(self, commitment: Commitment) -> bool:
        return commitment.due_at <= self.now

    def is_expiring(self, commitment: Commitment) -> bool:
        return self.now < commitment.due_at <= self.now + self.warn_before


def client_card(actor: Actor, pk: int, *, contacts: int = 10) -> ClientCard:
    """What an agent needs in the first ten seconds, in a fixed number of queries."""
    client = client_for_user(
        actor,
        pk,
        queryset=Client.objects.select_related(
            "team", "team__location", "primary_contact"
        ).prefetch_related(
            Prefetch("phones", queryset=Phone.objects.filter(relation__isnull=True)),
            Prefetch("relations", queryset=Relation.objects.prefetch_related("phones")),
            Prefetch("preferences", queryset=Preference.objects.all()),
        ),
    )
    audit_record(actor, action=Action.READ, part="card", client_id=client.pk)
    policy = ServiceLevelPolicy.current()
    return ClientCard(
        client=client,
        open_commitments=list(open_commitments().filter(client=client).order_by("due_at", "id")),
        recent_contacts=list(
            Interaction.objects.filter(client=client, status=InteractionStatus.COMPLETED)
            .select_related("staff", "relation")
            .order_by("-occurred_at", "-id")[:contacts]
        ),
        now=timezone.now(),
        warn_before=datetime.timedelta(minutes=policy.warn_before_minutes),
    )


def default_callback_number(
    client: Client, *, relation: Relation | None = None, origin=None
) -> str:
    """The number a callback goes to unless the agent gives another: the caller's on the
    call it was promised in, else the first number of whom it was promised to (the
    relation, else the client). E.164, or '' when there is none."""
    if origin is not None and origin.caller_e164:
        return origin.caller_e164
    for owner in [relation, None] if relation is not None else [None]:
        number = (
            Phone.objects.filter(client=client, relation=owner)
            .order_by("id")
            .values_list("e164", flat=True)
            .first()
        )
        if number:
            return number
    return ""


def open_commitments():
    return Commitment.objects.filter(status=CommitmentStatus.OPEN).select_related(
        "client", "relation", "owner_user", "owner_team"
    )


def escalations(user, now: datetime.datetime | None = None):
    """Promises of the clients `user` may see that are overdue or due within the
    policy's warning window, soonest due first."""
    now = now or timezone.now()
    warn = datetime.timedelta(minutes=ServiceLevelPolicy.current().warn_before_minutes)
    return commitment_list(user, due_before=now + warn)


def timeline(
    client: Client,
    *,
    limit: int = 50,
    before: datetime.datetime | None = None,
    after: TimelineKey | None = None,
):
    """Contacts, promises and the items of the registered timeline sources (journey
    steps) of one client, newest first: each source is read with its own index and
    limit, then merged. `before` starts at a moment; `after` continues after an item's
    key (a page cursor), losing no item that shares its moment with the previous
    page's last."""
    # A call not yet written up (or put aside) is the agent's draft, not history.
    contacts = Interaction.objects.filter(
        client=client, status=InteractionStatus.COMPLETED
    ).select_related("staff", "relation")
    promises = Commitment.objects.filter(client=client).select_related(
        "owner_user", "owner_team", "created_by", "relation"
    )
    if before is not None:
        contacts = contacts.filter(occurred_at__lt=before)
        promises = promises.filter(created_at__lt=before)
    if after is not None:
        contacts = contacts.filter(older_than(after, "contact", "occurred_at"))
        promises = promises.filter(older_than(after, "promise", "created_at"))
    items = [
        TimelineItem("contact", c.occurred_at, c)
        for c in contacts.order_by("-occurred_at", "-id")[:limit]
    ] + [
        TimelineItem("promise", p.created_at, p)
        for p in promises.order_by("-created_at", "-id")[:limit]
    ]
    # Higher apps' items (the journey's steps), registered in their AppConfig.ready().
    for source in TIMELINE_SOURCES.providers:
        items += source(client, limit=limit, before=before, after=after)
    return sorted(items, key=lambda i: i.key, reverse=True)[:limit]


_KIND_BY_RANK = {rank: kind for kind, rank in TIMELINE_RANKS.items()}
_MAX_ID = 2**63 - 1  # a larger id names no row


def timeline_cursor(client_id: int, key: TimelineKey, size: int) -> str:
    """An opaque page cursor: the last item's key, for this client, with the page size."""
    at, rank, pk = key
    data = {"c": client_id, "t": at.isoformat(), "r": rank, "i": pk, "s": size}
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def timeline_position(
    cursor: str, client_id: int, *, max_size: int
) -> tuple[TimelineKey, int] | None:
    """(key of the last item shown, page size) from a cursor of this client's
    timeline; None when the cursor is not one (tampered, or another client's)."""
    try:
        data = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        at = datetime.datetime.fromisoformat(data["t"])
        key, size = (at, data["r"], data["i"]), data["s"]
        valid = (
            data["c"] == client_id
            and at.tzinfo is not None
            # as read from the database; beyond, converting it for the query overflows
            and READABLE_FROM <= at <= READABLE_UNTIL
            and data["r"] in _KIND_BY_RANK
            and type(data["i"]) is int
            and 1 <= data["i"] <= _MAX_ID
            and type(size) is int
            and 1 <= size <= max_size
        )
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error):
        return None
    return (key, size) if valid else None


def interaction_for_user(
    actor: Actor, pk: int, *, capability: Capability = Capability.LOG_CONTACT
) -> Interaction:
    """A contact the actor may work on: through its client's access check, or, for a
    call not yet tied to a client, for anyone who may log contacts (else 404/403)."""
    interaction = Interaction.objects.filter(pk=pk).first()
    if interaction is None:
        raise Http404
    if interaction.client_id is not None:
        client_for_user(actor, interaction.client_id, capability=capability, part="contacts")
    elif not can(actor.user, capability):
        _record_refused_call(actor)
        raise PermissionDenied
    return interaction


def _record_refused_call(actor: Actor) -> None:
    # A call no client is tied to: the entry names no client (there is none to name).
    audit_record(actor, action=Action.READ, part="contacts", outcome=Outcome.DENIED)


def call_for_agent(actor: Actor, pk: int) -> Interaction:
    """A call on the actor's own list "still to write up": as interaction_for_user, and
    a call that no client is tied to (an unknown or withheld number, or one several
    clients share) only for the agent who took it: its number is all there is to see,
    and nobody else's list shows it (404 for anyone else)."""
    call = interaction_for_user(actor, pk)
    if call.client_id is None and call.staff_id != actor.user.pk:
        _record_refused_call(actor)
        raise Http404
    return call


def commitment_for_user(
    actor: Actor, pk: int, *, capability: Capability = Capability.MAKE_COMMITMENT
) -> Commitment:
    """A promise, through its client's access check (404/403 as for the client)."""
    commitment = (
        Commitment.objects.select_related("client", "relation", "result")
        .prefetch_related("attempts")
        .filter(pk=pk)
        .first()
    )
    if commitment is None:
        raise Http404
    commitment.client = client_for_user(
        actor, commitment.client_id, capability=capability, part="promises"
    )
    return commitment


def commitment_list(
    user,
    *,
    mine: bool = False,
    team: bool = False,
    due_before: datetime.datetime | None = None,
):
    """Open promises of the clients `user` may see, soonest due first: those the user
    owns (`mine`), their teams own (`team`), or, with neither, the organisation's;
    `due_before` keeps those due by then."""
    promises = open_commitments()
    if client_scope(user) != ClientScope.ALL:
        promises = promises.filter(client__in=clients_visible_to(user))
    owned = []
    if mine:
        owned.append(Q(owner_user=user))
    if team:
        owned.append(Q(owner_team_id__in=user.team_ids()))
    if owned:
        promises = promises.filter(reduce(operator.or_, owned))
    if due_before is not None:
        promises = promises.filter(due_at__lte=due_before)
    return promises.order_by("due_at", "id")


def open_call_for_agent(user, now: datetime.datetime | None = None) -> Interaction | None:
    """The call ringing or answered at the user's extension, unless past its time-out."""
    if not user.phone_extension:
        return None
    return (
        Interaction.objects.filter(
            live_call_q(now or timezone.now()),
            agent_extension=user.phone_extension,
            status=InteractionStatus.OPEN,
        )
        .select_related("client", "relation")
        .order_by("-occurred_at", "-id")
        .first()
    )


UNWRITTEN_SHOWN = 50


def unwritten_calls(user, now: datetime.datetime | None = None) -> list[Interaction]:
    """The user's calls that are over and not yet written up ("nog vastleggen"),
    newest first, in one query. `client_visible` says whether the user may see the
    recognised client (a nurse of another team sees only the number)."""
    now = now or timezone.now()
    calls = (
        Interaction.objects.filter(staff=user, status=InteractionStatus.OPEN)
        .exclude(live_call_q(now))
        .select_related("client", "relation")
        .order_by("-occurred_at", "-id")
    )
    if client_scope(user) == ClientScope.ALL:
        calls = calls.annotate(client_visible=Q(client__isnull=False))
    else:
        visible = clients_visible_to(user).filter(pk=OuterRef("client_id"))
        calls = calls.annotate(client_visible=Exists(visible))
    return list(calls[:UNWRITTEN_SHOWN])
