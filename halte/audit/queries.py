import datetime
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from halte.audit.extensions import client_id_for_number, client_numbers
from halte.audit.labels import part_label, role_label
from halte.audit.models import (
    COMMON_ACTIONS,
    GENESIS_HASH,
    AuditChainHead,
    AuditEntry,
    AuditEntryClient,
)

# The partial index `audit_rare_action_seq`'s own condition, with its values written
# out: SQLite uses a partial index only when the query repeats its condition, term
# by term, as literals rather than bound parameters. (PostgreSQL infers it from the
# equality alone.) The values are our own constants, not input.
_RARE_ACTION_CONDITION = RawSQL(  # noqa: S611
    " AND ".join(f"NOT (action = '{action}')" for action in COMMON_ACTIONS),
    (),
    output_field=BooleanField(),
)


@dataclass(frozen=True)
class AuditFilter:
    """What the privacy officer narrows the log to; None (or empty) is no filter."""

    client_id: int | None = None
    usernames: tuple[str, ...] = ()
    since: datetime.datetime | None = None  # from this moment
    until: datetime.datetime | None = None  # up to, not including, this moment
    action: str | None = None
    outcome: str | None = None


def audit_entries(audit_filter: AuditFilter):
    """Entries for the privacy officer's page, newest first. Each filter has an index:
    client (`audit_client_seq`, and `audit_entryclient_client` for the entries naming
    several clients), person (`audit_username_seq`), period (`at`), outcome
    (`audit_denied_seq`) and action (`audit_rare_action_seq`)."""
    entries = AuditEntry.objects.all()
    f = audit_filter
    if f.client_id is not None:
        # The client's own entries and the entries naming them among others, each
        # from its index. As one IN over a UNION, not an OR: PostgreSQL cannot combine
        # an OR with a subquery through indexes and would scan the log instead.
        own = AuditEntry.objects.filter(client_id=f.client_id).order_by().values("seq")
        named = AuditEntryClient.objects.filter(client_id=f.client_id).order_by().values("entry_id")
        entries = entries.filter(seq__in=own.union(named, all=True))
    if f.usernames:
        entries = entries.filter(username__in=f.usernames)
    if f.since is not None:
        entries = entries.filter(at__gte=f.since)
    if f.until is not None:
        entries = entries.filter(at__lt=f.until)
    if f.action:
        entries = entries.filter(action=f.action)
        if f.action not in COMMON_ACTIONS:
            entries = entries.filter(_RARE_ACTION_CONDITION)
    if f.outcome:
        entries = entries.filter(outcome=f.outcome)
    return entries.order_by("-seq")


def usernames_of(person: str) -> tuple[str, ...]:
    """The usernames a person filter means: a username as written (a system process, or
    staff since removed), the user with that username in any case, and staff whose
    given and family names hold every word typed ("jan", "de vries", "Jan de Vries")."""
    text = " ".join(person.split())
    if not text:
        return ()
    by_name = Q()
    for word in text.split(" "):
        by_name &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    users = get_user_model().objects.filter(Q(username__iexact=text) | by_name)
    return tuple(sorted({text, *users.values_list("username", flat=True)}))


_NAMED_WITHOUT_ENTRY = "clients are named for entry %s, which is not in the log"


@dataclass
class ChainReport:
    checked: int
    problem: str | None  # None when the chain is intact


def _clients_by_entry(chunk_size: int):
    """(seq, [client ids]) of every several-client entry, in chain order."""
    rows = (
        AuditEntryClient.objects.order_by("entry_id", "client_id")
        .values_list("entry_id", "client_id")
        .iterator(chunk_size=chunk_size)
    )
    for seq, group in groupby(rows, key=itemgetter(0)):
        yield seq, [client_id for _seq, client_id in group]


def verify_chain(chunk_size: int = 5000) -> ChainReport:
    """Walk the whole chain: every link present, every hash matching its fields and the
    clients it names. The entries and the clients named are read side by side, each
    in key order, in chunks."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    named = _clients_by_entry(chunk_size)
    next_named = next(named, None)
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return ChainReport(checked, f"entry {expected_seq} is missing (next is {entry.seq})")
        if entry.prev_hash != prev_hash:
            return ChainReport(checked, f"entry {entry.seq} does not follow entry {entry.seq - 1}")
        if next_named is not None and next_named[0] < entry.seq:
            return ChainReport(checked, _NAMED_WITHOUT_ENTRY % next_named[0])
        client_ids = ()
        if next_named is not None and next_named[0] == entry.seq:
            client_ids = next_named[1]
            next_named = next(named, None)
        if entry.compute_hash(client_ids) != entry.hash:
            return ChainReport(checked, f"entry {entry.seq} was changed after it was written")
        expected_seq, prev_hash, checked = entry.seq + 1, entry.hash, checked + 1
    if next_named is not None:
        return ChainReport(checked, _NAMED_WITHOUT_ENTRY % next_named[0])
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) != (checked, prev_hash):
        return ChainReport(checked, f"the log ends at entry {checked}, but {head_seq} were written")
    return ChainReport(checked, None)


@dataclass
class AuditRow:
    """An entry as the log page shows it: labels for its codes, names for its ids."""

    entry: AuditEntry
    full_name: str  # the staff member's name now; "" for a process or a removed user
    role_label: str
    part_label: str
    client_numbers: list[int] = field(default_factory=list)

    def __getattr__(self, name):
        return getattr(self.entry, name)


@dataclass
class AuditPage:
    entries: list[AuditRow]
    next_before: int | None  # the `before` cursor of the next (older) page
    client_id: int | None  # the client filtered on, if any
    unknown_client: bool = False


def _full_names(user_ids) -> dict[int, str]:
    users = get_user_model().objects.filter(pk__in=user_ids)
    return {
        pk: f"{first} {last}".strip()
        for pk, first, last in users.values_list("pk", "first_name", "last_name")
    }


def _clients_named(seqs) -> dict[int, list[int]]:
    rows = AuditEntryClient.objects.filter(entry_id__in=seqs).order_by("entry_id", "client_id")
    named: dict[int, list[int]] = {}
    for seq, client_id in rows.values_list("entry_id", "client_id"):
        named.setdefault(seq, []).append(client_id)
    return named


def _rows(entries: list[AuditEntry]) -> list[AuditRow]:
    """Labels and names for a page of entries: three queries, however many rows."""
    named = _clients_named([e.seq for e in entries if e.client_id is None])
    client_ids = {e.client_id for e in entries if e.client_id}
    client_ids.update(client_id for ids in named.values() for client_id in ids)
    numbers = client_numbers(client_ids)
    names = _full_names({e.user_id for e in entries if e.user_id})
    rows = []
    for entry in entries:
        ids = [entry.client_id] if entry.client_id else named.get(entry.seq, [])
        rows.append(
            AuditRow(
                entry,
                full_name=names.get(entry.user_id, ""),
                role_label=role_label(entry.role),
                part_label=part_label(entry.part),
                # A client since removed keeps its id: the log outlives the record.
                client_numbers=[numbers.get(client_id, client_id) for client_id in ids],
            )
        )
    return rows


def audit_page(
    *,
    client_number=None,
    person=None,
    since=None,
    until=None,
    action=None,
    outcome=None,
    before_seq=None,
    page_size=50,
) -> AuditPage:
    """One page of entries, newest first, by keyset on seq: no COUNT over a huge table.

    Each row carries its labels, the staff member's full name and the client numbers
    (the numbers staff know), in a fixed number of queries.
    """
    client_id = None
    if client_number is not None:
        client_id = client_id_for_number(client_number)
        if client_id is None:
            return AuditPage([], None, None, unknown_client=True)
    audit_filter = AuditFilter(
        client_id=client_id,
        usernames=usernames_of(person or ""),
        since=since,
        until=until,
        action=action or None,
        outcome=outcome or None,
    )
    entries = audit_entries(audit_filter)
    if before_seq:
        entries = entries.filter(seq__lt=before_seq)
    found = list(entries[: page_size + 1])
    has_more = len(found) > page_size
    found = found[:page_size]
    return AuditPage(_rows(found), found[-1].seq if has_more else None, client_id)
