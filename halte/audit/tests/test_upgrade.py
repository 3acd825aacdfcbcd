"""An installation upgraded from the plain SHA-256 chain: its entries become chain 1
and still verify, sealed by the first keyed entry after them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from halte.audit.context import Actor
from halte.audit.models import LEGACY_HASHED_FIELDS, Action, AuditEntry, entry_hash
from halte.audit.queries import verify_chain
from halte.audit.services import audit_record

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("audit", "0004_entry_clients_and_filter_indexes")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def _write_old_chain(apps, count: int) -> None:
    """Entries as the code before 0005 wrote them: seq 1..n, one head."""
    entry_model = apps.get_model("audit", "AuditEntry")
    head_model = apps.get_model("audit", "AuditChainHead")
    prev_hash = "0" * 64
    for seq in range(1, count + 1):
        values = {
            "seq": seq,
            "at": timezone.now(),
            "user_id": None,
            "username": "kcc",
            "role": "front_office",
            "on_behalf_of": "",
            "client_id": seq,
            "action": "read",
            "part": "card",
            "outcome": "success",
            "source_ip": "192.0.2.1",
            "purpose": "contact",
            "prev_hash": prev_hash,
        }
        assert set(values) == set(LEGACY_HASHED_FIELDS)
        prev_hash = entry_hash(values)
        entry_model.objects.create(**values, hash=prev_hash)
    head_model.objects.create(pk=1, seq=count, hash=prev_hash)


def test_entries_from_before_the_key_verify_after_the_upgrade(personas):
    executor = _migrate([BEFORE])
    try:
        _write_old_chain(executor.loader.project_state([BEFORE]).apps, 3)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    old = list(AuditEntry.objects.order_by("seq").values_list("chain", "position", "key_id"))
    assert old == [(1, 1, ""), (1, 2, ""), (1, 3, "")]
    assert "no keyed entry after them" in verify_chain().problem
    audit_record(Actor(personas["front_office"]), action=Action.READ, part="card", client_id=4)
    report = verify_chain()
    assert report.problem is None
    assert (report.checked, report.legacy, report.chains[1][0]) == (4, 3, 4)
    newest = AuditEntry.objects.order_by("-seq").first()
    assert (newest.chain, newest.position, newest.key_id) == (1, 4, "1")
    assert newest.seq > 3
