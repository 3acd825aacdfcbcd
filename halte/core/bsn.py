"""The BSN (burgerservicenummer): validated by the 11-proef, never stored in plain text.

The database holds a Fernet token (encrypted, authenticated) to show it back and a
keyed hash to find duplicates; a dump shows neither the number nor a way to guess
it without the key.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import bsn as stdnum_bsn

INVALID_BSN = _("This is not a valid BSN (it fails the 11-proef).")


def validate(raw: str) -> str:
    """Return the compact 9-digit BSN, or raise ValidationError."""
    try:
        return stdnum_bsn.validate(raw or "")
    except StdnumError:
        raise ValidationError(INVALID_BSN, code="invalid_bsn") from None


def _key(purpose: bytes) -> bytes:
    return hmac.new(settings.FIELD_ENCRYPTION_KEY.encode(), purpose, hashlib.sha256).digest()


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key(b"halte.bsn.encryption")))


def encrypt(bsn: str) -> str:
    return _fernet().encrypt(bsn.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("The BSN cannot be decrypted with the configured key.") from None


def lookup_hash(bsn: str) -> str:
    return hmac.new(_key(b"halte.bsn.lookup"), bsn.encode(), hashlib.sha256).hexdigest()


def mask(bsn: str) -> str:
    return "•" * 6 + bsn[-3:]
