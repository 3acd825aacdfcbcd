from dataclasses import dataclass

from halte.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry
from halte.clients.queries import client_id_for_number, client_numbers


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


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    next_before: int | None  # the `before` cursor of the next (older) page
    client_id: int | None  # the client filtered on, if any
    unknown_client: bool = False


def audit_page(
    *,
    client_number=None,
    username=None,
    since=None,
    until=None,
    before_seq=None,
    page_size=50,
) -> AuditPage:
    """One page of entries, newest first, by keyset on seq: no COUNT over a huge table.

    Each entry gets `client_number` (the number staff know), looked up in one query.
    """
    client_id = None
    if client_number is not None:
        client_id = client_id_for_number(client_number)
        if client_id is None:
            return AuditPage([], None, None, unknown_client=True)
    entries = audit_entries(client_id=client_id, since=since, until=until)
    if username:
        entries = entries.filter(username=username)
    if before_seq:
        entries = entries.filter(seq__lt=before_seq)
    rows = list(entries[: page_size + 1])
    has_more = len(rows) > page_size
    rows = rows[:page_size]
    ids = {row.client_id for row in rows if row.client_id}
    numbers = client_numbers(ids)
    for row in rows:
        row.client_number = numbers.get(row.client_id, row.client_id)
    return AuditPage(rows, rows[-1].seq if has_more else None, client_id)
