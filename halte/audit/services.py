"""Writing to the audit log. Callers pass an Actor; entries join the caller's transaction,
so an entry exists exactly when the change it describes was committed.

Every page view and API call appends here, so the append is three plain SQL
statements (lock the chain head, insert, move the head) rather than ORM queries:
compiling those cost more than running them. Values still go through each field's
own database preparation, so what is stored is what the ORM would store.
"""

from functools import cache

from django.db import connection, transaction
from django.utils import timezone

from halte.audit.context import Actor
from halte.audit.models import Action, AuditChainHead, AuditEntry, Outcome

_ENTRY_FIELDS = [
    AuditEntry._meta.get_field(name)
    for name in (
        "seq",
        "at",
        "user_id",
        "username",
        "role",
        "on_behalf_of",
        "client_id",
        "action",
        "part",
        "outcome",
        "source_ip",
        "purpose",
        "prev_hash",
        "hash",
    )
]
_ENTRY_TABLE = AuditEntry._meta.db_table
_HEAD_TABLE = AuditChainHead._meta.db_table


@cache
def _insert_sql(rows: int) -> str:
    """One INSERT of `rows` entries that returns their ids and sequence numbers (SQLite
    3.35+, PostgreSQL); written once per number of rows."""
    columns = ", ".join(connection.ops.quote_name(f.column) for f in _ENTRY_FIELDS)
    values = ", ".join(["(" + ", ".join(["%s"] * len(_ENTRY_FIELDS)) + ")"] * rows)
    return f"INSERT INTO {_ENTRY_TABLE} ({columns}) VALUES {values} RETURNING id, seq"  # noqa: S608


def _lock_head(cursor) -> tuple[int, str]:
    """The chain's last link, locked until the transaction ends (SQLite's IMMEDIATE
    transactions already hold the write lock)."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    cursor.execute(f"SELECT seq, hash FROM {_HEAD_TABLE} WHERE id = 1{lock}")  # noqa: S608
    row = cursor.fetchone()
    if row is None:
        AuditChainHead.objects.get_or_create(pk=1)
        cursor.execute(f"SELECT seq, hash FROM {_HEAD_TABLE} WHERE id = 1{lock}")  # noqa: S608
        row = cursor.fetchone()
    return row


def _entry(actor: Actor, *, seq: int, prev_hash: str, at, **fields) -> AuditEntry:
    entry = AuditEntry(
        seq=seq,
        at=at,
        user_id=actor.user.pk if actor.user is not None else None,
        username=actor.username,
        role=actor.role,
        on_behalf_of=actor.on_behalf_of,
        source_ip=actor.source_ip,
        purpose=actor.effective_purpose,
        prev_hash=prev_hash,
        **fields,
    )
    entry.hash = entry.compute_hash()
    return entry


def _row(entry: AuditEntry) -> list:
    return [f.get_db_prep_value(getattr(entry, f.attname), connection) for f in _ENTRY_FIELDS]


def audit_record(
    actor: Actor,
    *,
    action: Action,
    part: str,
    client_id: int | None = None,
    outcome: Outcome = Outcome.SUCCESS,
) -> AuditEntry:
    """Append one entry. `part` names which part of the record, never its content."""
    [entry] = audit_record_many(
        actor, action=action, part=part, client_ids=[client_id], outcome=outcome
    )
    return entry


@transaction.atomic
def audit_record_many(
    actor: Actor,
    *,
    action: Action,
    part: str,
    client_ids,
    outcome: Outcome = Outcome.SUCCESS,
) -> list[AuditEntry]:
    """One entry per client (None: no client), appended in one insert: a lookup that
    shows many clients costs the same statements as one that shows a single client."""
    client_ids = list(client_ids)
    if not client_ids:
        return []
    with connection.cursor() as cursor:
        seq, prev_hash = _lock_head(cursor)
        now, entries = timezone.now(), []
        for client_id in client_ids:
            seq += 1
            entry = _entry(
                actor,
                seq=seq,
                prev_hash=prev_hash,
                at=now,
                client_id=client_id,
                action=action,
                part=part,
                outcome=outcome,
            )
            entries.append(entry)
            prev_hash = entry.hash
        cursor.execute(
            _insert_sql(len(entries)), [value for entry in entries for value in _row(entry)]
        )
        # RETURNING's row order is not promised, so ids are matched by sequence.
        ids = {seq_: pk for pk, seq_ in cursor.fetchall()}
        for entry in entries:
            entry.pk = ids[entry.seq]
            entry._state.adding, entry._state.db = False, connection.alias
        cursor.execute(
            f"UPDATE {_HEAD_TABLE} SET seq = %s, hash = %s WHERE id = 1",  # noqa: S608
            [seq, prev_hash],
        )
    return entries
