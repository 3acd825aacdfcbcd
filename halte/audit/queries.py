from dataclasses import dataclass

from halte.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry


def audit_entries(*, client_id=None, user_id=None, since=None, until=None):
    """Entries for the privacy officer's page, newest first, filtered by the indexed fields."""
    entries = AuditEntry.objects.all()
    if client_id is not None:
        entries = entries.filter(client_id=client_id)
    if user_id is not None:
        entries = entries.filter(user_id=user_id)
    if since is not None:
        entries = entries.filter(at__gte=since)
    if until is not None:
        entries = entries.filter(at__lt=until)
    return entries.order_by("-seq")


@dataclass
class ChainReport:
    checked: int
    problem: str | None  # None when the chain is intact


def verify_chain(chunk_size: int = 5000) -> ChainReport:
    """Walk the whole chain: every link present, every hash matching its fields."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return ChainReport(checked, f"entry {expected_seq} is missing (next is {entry.seq})")
        if entry.prev_hash != prev_hash:
            return ChainReport(checked, f"entry {entry.seq} does not follow entry {entry.seq - 1}")
        if entry.compute_hash() != entry.hash:
            return ChainReport(checked, f"entry {entry.seq} was changed after it was written")
        expected_seq, prev_hash, checked = entry.seq + 1, entry.hash, checked + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) != (checked, prev_hash):
        return ChainReport(checked, f"the log ends at entry {checked}, but {head_seq} were written")
    return ChainReport(checked, None)
