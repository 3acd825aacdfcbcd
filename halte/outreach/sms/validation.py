"""What may go out as a text message: the number (a mobile) and the text's length.

The composer calls these before it queues an SMS, so that a landline or a text of
too many parts is caught before the outbox, not at the gateway.

Length is counted the way the networks (and CM.com's `"type": "auto"`) do it: a text
wholly in the GSM 03.38 alphabet goes as GSM-7, 160 septets in one part or 153 per
part when split (the rest of each part carries the header that joins them); the
characters of the extension table (€ [ ] { } ~ | ^ \\ and form feed) take two
septets. One character outside the alphabet (ë, ï, curly quotes, an emoji) sends the
whole text as UCS-2: 70 UTF-16 units in one part, 67 per part when split. A part
never ends inside an escape pair or a surrogate pair."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from halte.core.phone import is_mobile

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
GSM7 = "gsm7"
UCS2 = "ucs2"

# GSM 03.38 basic character set, in code order (0x1B, the escape, left out).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
) - {"\x1b"}
# The extension table: each is sent as escape + code, two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

_SINGLE = {GSM7: 160, UCS2: 70}
_PART = {GSM7: 153, UCS2: 67}
# CM.com accepts at most 8 parts per message (maximumNumberOfMessageParts).
MAX_SEGMENTS_LIMIT = 8


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # GSM7 or UCS2
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def _unit_sizes(text: str) -> tuple[str, list[int]]:
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        return GSM7, [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return UCS2, [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def measure(text: str) -> SmsLength:
    """The encoding, size and number of parts `text` is sent as."""
    encoding, sizes = _unit_sizes(text)
    units = sum(sizes)
    if units == 0:
        return SmsLength(encoding, 0, 0)
    if units <= _SINGLE[encoding]:
        return SmsLength(encoding, units, 1)
    # Fill parts greedily; a character's units stay together in one part.
    segments, room = 1, _PART[encoding]
    for size in sizes:
        if size > room:
            segments, room = segments + 1, _PART[encoding]
        room -= size
    return SmsLength(encoding, units, segments)


def max_segments() -> int:
    return min(settings.SMS_MAX_SEGMENTS, MAX_SEGMENTS_LIMIT)


def check_text(text: str) -> SmsLength:
    """Measure `text`, or raise ValidationError coded sms_text_empty or
    sms_text_too_long (with the parts counted and allowed)."""
    text = text or ""
    length = measure(text)
    if not text.strip():
        raise ValidationError(_("The text message is empty."), code="sms_text_empty")
    limit = max_segments()
    if length.segments > limit:
        raise ValidationError(
            ngettext_lazy(
                "This text message would be sent in %(segments)d parts; at most %(limit)d "
                "part is allowed.",
                "This text message would be sent in %(segments)d parts; at most %(limit)d "
                "parts are allowed.",
                "limit",
            ),
            code="sms_text_too_long",
            params={"segments": length.segments, "limit": limit},
        )
    return length


def is_sms_capable(e164: str) -> bool:
    """Whether a text message reaches `e164` (halte.core.phone.is_mobile: the one rule,
    also used when choosing a recipient's channel and checking a preferred channel)."""
    return is_mobile(e164)


def check_number(e164: str) -> None:
    """Raise ValidationError coded sms_not_mobile unless a text message reaches `e164`."""
    if not is_sms_capable(e164):
        raise ValidationError(
            _("A text message cannot be sent to this number: it is not a mobile number."),
            code="sms_not_mobile",
        )
