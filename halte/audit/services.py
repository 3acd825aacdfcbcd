"""Writing to the audit log. Callers pass an Actor; entries join the caller's transaction,
so an entry exists exactly when the change it describes was committed.

Every page view and API call appends here, so the append is three plain SQL
statements (lock a free chain head and number the entry, insert, move the head)
rather than ORM queries: compiling those cost more than running them. On PostgreSQL
a writer takes the first chain head no other transaction holds (SKIP LOCKED), so
AUDIT_CHAINS writers commit side by side instead of queueing on one lock.

Three ways in: `audit_record` (one entry, at most one client), `audit_record_listing`
(one look at a page, endpoint or export listing clients: one entry naming them all),
and `audit_record_many` (one entry per client, for one change to several clients'
records at once, such as the stale calls closed together: each is its own change).
"""

import random
from functools import cache, lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from halte.audit.context import Actor
from halte.audit.labels import check_part
from halte.audit.models import (
    GENESIS_HASH,
    HASHED_FIELDS,
    Action,
    AuditChainHead,
    AuditEntry,
    AuditEntryClient,
    Outcome,
    chain_mac,
    keyed_hash,
)
from halte.core.sql import hot_cursor

_ENTRY_FIELDS = [AuditEntry._meta.get_field(name) for name in (*HASHED_FIELDS, "hash")]
# The fields whose values need the backend's preparation (a datetime, an address);
# the others are strings and integers that go in as they are.
_PREPARED_FIELDS = [
    (position, field)
    for position, field in enumerate(_ENTRY_FIELDS)
    if field.name in ("at", "source_ip")
]
_ENTRY_TABLE = AuditEntry._meta.db_table
_HEAD_TABLE = AuditChainHead._meta.db_table
_CLIENT_TABLE = AuditEntryClient._meta.db_table
_ACTIONS = frozenset(Action.values)
_OUTCOMES = frozenset(Outcome.values)
# Rows per INSERT of an entry's clients: well under SQLite's limit of bound values.
_CLIENT_ROWS_PER_INSERT = 5000


@cache
def _insert_sql(rows: int) -> str:
    """One INSERT of `rows` entries, written once per number of rows."""
    columns = ", ".join(connection.ops.quote_name(f.column) for f in _ENTRY_FIELDS)
    values = ", ".join(["(" + ", ".join(["%s"] * len(_ENTRY_FIELDS)) + ")"] * rows)
    return f"INSERT INTO {_ENTRY_TABLE} ({columns}) VALUES {values}"  # noqa: S608


@lru_cache(maxsize=64)
def _client_insert_sql(rows: int) -> str:
    columns = ", ".join(
        connection.ops.quote_name(AuditEntryClient._meta.get_field(name).column)
        for name in ("entry", "client_id")
    )
    values = ", ".join(["(%s, %s)"] * rows)
    return f"INSERT INTO {_CLIENT_TABLE} ({columns}) VALUES {values}"  # noqa: S608


# The entries' numbers on PostgreSQL (migration 0005): taken under a chain's lock, so
# that within a chain seq order is position order, but without a lock common to all.
_SEQUENCE = "audit_entry_seq"
_HEAD_COLUMNS = "id, position, hash"


@cache
def _free_head_sql() -> str:
    """PostgreSQL: lock the first head no other transaction holds, trying the one this
    connection used last first, and number the entry once the lock is held. The lock
    is taken in a materialised CTE so that nextval runs after it: a number taken
    before would let a writer that got the lock sooner pass it with a higher one."""
    return (
        f"WITH h AS MATERIALIZED (SELECT {_HEAD_COLUMNS} FROM {_HEAD_TABLE}"  # noqa: S608
        " WHERE id <= %s ORDER BY id = %s DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
        f" SELECT {_HEAD_COLUMNS}, nextval('{_SEQUENCE}') FROM h"
    )


@cache
def _one_head_sql() -> str:
    """PostgreSQL: wait for one head's lock (every head was busy), then number the entry."""
    return (
        f"WITH h AS MATERIALIZED (SELECT {_HEAD_COLUMNS} FROM {_HEAD_TABLE}"  # noqa: S608
        f" WHERE id = %s FOR UPDATE) SELECT {_HEAD_COLUMNS}, nextval('{_SEQUENCE}') FROM h"
    )


@cache
def _sqlite_head_sql() -> str:
    """SQLite: the IMMEDIATE transaction already holds the database's write lock, so
    the next number is the highest one yet (a rowid: reading it is one page)."""
    return (
        f"SELECT {_HEAD_COLUMNS}, (SELECT COALESCE(MAX(seq), 0) FROM {_ENTRY_TABLE}) + 1"  # noqa: S608
        f" FROM {_HEAD_TABLE} WHERE id = %s"
    )


def _create_heads(cursor, chains: int) -> None:
    values = ", ".join(["(%s, 0, %s)"] * chains)
    params = [value for chain in range(1, chains + 1) for value in (chain, GENESIS_HASH)]
    cursor.execute(
        f"INSERT INTO {_HEAD_TABLE} ({_HEAD_COLUMNS}) VALUES {values}"  # noqa: S608
        " ON CONFLICT (id) DO NOTHING",
        params,
    )


def _heads_missing(cursor, chains: int) -> bool:
    """Whether some of the first `chains` heads do not exist yet (a plain read: it
    waits for no lock)."""
    cursor.execute(f"SELECT COUNT(*) FROM {_HEAD_TABLE} WHERE id <= %s", [chains])  # noqa: S608
    return cursor.fetchone()[0] < chains


def _free_head_query(postgresql: bool, chains: int, preferred: int):
    if postgresql:
        return _free_head_sql(), [chains, preferred]
    return _sqlite_head_sql(), [preferred]


def _lock_head(cursor, entries: int) -> tuple[int, int, str, list[int]]:
    """A chain for this transaction's entries, locked until it ends: (chain, its last
    position, its last hash, the seq numbers of the `entries` new entries)."""
    chains = settings.AUDIT_CHAINS
    preferred = getattr(connection, "halte_audit_chain", 1)
    if preferred > chains:
        preferred = 1
    postgresql = connection.vendor == "postgresql"
    cursor.execute(*_free_head_query(postgresql, chains, preferred))
    row = cursor.fetchone()
    if row is None and _heads_missing(cursor, chains):
        # The first append, or AUDIT_CHAINS raised. Only then: on PostgreSQL the
        # insert would wait for every busy head's writer, not for one of them.
        _create_heads(cursor, chains)
        cursor.execute(*_free_head_query(postgresql, chains, preferred))
        row = cursor.fetchone()
    if row is None:  # (PostgreSQL) every head busy: wait for one
        chain = random.randint(1, chains)  # noqa: S311 - spreads waiters, not a secret
        cursor.execute(_one_head_sql(), [chain])
        row = cursor.fetchone()
    chain, position, hash_, first_seq = row
    connection.halte_audit_chain = chain
    seqs = [first_seq]
    if entries > 1:
        if postgresql:
            sql = f"SELECT nextval('{_SEQUENCE}') FROM generate_series(2, %s)"  # noqa: S608
            cursor.execute(sql, [entries])
            seqs += [seq for (seq,) in cursor.fetchall()]
        else:
            seqs += range(first_seq + 1, first_seq + entries)
    return chain, position, hash_, seqs


def _row(values: dict) -> list:
    row = [values[field.name] for field in _ENTRY_FIELDS]
    for position, field in _PREPARED_FIELDS:
        row[position] = field.get_db_prep_value(row[position], connection)
    return row


def audit_record(
    actor: Actor,
    *,
    action: Action,
    part: str,
    client_id: int | None = None,
    outcome: Outcome = Outcome.SUCCESS,
) -> None:
    """Append one entry. `part` names which part of the record, never its content."""
    audit_record_many(actor, action=action, part=part, client_ids=[client_id], outcome=outcome)


def _common_values(actor: Actor, action, part: str, outcome) -> dict:
    """The fields every entry of one append shares; refuses codes the log cannot name."""
    if action not in _ACTIONS or outcome not in _OUTCOMES:
        raise ValueError(f"Unknown audit action {action!r} or outcome {outcome!r}.")
    check_part(part)
    return {
        "user_id": actor.user.pk if actor.user is not None else None,
        "username": actor.username,
        "role": actor.role,
        "on_behalf_of": actor.on_behalf_of,
        "action": action,
        "part": part,
        "outcome": outcome,
        "source_ip": actor.source_ip,
        "purpose": actor.effective_purpose,
    }


def _move_head(cursor, chain: int, position: int, hash_: str) -> None:
    cursor.execute(
        f"UPDATE {_HEAD_TABLE} SET position = %s, hash = %s WHERE id = %s",  # noqa: S608
        [position, hash_, chain],
    )


def _link(values: dict, chain: int, position: int, seq: int, prev_hash: str, client_ids=()):
    """Complete `values` as the next entry of `chain` and give it its HMAC."""
    key_id = settings.AUDIT_CHAIN_KEY_ID
    values.update(seq=seq, chain=chain, position=position, key_id=key_id, prev_hash=prev_hash)
    values["hash"] = keyed_hash(chain_mac(key_id), values, client_ids)
    return values["hash"]


def audit_record_many(
    actor: Actor,
    *,
    action: Action,
    part: str,
    client_ids,
    outcome: Outcome = Outcome.SUCCESS,
) -> None:
    """One entry per client (None: no client), appended in one insert: for a change
    made to several clients' records at once, which is one change per client. (A look
    at a list of clients is one entry: `audit_record_listing`.)

    Every page view and API call appends here, so it builds the rows itself rather
    than model instances, and holds its chain's lock only for what needs it: the
    time, the sequence numbers and the hashes."""
    client_ids = list(client_ids)
    if not client_ids:
        return
    common = _common_values(actor, action, part, outcome)
    # savepoint=False: a failed append fails the caller's transaction as a whole.
    with transaction.atomic(savepoint=False), hot_cursor() as cursor:
        chain, position, prev_hash, seqs = _lock_head(cursor, len(client_ids))
        common["at"] = timezone.now()  # under the lock: time order is the chain's order
        params = []
        for seq, client_id in zip(seqs, client_ids, strict=True):
            position += 1
            values = {**common, "client_id": client_id}
            prev_hash = _link(values, chain, position, seq, prev_hash)
            params += _row(values)
        cursor.execute(_insert_sql(len(client_ids)), params)
        _move_head(cursor, chain, position, prev_hash)


def audit_record_listing(
    actor: Actor,
    *,
    action: Action,
    part: str,
    client_ids,
    outcome: Outcome = Outcome.SUCCESS,
) -> None:
    """One entry for one look at a page that lists clients, naming each client shown.

    The entry has no `client_id`; a row per client in AuditEntryClient names them,
    and the entry's hash covers their ids. The log's client filter finds the entry
    through those rows. Whether the list shows one client or fifty, the append is the
    same four statements (head, entry, its clients, head); no client shown, no entry:
    no client data was seen."""
    # As integers, as the database gives them back to verify_audit.
    ids = sorted({int(client_id) for client_id in client_ids if client_id is not None})
    if not ids:
        return
    common = _common_values(actor, action, part, outcome)
    with transaction.atomic(savepoint=False), hot_cursor() as cursor:
        chain, position, prev_hash, (seq,) = _lock_head(cursor, 1)
        values = {**common, "at": timezone.now(), "client_id": None}
        _link(values, chain, position + 1, seq, prev_hash, ids)
        cursor.execute(_insert_sql(1), _row(values))
        for start in range(0, len(ids), _CLIENT_ROWS_PER_INSERT):
            chunk = ids[start : start + _CLIENT_ROWS_PER_INSERT]
            params = [value for client_id in chunk for value in (seq, client_id)]
            cursor.execute(_client_insert_sql(len(chunk)), params)
        _move_head(cursor, chain, position + 1, values["hash"])
