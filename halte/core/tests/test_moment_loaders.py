"""Halte's PostgreSQL loaders for dates and timestamps (halte.core.moments) read every
value other than ±infinity exactly as the loaders Django alone would use, and fail
where those fail: they add the infinities and nothing else. (Infinity itself, and the
pages that show it, are tested in halte/api/tests/test_stored_extreme_moments.py.)"""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

# Ordinary and extreme values: micro- and milliseconds, the ends Python holds, the
# summer-time changes in Amsterdam, a moment written with an offset.
VALUES = {
    "date": ["2024-02-29", "0001-01-01", "9999-12-31", "2000-01-01", "1999-12-31"],
    "timestamp": [
        "2024-03-31 02:30:00",
        "0001-01-01 00:00:00",
        "9999-12-31 23:59:59.999999",
        "2000-01-01 00:00:00.5",
        "1937-06-30 23:59:59.123",
    ],
    "timestamptz": [
        "2024-03-31 00:59:59.999+00",
        "2024-03-31 01:00:00+00",
        "2024-10-27 00:30:00+00",
        "2024-10-27 02:30:00+02",
        "0001-01-01 12:00:00+00",
        "9999-12-31 23:59:59.999999+00",
        "1900-01-01 00:00:00+00",
    ],
}
# Beyond what Python holds, though not infinite: an error with either loader. In binary
# the last two start with the byte the infinities start with, so they take the
# loaders' slow path and must still reach psycopg's error.
OUT_OF_RANGE = {
    "date": ["10000-01-01", "0044-03-15 BC", "5874897-12-31"],
    "timestamp": ["10000-01-01 00:00", "0044-03-15 00:00 BC", "294276-12-31 23:59:59"],
    "timestamptz": ["10000-01-02 00:00+00", "0044-03-15 00:00+00 BC", "294276-12-30 00:00+00"],
}


def _django_loaders():
    """The loaders a connection has before Halte registers its own: psycopg's and
    Django's time-zone loader (the map every new Django connection starts from)."""
    import psycopg
    from django.conf import settings
    from django.db.backends.postgresql.psycopg_any import get_adapters_template
    from psycopg.pq import Format

    template = get_adapters_template(settings.USE_TZ, connection.timezone)
    return {
        (oid, fmt): template.get_loader(oid, fmt)
        for oid in (psycopg.adapters.types[name].oid for name in VALUES)
        for fmt in (Format.TEXT, Format.BINARY)
    }


def _read(type_name: str, literal: str, binary: bool, loaders=None) -> str:
    """`literal` read as Django reads it (text) or with a binary cursor, with Halte's
    loaders or the given ones: its `repr` (time zones must match as well as moments), or
    psycopg's error."""
    import psycopg

    sql = f"SELECT '{literal}'::{type_name}"
    with connection.cursor() as wrapper:
        cursor = psycopg.Cursor(connection.connection) if binary else wrapper.cursor
        for (oid, _format), loader in (loaders or {}).items():
            cursor.adapters.register_loader(oid, loader)
        if binary:
            cursor.execute(sql, binary=True)
        else:
            cursor.execute(sql)
        try:
            return repr(cursor.fetchone()[0])
        except psycopg.DataError as error:
            return f"DataError: {error}"


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the loaders are PostgreSQL's")


@pytest.mark.parametrize("session_zone", ["UTC", "Europe/Amsterdam"])
@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
@pytest.mark.parametrize("type_name", list(VALUES))
def test_values_read_as_without_halte(postgresql, type_name, binary, session_zone):
    # Django sets the session to UTC; in another zone its time-zone loader keeps the
    # wall-clock time and sets UTC on it, and so must Halte's. (There 9999-12-31 23:59
    # UTC is past what Python holds, and fails alike.)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('TimeZone', %s, false)", [session_zone])
    try:
        for literal in VALUES[type_name] + OUT_OF_RANGE[type_name]:
            with_halte = _read(type_name, literal, binary)
            assert with_halte == _read(type_name, literal, binary, _django_loaders()), literal
            if session_zone == "UTC":
                read = not with_halte.startswith("DataError")
                assert read == (literal in VALUES[type_name]), (literal, with_halte)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('TimeZone', 'UTC', false)")
