"""Languages a client may speak, as ISO 639-1 codes, named in the interface language."""

from functools import cache

from babel import Locale
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

UNKNOWN_LANGUAGE = _("Unknown language code; use an ISO 639-1 code such as nl, en, tr, ar or pl.")


@cache
def _names(locale: str) -> dict[str, str]:
    return {
        code: name
        for code, name in Locale.parse(locale).languages.items()
        if len(code) == 2 and code.isalpha()
    }


def codes() -> frozenset[str]:
    return frozenset(_names("en"))


def validate(code: str) -> str:
    code = (code or "").strip().lower()
    if code not in codes():
        raise ValidationError(UNKNOWN_LANGUAGE, code="unknown_language")
    return code


def name(code: str) -> str:
    locale = "nl" if (get_language() or "nl").startswith("nl") else "en"
    return _names(locale).get(code, code)


def choices() -> list[tuple[str, str]]:
    """Dutch first (the common case), then alphabetical by name."""
    others = sorted((c for c in codes() if c != "nl"), key=name)
    return [(c, name(c)) for c in ["nl", *others]]
