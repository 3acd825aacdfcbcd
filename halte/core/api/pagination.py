"""Opaque list cursors: the next page, its size and which query it belongs to."""

import base64
import binascii
import hashlib
import json

from django.utils.translation import gettext_lazy as _

from halte.core.api.errors import ApiError

INVALID_CURSOR = _("This cursor is not valid for this query.")
# Deep enough for any person paging; it keeps the database's OFFSET bounded.
MAX_PAGE = 10_000


def _fingerprint(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()[:16]


def encode_cursor(*, query: str, page: int, size: int) -> str:
    data = json.dumps({"q": _fingerprint(query), "p": page, "s": size}, separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, query: str, max_size: int) -> tuple[int, int]:
    """(page, size) from a cursor that `encode_cursor` made for `query`; else 400."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        page, size, fingerprint = data["p"], data["s"], data["q"]
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise ApiError(400, INVALID_CURSOR, {"cursor": [INVALID_CURSOR]}) from None
    valid = (
        fingerprint == _fingerprint(query)
        and type(page) is int
        and 1 <= page <= MAX_PAGE
        and type(size) is int
        and 1 <= size <= max_size
    )
    if not valid:
        raise ApiError(400, INVALID_CURSOR, {"cursor": [INVALID_CURSOR]})
    return page, size
