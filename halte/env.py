"""Strict parsers for settings from environment variables.

A bad value stops the process with a message naming the variable, instead of
starting with a setting nobody meant.
"""

import datetime
import os
import urllib.parse
import zoneinfo

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"{name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    items = [item.strip() for item in value.split(",")]
    if any(item == "" for item in items):
        raise ImproperlyConfigured(f"{name} is a comma-separated list without empty items.")
    return items


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, "").strip() or default
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name} must be one of {allowed}, not {value!r}.")
    return value


def env_timezone(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip() or default
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name} is not a known time zone: {value!r}.") from None
    return value


def env_redis_url(name: str, default: str) -> tuple[str, int]:
    """A Redis URL (redis://, rediss:// or unix://) and the database number in it."""
    value = os.environ.get(name, "").strip() or default
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in {"redis", "rediss", "unix"} or not (parts.hostname or parts.path):
        raise ImproperlyConfigured(
            f"{name} must be a redis://host:port/db URL (or rediss://, unix://), not {value!r}."
        )
    if parts.scheme == "unix":
        number = urllib.parse.parse_qs(parts.query).get("db", ["0"])[0]
    else:
        number = parts.path.lstrip("/") or "0"
    if not number.isdigit():
        raise ImproperlyConfigured(f"{name}: the database must be a number, not {number!r}.")
    return value, int(number)


def env_time(name: str, default: str) -> datetime.time:
    """A time of day written HH:MM."""
    value = os.environ.get(name, "").strip() or default
    try:
        return datetime.datetime.strptime(value, "%H:%M").time()
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a time of day as HH:MM, not {value!r}."
        ) from None


# The shortest secret key production accepts and how many different characters it
# must hold: `python -c "import secrets; print(secrets.token_urlsafe(48))"` gives 64
# characters with about 40 different ones.
STRONG_SECRET_LENGTH = 40
STRONG_SECRET_DISTINCT = 16
_WEAK_WORDS = ("development", "changeme", "change-me", "secret", "example", "password")


def check_strong_secret(
    name: str, value: str, *, known: tuple[str, ...] = (), not_equal_to: dict | None = None
) -> None:
    """Refuse a key that is short, repetitive, a known default or another setting's."""
    hint = 'make one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
    if value in known or any(word in value.lower() for word in _WEAK_WORDS):
        raise ImproperlyConfigured(f"{name} is a development or example value; {hint}.")
    if len(value) < STRONG_SECRET_LENGTH:
        raise ImproperlyConfigured(
            f"{name} must be at least {STRONG_SECRET_LENGTH} characters long; {hint}."
        )
    if len(set(value)) < STRONG_SECRET_DISTINCT:
        raise ImproperlyConfigured(
            f"{name} does not look random (fewer than {STRONG_SECRET_DISTINCT} different "
            f"characters); {hint}."
        )
    for other, other_value in (not_equal_to or {}).items():
        if value == other_value:
            raise ImproperlyConfigured(f"{name} must differ from {other}; {hint}.")
