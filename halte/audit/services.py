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
    entry = AuditEntry(
        seq=head.seq + 1,
        at=timezone.now(),
        user_id=actor.user.pk if actor.user is not None else None,
        username=actor.username,
        role=actor.role,
        on_behalf_of=actor.on_behalf_of,
        client_id=client_id,
        action=action,
        part=part,
        outcome=outcome,
        source_ip=actor.source_ip,
        purpose=actor.effective_purpose,
        prev_hash=head.hash,
    )
    entry.hash = entry.compute_hash()
    entry.save(force_insert=True)
    head.seq, head.hash = entry.seq, entry.hash
    head.save(update_fields=["seq", "hash"])
    return entry
