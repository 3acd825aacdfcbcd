"""Writing to the audit log. Callers pass an Actor; entries join the caller's transaction,
so an entry exists exactly when the change it describes was committed."""

from django.db import transaction
from django.utils import timezone

from halte.audit.context import Actor
from halte.audit.models import Action, AuditChainHead, AuditEntry, Outcome


def _head_for_update() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head, _ = AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


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


@transaction.atomic
def audit_record(
    actor: Actor,
    *,
    action: Action,
    part: str,
    client_id: int | None = None,
    outcome: Outcome = Outcome.SUCCESS,
) -> AuditEntry:
    """Append one entry. `part` names which part of the record, never its content."""
    head = _head_for_update()
    entry = _entry(
        actor,
        seq=head.seq + 1,
        prev_hash=head.hash,
        at=timezone.now(),
        client_id=client_id,
        action=action,
        part=part,
        outcome=outcome,
    )
    entry.save(force_insert=True)
    head.seq, head.hash = entry.seq, entry.hash
    head.save(update_fields=["seq", "hash"])
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
    """One entry per client, appended in one insert: a lookup that shows many
    clients costs the same queries as one that shows a single client."""
    client_ids = list(client_ids)
    if not client_ids:
        return []
    head = _head_for_update()
    now = timezone.now()
    entries = []
    seq, prev_hash = head.seq, head.hash
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
    AuditEntry.objects.bulk_create(entries)
    head.seq, head.hash = seq, prev_hash
    head.save(update_fields=["seq", "hash"])
    return entries
