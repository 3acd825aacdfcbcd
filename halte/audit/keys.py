"""The audit log's secrets, read from the environment by settings.py.

- The chain key (AUDIT_CHAIN_KEY, with its id AUDIT_CHAIN_KEY_ID): every entry's hash
  is an HMAC-SHA256 under it. It lives outside the database, so someone who can only
  change the database cannot compute a valid hash for a changed entry. Old keys stay
  in AUDIT_CHAIN_OLD_KEYS ("id:key,id:key") so that entries written under them
  still verify; each entry records the id of its key.
- The anchor signing key (AUDIT_ANCHOR_SIGNING_KEY, Ed25519, the 32 raw bytes in
  base64): signs each line of the anchor file. The public key alone verifies them,
  so a second machine holding a copy of the file can check it without being able
  to forge a line.

No Django models here: settings.py imports it.
"""

import base64
import binascii
import hashlib
import re

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.exceptions import ImproperlyConfigured

KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,16}")
MIN_CHAIN_KEY_LENGTH = 32

DEV_CHAIN_KEY = "development-only-audit-chain-key-never-in-production"
# 32 bytes, base64: the development anchor signing key (never in production).
DEV_ANCHOR_SIGNING_KEY = base64.b64encode(
    hashlib.sha256(b"halte development-only anchor signing key").digest()
).decode()


def parse_old_chain_keys(text: str) -> dict[str, str]:
    """AUDIT_CHAIN_OLD_KEYS: `id:key` pairs separated by commas."""
    keys: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key_id, sep, key = (part.strip() for part in item.partition(":"))
        if not sep or not KEY_ID.fullmatch(key_id) or not key:
            raise ImproperlyConfigured(
                "AUDIT_CHAIN_OLD_KEYS holds id:key pairs separated by commas (an id is 1-16"
                " letters, digits, '.', '_' or '-')."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"AUDIT_CHAIN_OLD_KEYS names key id {key_id!r} twice.")
        keys[key_id] = key
    return keys


def chain_keys(
    current_id: str,
    current: str,
    old: dict[str, str],
    *,
    production: bool,
    other_secrets: dict[str, str],
) -> dict[str, str]:
    """Every chain key by its id, the current one included; in production refuses a
    short key, the development key, or a key that is also another secret (each secret
    has its own rotation, and a leak of one must not open the others)."""
    if not KEY_ID.fullmatch(current_id):
        raise ImproperlyConfigured("AUDIT_CHAIN_KEY_ID is 1-16 letters, digits, '.', '_' or '-'.")
    if current_id in old:
        raise ImproperlyConfigured(
            f"AUDIT_CHAIN_OLD_KEYS names the current key id {current_id!r}: give a rotated"
            " key a new id."
        )
    if production:
        for key_id, key in {current_id: current, **old}.items():
            if len(key) < MIN_CHAIN_KEY_LENGTH or key == DEV_CHAIN_KEY:
                raise ImproperlyConfigured(
                    f"AUDIT_CHAIN_KEY (id {key_id!r}) must be a random string of at least"
                    f" {MIN_CHAIN_KEY_LENGTH} characters."
                )
            for name, secret in other_secrets.items():
                if key == secret:
                    raise ImproperlyConfigured(
                        f"AUDIT_CHAIN_KEY (id {key_id!r}) must differ from {name}."
                    )
    return {**old, current_id: current}


def signing_key(text: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from the base64 of its 32 raw bytes."""
    raw = _base64_32(text, "AUDIT_ANCHOR_SIGNING_KEY")
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_base64_32(text, "an anchor public key"))


def public_key_text(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def key_fingerprint(key: Ed25519PublicKey) -> str:
    """A short id of a public key, written on each anchor line it signs."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def new_signing_key() -> tuple[str, str]:
    """A fresh (private, public) pair, both base64 of the raw 32 bytes."""
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(raw).decode(), public_key_text(private.public_key())


def _base64_32(text: str, name: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{name} must be 32 bytes in base64 (44 characters).")
    return raw
