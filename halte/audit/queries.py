import datetime
import hmac
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from halte.audit.extensions import client_id_for_number, client_numbers
from halte.audit.labels import PartNames, named_ids, part_label, role_label
from halte.audit.models import (
    COMMON_ACTIONS,
    GENESIS_HASH,
    HASHED_FIELDS,
    LEGACY_HASHED_FIELDS,
    AuditChainHead,
    AuditEntry,
    AuditEntryClient,
    UnknownKey,
    chain_mac,
    entry_hash,
    keyed_hash,
)
from halte.core.models import Team

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
    problem: str | None  # None when every chain is intact; else the first disagreement
    # Each chain as verified: chain -> (last position, last hash).
    chains: dict[int, tuple[int, str]] = field(default_factory=dict)
    legacy: int = 0  # entries from before the chain was keyed (plain SHA-256)
    anchors_checked: int = 0  # anchored heads compared with the chains


@dataclass
class _Chain:
    position: int = 0
    hash: str = GENESIS_HASH
    keyed: bool = False  # a keyed entry was seen: no legacy entry may follow


# What verify_chain reads of each entry: the hashed fields, then the hash.
_VERIFY_FIELDS = (*HASHED_FIELDS, "hash")


def _clients_by_entry(chunk_size: int):
    """(seq, [client ids]) of every several-client entry, in seq order."""
    rows = (
        AuditEntryClient.objects.order_by("entry_id", "client_id")
        .values_list("entry_id", "client_id")
        .iterator(chunk_size=chunk_size)
    )
    for seq, group in groupby(rows, key=itemgetter(0)):
        yield seq, [client_id for _seq, client_id in group]


def _anchored(anchors) -> dict[tuple[int, int], tuple[str, int]]:
    """(chain, position) -> (hash, anchor line number): every head ever anchored."""
    found = {}
    for anchor in anchors:
        for chain, position, hash_ in anchor.heads:
            if position > 0:
                found.setdefault((chain, position), (hash_, anchor.number))
    return found


def _entry_problem(row, state: _Chain, client_ids, keys, anchored) -> str | None:
    """What is wrong with one entry, read in seq order, given its chain so far."""
    values = dict(zip(_VERIFY_FIELDS, row, strict=True))
    seq, chain, position = values["seq"], values["chain"], values["position"]
    where = f"chain {chain}, position {position} (entry {seq})"
    if position != state.position + 1:
        if position <= state.position:
            return f"{where}: the chain already has position {position}"
        return (
            f"chain {chain}, position {state.position + 1} is missing"
            f" (the next is entry {seq} at position {position})"
        )
    if values["prev_hash"] != state.hash:
        return f"{where} does not follow position {position - 1} of its chain"
    if not values["key_id"]:
        if chain != 1 or state.keyed or position != seq:
            return f"{where} has no key, yet it is not among the entries from before the key"
        legacy = {name: values[name] for name in LEGACY_HASHED_FIELDS}
        expected = entry_hash(legacy, client_ids)
    else:
        try:
            mac = chain_mac(values["key_id"], keys)
        except UnknownKey:
            return f"{where} names chain key {values['key_id']!r}, which is not configured"
        del values["hash"]
        expected = keyed_hash(mac, values, client_ids)
    if not hmac.compare_digest(expected, row[-1]):
        return f"{where} was changed after it was written (its hash does not match)"
    anchor = anchored.get((chain, position))
    if anchor is not None and anchor[0] != row[-1]:
        return f"{where} is not the entry anchor line {anchor[1]} holds there"
    return None


def _heads_problem(states: dict[int, _Chain]) -> str | None:
    heads = {
        chain: (position, hash_)
        for chain, position, hash_ in AuditChainHead.objects.values_list("pk", "position", "hash")
    }
    for chain in sorted(set(heads) | set(states)):
        state = states.get(chain, _Chain())
        position, hash_ = heads.get(chain, (None, None))
        if position is None:
            return f"chain {chain} has entries but no head"
        if (position, hash_) != (state.position, state.hash):
            return (
                f"chain {chain} ends at position {state.position}, but its head says {position}"
                + ("" if position != state.position else " with another hash")
            )
    return None


def _unsealed_problem(states: dict[int, _Chain]) -> str | None:
    """Entries from before the key are taken as written only once a keyed entry follows
    them: its HMAC covers the last one's hash, and with it all of them. Without one,
    anyone could rewrite the whole log as such entries."""
    first = states.get(1)
    if first is not None and not first.keyed:
        return (
            f"chain 1 holds {first.position} entries from before the chain was keyed and no"
            " keyed entry after them to seal them (the next audited action does)"
        )
    return None


def _cut_back_problem(states: dict[int, _Chain], anchors) -> str | None:
    """A chain shorter than an anchor of it: entries cut off and its head moved back."""
    for anchor in anchors:
        for chain, position, _hash in anchor.heads:
            reached = states.get(chain, _Chain()).position
            if position > reached:
                return (
                    f"chain {chain} was cut back: it ends at position {reached}, but anchor"
                    f" line {anchor.number} ({anchor.at}) holds position {position}"
                )
    return None


def verify_chain(chunk_size: int = 5000, *, anchors=(), keys=None) -> ChainReport:
    """Walk every chain at once, in seq order (within a chain, seq order is position
    order): every position present once, every entry linked to the one before it in
    its chain, every hash matching its fields and the clients it names under the key
    it names, every anchored entry still there with its anchored hash; then every
    chain head where its chain ends. Stops at the first disagreement and names it.

    `anchors` are the anchor file's lines, already checked (anchors.read_anchors);
    `keys` the chain keys by id (settings.AUDIT_CHAIN_KEYS unless given)."""
    keys = settings.AUDIT_CHAIN_KEYS if keys is None else keys
    states: dict[int, _Chain] = {}
    report = ChainReport(0, None)
    anchored = _anchored(anchors)
    named = _clients_by_entry(chunk_size)
    next_named = next(named, None)
    rows = AuditEntry.objects.order_by("seq").values_list(*_VERIFY_FIELDS)
    for row in rows.iterator(chunk_size=chunk_size):
        seq, chain = row[0], row[-4]
        if next_named is not None and next_named[0] < seq:
            report.problem = _NAMED_WITHOUT_ENTRY % next_named[0]
            return report
        client_ids = ()
        if next_named is not None and next_named[0] == seq:
            client_ids = next_named[1]
            next_named = next(named, None)
        state = states.setdefault(chain, _Chain())
        report.problem = _entry_problem(row, state, client_ids, keys, anchored)
        if report.problem:
            return report
        state.position, state.hash = state.position + 1, row[-1]
        state.keyed = state.keyed or bool(row[-2])
        report.legacy += not row[-2]
        report.checked += 1
    if next_named is not None:
        report.problem = _NAMED_WITHOUT_ENTRY % next_named[0]
        return report
    report.chains = {chain: (s.position, s.hash) for chain, s in sorted(states.items())}
    report.problem = (
        _unsealed_problem(states) or _heads_problem(states) or _cut_back_problem(states, anchors)
    )
    report.anchors_checked = len(anchored)
    return report


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


def _staff(user_ids) -> dict[int, tuple[str, str]]:
    """user id -> (full name, username), in one query."""
    if not user_ids:
        return {}
    users = get_user_model().objects.filter(pk__in=user_ids)
    return {
        pk: (f"{first} {last}".strip(), username)
        for pk, username, first, last in users.values_list(
            "pk", "username", "first_name", "last_name"
        )
    }


def _team_names(team_ids) -> dict[int, str]:
    if not team_ids:
        return {}
    return dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name"))


def _part_names(entries: list[AuditEntry], staff) -> PartNames:
    """Names for the staff members and teams the entries' parts name by id; `staff`
    already holds every user the page names (looked up with the entries' own users)."""
    team_ids = set()
    for entry in entries:
        team_ids |= named_ids(entry.part)[1]
    return PartNames(
        staff={
            pk: f"{name} ({username})" if name else username
            for pk, (name, username) in staff.items()
        },
        teams=_team_names(team_ids),
    )


def _clients_named(seqs) -> dict[int, list[int]]:
    rows = AuditEntryClient.objects.filter(entry_id__in=seqs).order_by("entry_id", "client_id")
    named: dict[int, list[int]] = {}
    for seq, client_id in rows.values_list("entry_id", "client_id"):
        named.setdefault(seq, []).append(client_id)
    return named


def _rows(entries: list[AuditEntry]) -> list[AuditRow]:
    """Labels and names for a page of entries: at most four queries (the clients
    named, their numbers, the staff, the teams), however many rows."""
    named = _clients_named([e.seq for e in entries if e.client_id is None])
    client_ids = {e.client_id for e in entries if e.client_id}
    client_ids.update(client_id for ids in named.values() for client_id in ids)
    numbers = client_numbers(client_ids)
    user_ids = {e.user_id for e in entries if e.user_id}
    for entry in entries:
        user_ids |= named_ids(entry.part)[0]
    staff = _staff(user_ids)
    part_names = _part_names(entries, staff)
    rows = []
    for entry in entries:
        ids = [entry.client_id] if entry.client_id else named.get(entry.seq, [])
        rows.append(
            AuditRow(
                entry,
                full_name=staff.get(entry.user_id, ("", ""))[0],
                role_label=role_label(entry.role),
                part_label=part_label(entry.part, part_names),
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
