"""Writing to the audit log. Callers pass an Actor; entries join the caller's transaction,
so an entry exists exactly when the change it describes was committed.

Every page view and API call appends here, so the append is three plain SQL
statements (lock the chain head, insert, move the head) rather than ORM queries:
compiling those cost more than running them.

Three ways in: `audit_record` (one entry, at most one client), `audit_record_listing`
(one look at a page, endpoint or export listing clients: one entry naming them all),
and `audit_record_many` (one entry per client, for one change to several clients'
records at once, such as the stale calls closed together: each is its own change).
"""

from functools import cache, lru_cache

from django.db import connection, transaction
from django.utils import timezone

from halte.audit.context import Actor
from halte.audit.labels import check_part
from halte.audit.models import (
    HASHED_FIELDS,
    Action,
    AuditChainHead,
    AuditEntry,
    AuditEntryClient,
    Outcome,
    entry_hash,
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


@cache
def _head_sql() -> str:
    # SQLite's IMMEDIATE transactions already hold the write lock.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return f"SELECT seq, hash FROM {_HEAD_TABLE} WHERE id = 1{lock}"  # noqa: S608


def _lock_head(cursor) -> tuple[int, str]:
    """The chain's last link, locked until the transaction ends."""
    cursor.execute(_head_sql())
    row = cursor.fetchone()
    if row is None:
        AuditChainHead.objects.get_or_create(pk=1)
        cursor.execute(_head_sql())
        row = cursor.fetchone()
    return row


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


def _move_head(cursor, seq: int, hash_: str) -> None:
    cursor.execute(
        f"UPDATE {_HEAD_TABLE} SET seq = %s, hash = %s WHERE id = 1",  # noqa: S608
        [seq, hash_],
    )


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
    than model instances, and holds the chain's lock, which serialises all writers,
    only for what needs it: the time, the sequence numbers and the hashes."""
    client_ids = list(client_ids)
    if not client_ids:
        return
    common = _common_values(actor, action, part, outcome)
    # savepoint=False: a failed append fails the caller's transaction as a whole.
    with transaction.atomic(savepoint=False), hot_cursor() as cursor:
        seq, prev_hash = _lock_head(cursor)
        common["at"] = timezone.now()  # under the lock: time order is chain order
        params = []
        for client_id in client_ids:
            seq += 1
            values = {**common, "seq": seq, "client_id": client_id, "prev_hash": prev_hash}
            values["hash"] = prev_hash = entry_hash(values)
            params += _row(values)
        cursor.execute(_insert_sql(len(client_ids)), params)
        _move_head(cursor, seq, prev_hash)


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
        seq, prev_hash = _lock_head(cursor)
        seq += 1
        values = {
            **common,
            "at": timezone.now(),
            "seq": seq,
            "client_id": None,
            "prev_hash": prev_hash,
        }
        values["hash"] = entry_hash(values, ids)
        cursor.execute(_insert_sql(1), _row(values))
        for start in range(0, len(ids), _CLIENT_ROWS_PER_INSERT):
            chunk = ids[start : start + _CLIENT_ROWS_PER_INSERT]
            params = [value for client_id in chunk for value in (seq, client_id)]
            cursor.execute(_client_insert_sql(len(chunk)), params)
        _move_head(cursor, seq, values["hash"])
