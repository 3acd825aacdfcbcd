"""The telephone system's webhook signature: HMAC-SHA256 of the raw body.

The telephone system has no user and no token; it proves itself by signing each
request with the shared secret in settings.TELEPHONY_WEBHOOK_SECRET:

    X-Halte-Signature: sha256=<hex HMAC-SHA256 of the raw request body>

The signature is checked before the body is parsed, so an unsigned request learns
nothing, not even whether its JSON was valid.
"""

import hashlib
import hmac

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyHeader

from halte.audit.context import Actor
from halte.contact.services import TELEPHONY
from halte.core.api.errors import ApiError

SIGNATURE_HEADER = "X-Halte-Signature"
SIGNATURE_PREFIX = "sha256="
BAD_SIGNATURE = _(
    "The X-Halte-Signature header is missing or does not match the body: send "
    "sha256=<hex HMAC-SHA256 of the raw body> made with the shared secret."
)


def sign(body: bytes, secret: str) -> str:
    """The header value for `body`, as the telephone system makes it."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def signature_valid(body: bytes, header: str | None, secret: str) -> bool:
    if not header or not secret:
        return False
    # Bytes, so that a header with non-ASCII characters is a mismatch, not a TypeError.
    return hmac.compare_digest(sign(body, secret).encode(), header.strip().lower().encode())


class TelephonySignature(APIKeyHeader):
    """Authentication of the webhook: a valid signature, else 401 before anything is read."""

    param_name = SIGNATURE_HEADER

    def authenticate(self, request, key):
        # request.body raises RequestDataTooBig (413) over DATA_UPLOAD_MAX_MEMORY_SIZE.
        if not signature_valid(request.body, key, settings.TELEPHONY_WEBHOOK_SECRET):
            raise ApiError(401, BAD_SIGNATURE)
        request.actor = Actor.system(TELEPHONY, source_ip=request.META.get("REMOTE_ADDR") or None)
        return TELEPHONY
