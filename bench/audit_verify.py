"""How fast `verify_audit` walks the keyed chains, in entries per second.

    .venv/bin/python bench/audit_verify.py [--entries N] [--database-url URL]

Appends N entries (through the real append, 1,000 to a transaction, spread over the
configured chains) to an empty audit log in its own database (default: a SQLite file
in bench/results), anchors the heads, then times verify_chain() with the anchors.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{results}/audit-verify.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halte.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from halte.audit import anchors
    from halte.audit.context import Actor
    from halte.audit.models import AuditEntry
    from halte.audit.queries import verify_chain
    from halte.audit.services import audit_record_many

    call_command("migrate", verbosity=0)
    if AuditEntry.objects.count() != args.entries:
        _empty(connection)
        actor = Actor.system("bench", source_ip="192.0.2.1")
        started = time.monotonic()
        for start in range(0, args.entries, 1000):
            ids = range(start, min(start + 1000, args.entries))
            connection.halte_audit_chain = 1 + (start // 1000) % 8
            audit_record_many(actor, action="read", part="card", client_ids=ids)
        print(f"appended {args.entries:,} in {time.monotonic() - started:.1f} s")
    path = Path(tempfile.mkdtemp()) / "anchors.jsonl"
    anchors.append_anchor(path)
    lines = anchors.read_anchors(path, anchors.public_keys())
    started = time.monotonic()
    report = verify_chain(anchors=lines)
    seconds = time.monotonic() - started
    assert report.problem is None, report.problem
    print(
        f"{connection.vendor}: verified {report.checked:,} entries in {len(report.chains)}"
        f" chains in {seconds:.1f} s: {report.checked / seconds:,.0f} entries/s"
    )


def _empty(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "TRUNCATE audit_auditentry, audit_auditentryclient, audit_auditchainhead"
            )
        else:
            for table in ("audit_auditentry", "audit_auditentryclient", "audit_auditchainhead"):
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - our own table names


if __name__ == "__main__":
    main()
