"""The audit log's periodic work: anchoring the chain heads outside the database."""

from django.conf import settings
from django_tasks import task

from halte.audit import anchors


@task()
def anchor_chains(since: str, until: str) -> int | None:
    """Each slot: one signed line with every chain's head in the anchor file. A slot
    run twice writes one line; without AUDIT_ANCHOR_FILE (development) nothing."""
    if not settings.AUDIT_ANCHOR_FILE:
        return None
    line = anchors.append_anchor(settings.AUDIT_ANCHOR_FILE, slot=until)
    return line["n"] if line else None
