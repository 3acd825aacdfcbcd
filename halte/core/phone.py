"""Phone numbers: any notation in, E.164 stored, Dutch national format shown."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "NL"
INVALID_PHONE = _("This is not a valid phone number.")
# People write the trunk prefix in brackets after the country code: +31 (0)6 ...
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_TRUNK_IN_BRACKETS = re.compile(r"\(\s*0\s*\)")
# How Dutch writers group the digits after the area (or mobile) code, by their count.
_SUBSCRIBER_GROUPS = {8: (2, 2, 2, 2), 7: (3, 2, 2), 6: (2, 2, 2), 4: (4,)}


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
    """The one notation every page shows: Dutch numbers nationally, grouped as Dutch
    writers do (NEN 1775: 06 12 34 56 78, 033 461 23 45, 0513 12 34 56), others in
    international format (+32 470 12 34 56)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) != DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.national_significant_number(number)
    area = phonenumbers.length_of_national_destination_code(number)
    grouping = _SUBSCRIBER_GROUPS.get(len(national) - area) if area else None
    if grouping is None:  # a shape Dutch writing has no rule for (M2M, short numbers)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    subscriber, groups = national[area:], []
    for size in grouping:
        groups.append(subscriber[:size])
        subscriber = subscriber[size:]
    return " ".join([f"0{national[:area]}", *groups])


def is_mobile(e164: str) -> bool:
    """Whether a text message reaches the number: a Dutch 06 number (not 066, a pager,
    nor 097, machine-to-machine), or a foreign mobile. Where a country's plan does not
    tell mobiles from landlines (the United States, Canada) phonenumbers says
    FIXED_LINE_OR_MOBILE, and it counts."""
    if not _E164.fullmatch(e164 or ""):
        return False
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    if not phonenumbers.is_valid_number(number):
        return False
    kind = phonenumbers.number_type(number)
    if phonenumbers.region_code_for_number(number) == "NL":
        national = phonenumbers.national_significant_number(number)
        return kind == phonenumbers.PhoneNumberType.MOBILE and national.startswith("6")
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
