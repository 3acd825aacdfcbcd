"""Anchors: the heads of every chain, written outside the database.

Someone who can write the database but holds none of the server's keys can still
cut off the newest entries of a chain and move its head back: what is left is a
valid chain. The anchor file notices: at a fixed interval (the `audit_anchor`
periodic job) and on demand (`manage.py anchor_audit`) a line is appended with each
chain's position and hash. `verify_audit` then demands that every anchored entry is
still in its chain with the same hash, so no chain is shorter than its last anchor.

The file is JSON lines, append-only. Each line holds its number, the time, the heads,
the SHA-256 of the line before it (a chain of its own, so no line can be dropped or
changed unnoticed) and an Ed25519 signature by AUDIT_ANCHOR_SIGNING_KEY. The public
key alone verifies the file, so a log shipper or a second machine can hold and check
copies without being able to forge a line. A copy elsewhere is what makes the file
worth having: whoever has the server can rewrite the file on it, not the copies.
"""

import base64
import datetime
import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from halte.audit import keys
from halte.audit.models import AuditChainHead

FIRST_PREV = "0" * 64
# Reading the last line: anchors are a few hundred bytes per chain.
_TAIL_BYTES = 64 * 1024


@dataclass(frozen=True)
class Anchor:
    """One verified line of the anchor file."""

    number: int
    at: str
    heads: tuple[tuple[int, int, str], ...]  # (chain, position, hash)


class AnchorFileError(Exception):
    """The anchor file is not as it was written: names the line and what is wrong."""


def _canonical(fields: dict) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def current_heads() -> list[tuple[int, int, str]]:
    """Every chain's committed head: (chain, position, hash), by chain."""
    rows = AuditChainHead.objects.order_by("pk").values_list("pk", "position", "hash")
    return [(chain, position, hash_) for chain, position, hash_ in rows]


def signing_key():
    return keys.signing_key(settings.AUDIT_ANCHOR_SIGNING_KEY)


def public_keys(extra=()) -> list[Ed25519PublicKey]:
    """The keys anchor lines may be signed with: the current signing key's, the
    earlier ones in AUDIT_ANCHOR_PUBLIC_KEYS, and any given."""
    found = [signing_key().public_key()]
    found += [keys.public_key(text) for text in (*settings.AUDIT_ANCHOR_PUBLIC_KEYS, *extra)]
    return found


def _last_line(handle) -> bytes | None:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(max(0, size - _TAIL_BYTES))
    lines = handle.read().splitlines()
    return lines[-1] if lines else None


def append_anchor(path: str | Path, *, slot: str | None = None, private_key=None) -> dict | None:
    """Append one signed line with the heads of every chain; returns it, or None when
    the last line already anchors this `slot` (a periodic slot run twice). The file is
    locked while its last line is read and the new one written, and synced to disk."""
    private_key = private_key or signing_key()
    heads = current_heads()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        last = _last_line(handle)
        previous = json.loads(last) if last else None
        if slot is not None and previous is not None and previous.get("slot") == slot:
            return None
        fields = {
            "n": previous["n"] + 1 if previous else 1,
            "at": timezone.now().astimezone(datetime.UTC).isoformat(timespec="microseconds"),
            "slot": slot,
            "heads": [list(head) for head in heads],
            "prev": hashlib.sha256(last).hexdigest() if last else FIRST_PREV,
            "key": keys.key_fingerprint(private_key.public_key()),
        }
        signature = private_key.sign(_canonical(fields))
        line = {**fields, "sig": base64.b64encode(signature).decode()}
        handle.write(_canonical(line) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    return line


def read_anchors(path: str | Path, public_key_list) -> list[Anchor]:
    """Every line of the anchor file, checked: well formed, numbered 1, 2, ...,
    each linked to the one before and signed by one of `public_key_list`. Raises
    AnchorFileError at the first line that is not."""
    by_fingerprint = {keys.key_fingerprint(key): key for key in public_key_list}
    anchors, prev = [], FIRST_PREV
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            text = raw.rstrip(b"\n")
            anchors.append(_checked_line(number, text, prev, by_fingerprint))
            prev = hashlib.sha256(text).hexdigest()
    return anchors


def _checked_line(number: int, text: bytes, prev: str, by_fingerprint) -> Anchor:
    where = f"anchor line {number}"
    try:
        line = json.loads(text)
        fields = {name: line[name] for name in ("n", "at", "slot", "heads", "prev", "key")}
        signature = base64.b64decode(line["sig"], validate=True)
        heads = tuple((int(c), int(p), str(h)) for c, p, h in fields["heads"])
    except (ValueError, KeyError, TypeError) as error:
        raise AnchorFileError(f"{where} is not a well-formed anchor ({error})") from None
    if fields["n"] != number:
        raise AnchorFileError(f"{where} is numbered {fields['n']}: a line was removed or added")
    if fields["prev"] != prev:
        raise AnchorFileError(f"{where} does not follow line {number - 1}")
    key = by_fingerprint.get(fields["key"])
    if key is None:
        raise AnchorFileError(f"{where} is signed by key {fields['key']}, which is not known")
    try:
        key.verify(signature, _canonical(fields))
    except InvalidSignature:
        raise AnchorFileError(f"{where} does not match its signature") from None
    return Anchor(number, fields["at"], heads)
