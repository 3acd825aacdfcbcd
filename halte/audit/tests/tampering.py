"""Tampering with the audit log as someone with database access would: raw SQL, past
the models, and on PostgreSQL past the triggers too (as the tables' owner could)."""

from django.db import connection

from halte.audit.models import (
    HASHED_FIELDS,
    LEGACY_HASHED_FIELDS,
    AuditChainHead,
    AuditEntry,
    entry_hash,
)

_TABLES = ("audit_auditentry", "audit_auditentryclient", "audit_auditchainhead")


def raw_sql(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def tamper(sql, params=()):
    """One statement with the tables' own triggers off (PostgreSQL) for its length."""
    if connection.vendor == "postgresql":
        for table in _TABLES:
            raw_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    raw_sql(sql, params)
    if connection.vendor == "postgresql":
        for table in _TABLES:
            raw_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def chain_entries(chain=1) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(chain=chain).order_by("position"))


def rewrite_chain(
    chain: int, from_position: int, change: dict, hasher, last=None, every=None
) -> str:
    """Change the entry at `from_position`, then give it and every later entry of the
    chain a fresh hash from `hasher(values)` linked as before, and move the head:
    what passed `verify_audit` while the hash was a plain SHA-256. With `last`, only
    up to that position, and the head stays; `every` changes every entry rewritten.
    Returns the last hash written."""
    entries = chain_entries(chain)
    prev_hash = entries[from_position - 2].hash if from_position > 1 else "0" * 64
    for entry in entries[from_position - 1 : last]:
        for name, value in {
            **(every or {}),
            **(change if entry.position == from_position else {}),
        }.items():
            setattr(entry, name, value)
        entry.prev_hash = prev_hash
        entry.hash = prev_hash = hasher(entry)
        tamper(
            "UPDATE audit_auditentry SET part = %s, key_id = %s, prev_hash = %s, hash = %s"
            " WHERE seq = %s",
            [entry.part, entry.key_id, entry.prev_hash, entry.hash, entry.seq],
        )
    if last is None:
        tamper("UPDATE audit_auditchainhead SET hash = %s WHERE id = %s", [prev_hash, chain])
    return prev_hash


def plain_sha256(entry: AuditEntry) -> str:
    """The attacker's hash: today's formula over every field the entry has."""
    return entry_hash({name: getattr(entry, name) for name in HASHED_FIELDS})


def legacy_sha256(entry: AuditEntry) -> str:
    return entry_hash({name: getattr(entry, name) for name in LEGACY_HASHED_FIELDS})


def move_head(chain: int, position: int, hash_: str) -> None:
    tamper(
        "UPDATE audit_auditchainhead SET position = %s, hash = %s WHERE id = %s",
        [position, hash_, chain],
    )


def head(chain=1) -> tuple[int, str]:
    found = AuditChainHead.objects.get(pk=chain)
    return found.position, found.hash
