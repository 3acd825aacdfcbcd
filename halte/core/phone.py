"""Phone numbers: any notation in, E.164 stored, Dutch national format shown."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "NL"
INVALID_PHONE = _("This is not a valid phone number.")
# People write the trunk prefix in brackets after the country code: +31 (0)6 ...
_TRUNK_IN_BRACKETS = re.compile(r"\(\s*0\s*\)")


def normalize(raw: str) -> str:
    """Return the E.164 form of a phone number in any notation, or raise ValidationError."""
    text = (raw or "").strip()
    if text.lower().startswith("tel:"):
        text = text[4:]
    text = _TRUNK_IN_BRACKETS.sub("", text)
    if not text or len(text) > 40:
        raise ValidationError(INVALID_PHONE, code="invalid_phone")
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(INVALID_PHONE, code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALID_PHONE, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalize(raw: str) -> str | None:
    try:
        return normalize(raw)
    except ValidationError:
        return None


def display(e164: str) -> str:
    """Dutch numbers in national format (06 12345678), others internationally."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
