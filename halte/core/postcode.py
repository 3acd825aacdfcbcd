"""Dutch postcodes: '1234 AB' shown, '1234AB' stored."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INVALID_POSTCODE = _("Enter a Dutch postcode like 1234 AB.")
# Four digits not starting with 0, two letters; SA, SD and SS are never issued.
_POSTCODE = re.compile(r"^([1-9][0-9]{3})\s?([A-Z]{2})$")


def normalize(raw: str) -> str:
    match = _POSTCODE.match((raw or "").strip().upper())
    if not match or match.group(2) in {"SA", "SD", "SS"}:
        raise ValidationError(INVALID_POSTCODE, code="invalid_postcode")
    return match.group(1) + match.group(2)


def display(stored: str) -> str:
    return f"{stored[:4]} {stored[4:]}" if len(stored) == 6 else stored
