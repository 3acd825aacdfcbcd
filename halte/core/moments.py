"""Reading dates and times safely, whatever the database holds.

The edge (halte.core.validation) keeps meaningless dates out. A value that got in
another way (an import, a fix by hand in SQL, an older version) must still not break
the pages and the API for everyone who sees that client: converting 9999-12-31
23:59 UTC to Amsterdam time overflows Python's datetime, and adding a week to
date.max does too. So a date or moment read from the database is kept a year away
from the ends Python can hold, and a time shown with an offset gets one that
RFC 3339 can write (whole minutes), never a local mean time such as +00:19:32
(Amsterdam before 1937).
"""

import datetime

from django.apps import apps
from django.db import models
from django.utils import timezone

READABLE_FROM = datetime.datetime(2, 1, 1, tzinfo=datetime.UTC)
READABLE_UNTIL = datetime.datetime(9998, 12, 31, 23, 59, 59, tzinfo=datetime.UTC)
READABLE_FROM_DAY = READABLE_FROM.date()
READABLE_UNTIL_DAY = READABLE_UNTIL.date()


def readable_moment(value, expression=None, connection=None):
    """A moment read from the database, kept within years 2 to 9998 (UTC)."""
    if value is None or not isinstance(value, datetime.datetime):
        return value
    if timezone.is_naive(value):
        return min(
            max(value, READABLE_FROM.replace(tzinfo=None)), READABLE_UNTIL.replace(tzinfo=None)
        )
    return min(max(value, READABLE_FROM), READABLE_UNTIL)


def readable_day(value, expression=None, connection=None):
    """A date read from the database, kept within years 2 to 9998."""
    if value is None or not isinstance(value, datetime.date):
        return value
    return min(max(value, READABLE_FROM_DAY), READABLE_UNTIL_DAY)


def install_readable_bounds(app_label_prefix: str = "halte.") -> None:
    """Every date and datetime column of Halte's own models reads within the range
    above (Django applies a field's `from_db_value` to each value it loads). Set on
    the field instances, so the model classes and their migrations stay as they are."""
    for model in apps.get_models():
        if not model.__module__.startswith(app_label_prefix):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField):
                field.from_db_value = readable_moment
            elif isinstance(field, models.DateField):
                field.from_db_value = readable_day


# PostgreSQL's 'infinity' and '-infinity' (dates and timestamps): written by SQL, never
# by Halte (the edge refuses them), they have no Python value, and psycopg refuses to
# read them (DataError), so the whole page or answer failed. Read as the ends Python can
# hold, they go on to be kept within the readable range above as any extreme value is.
# Every date and timestamp read passes through these loaders: an ordinary value costs
# one length or byte test before psycopg's own loader (in C) reads it.
_INFINITE_TEXT = {b"infinity": 1, b"-infinity": -1}
# Any date or timestamp PostgreSQL writes as text, in every DateStyle, has 10 or more
# characters ('2024-01-01', '01.01.2024'); 'infinity' and '-infinity' have 8 and 9.
_SHORTEST_FINITE_TEXT = 10
_INFINITE_BINARY = {
    "date": {2**31 - 1: 1, -(2**31): -1},
    "timestamp": {2**63 - 1: 1, -(2**63): -1},
    "timestamptz": {2**63 - 1: 1, -(2**63): -1},
}
# In binary (days or microseconds from 2000, big-endian), the infinities start with 0x7f
# and 0x80; a value within 140,000 years of 2000 starts with 0x00 or 0xff.
_INFINITE_FIRST_BYTES = (0x7F, 0x80)
_ENDS = {  # (-infinity, infinity)
    "date": (datetime.date.min, datetime.date.max),
    "timestamp": (datetime.datetime.min, datetime.datetime.max),
    "timestamptz": (
        datetime.datetime.min.replace(tzinfo=datetime.UTC),
        datetime.datetime.max.replace(tzinfo=datetime.UTC),
    ),
}


def _infinite_end(data, type_name: str, binary: bool):
    """The end of `type_name` that ±infinity reads as; None for any other value."""
    if binary:
        sign = _INFINITE_BINARY[type_name].get(int.from_bytes(data, "big", signed=True))
    else:
        sign = _INFINITE_TEXT.get(bytes(data))
    return None if sign is None else _ENDS[type_name][sign > 0]


def _load_function(parse, type_name: str, binary: bool):
    """What the loader calls for each value: `parse` unless the value is ±infinity."""
    if binary:

        def load(data):
            if (
                data[0] in _INFINITE_FIRST_BYTES
                and (end := _infinite_end(data, type_name, True)) is not None
            ):
                return end
            return parse(data)

    else:

        def load(data):
            if (
                len(data) < _SHORTEST_FINITE_TEXT
                and (end := _infinite_end(data, type_name, False)) is not None
            ):
                return end
            return parse(data)

    return load


def _load_in_time_zone(parse, tzinfo):
    """Django's time-zone loader (timestamptz in text) with ±infinity, and with `parse`
    (psycopg's, in C) where Django's parses in Python (5-7 us a value against 0.1;
    Django ticket #36960): the moment in the connection's time zone, then Django's
    `tzinfo` (None: naive) set on it, only where it differs (`replace` costs 1.4 us;
    psycopg already answers in the session's time zone, which Django sets to its own)."""

    def load(data):
        if (
            len(data) < _SHORTEST_FINITE_TEXT
            and (end := _infinite_end(data, "timestamptz", False)) is not None
        ):
            return end
        moment = parse(data)
        return moment if moment.tzinfo is tzinfo else moment.replace(tzinfo=tzinfo)

    return load


def _django_time_zone_loader(base) -> bool:
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader

    return isinstance(base, type) and issubclass(base, BaseTzLoader)


def _infinity_loader(base, type_name: str, fmt):
    """A loader that reads ±infinity as the type's end and leaves every other value to
    `base`, the loader the connection had: psycopg's, in C, which cannot be subclassed,
    or Django's time-zone loader, done as above. `timezone` is kept for Django, which
    compares it on each cursor (and registers its own loader where it differs)."""
    from psycopg import adapters
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    binary = fmt == Format.BINARY
    in_time_zone = not binary and _django_time_zone_loader(base)

    class InfinityLoader(Loader):
        format = fmt
        timezone = getattr(base, "timezone", None)
        _halte_infinity = True

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            # The transformer calls `self.load`: a plain function, one call a value.
            if in_time_zone:
                parse = adapters.get_loader(oid, fmt)(oid, context).load
                self.load = _load_in_time_zone(parse, self.timezone)
            else:
                self.load = _load_function(base(oid, context).load, type_name, binary)

        def load(self, data):  # shadowed on each instance (see __init__)
            raise NotImplementedError

    return InfinityLoader


def register_infinity_loaders(sender=None, connection=None, **kwargs) -> None:
    """On each new PostgreSQL connection (the `connection_created` signal, connected in
    CoreConfig.ready()), read ±infinity dates and timestamps as their ends."""
    if connection is None or connection.vendor != "postgresql":
        return
    from psycopg import adapters
    from psycopg.pq import Format

    context = connection.connection.adapters
    for type_name in _ENDS:
        oid = adapters.types[type_name].oid
        for fmt in (Format.TEXT, Format.BINARY):
            base = context.get_loader(oid, fmt)
            if base is None or getattr(base, "_halte_infinity", False):
                continue
            context.register_loader(oid, _infinity_loader(base, type_name, fmt))


def local(value: datetime.datetime) -> datetime.datetime:
    """`value` in the organisation's time zone, or in UTC where that zone's offset
    there is not whole minutes (local mean time, before 1937 in Amsterdam) or the
    conversion would leave the range Python can hold."""
    try:
        shown = timezone.localtime(value)
    except (OverflowError, ValueError):
        return value.astimezone(datetime.UTC) if value.utcoffset() else value
    offset = shown.utcoffset()
    if offset is None or offset % datetime.timedelta(minutes=1):
        return value.astimezone(datetime.UTC)
    return shown
