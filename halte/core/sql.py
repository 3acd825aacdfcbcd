"""Model instances from plain SQL rows, for the few hot reads where compiling an ORM
query costs more than running it (the API's token check, caller recognition).

The SQL is written by hand; the values still go through Django's own converters
(the backend's, such as SQLite's text datetimes, and the field's `from_db_value`,
such as JSONField's), so an instance built here equals the one the ORM would build.
"""

import re
from contextlib import contextmanager
from functools import cached_property, lru_cache

from django.db import connection
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute

# The descriptors Model.__init__ sets a plain field through: for a new instance,
# writing its __dict__ does the same.
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


@contextmanager
def hot_cursor():
    """A cursor for the few statements every request runs (the token check, caller
    recognition, the audit append), with `execute(sql, params)` on the driver's own
    cursor: Django's per-statement layers (execute wrappers, the placeholder
    rewrite, error wrapping around a second call) cost about 20 us a statement.

    Django's connection handling stays: the health check, transactions, broken
    transaction checks, its exception classes. Where Django is watching the
    statements (DEBUG, a test counting queries, an execute wrapper), it gets
    Django's own cursor, so they are all counted and logged as before.
    """
    with connection.cursor() as cursor:
        db = cursor.db  # the connection itself, not the per-thread proxy
        yield cursor if db.queries_logged or db.execute_wrappers else _DriverCursor(cursor)


_FORMAT_PLACEHOLDER = re.compile(r"(?<!%)%s")


@lru_cache(maxsize=256)
def _driver_sql(sql: str, vendor: str) -> str:
    """Django's %s placeholders in the driver's style: SQLite's qmark, as Django's
    own SQLite cursor rewrites them."""
    if vendor != "sqlite":
        return sql
    return _FORMAT_PLACEHOLDER.sub("?", sql).replace("%%", "%")


class _DriverCursor:
    def __init__(self, django_cursor):
        self._db = django_cursor.db
        self._cursor = cursor = django_cursor.cursor
        self._vendor = self._db.vendor
        # Django's SQLite cursor rewrites placeholders in execute(); the driver's
        # own method takes them as written.
        self._execute = (
            self._db.Database.Cursor.execute.__get__(cursor)
            if self._vendor == "sqlite"
            else cursor.execute
        )

    def execute(self, sql: str, params=()) -> None:
        self._db.validate_no_broken_transaction()
        with self._db.wrap_database_errors:
            self._execute(_driver_sql(sql, self._vendor), params)

    def fetchone(self):
        with self._db.wrap_database_errors:
            return self._cursor.fetchone()

    def fetchall(self):
        with self._db.wrap_database_errors:
            return self._cursor.fetchall()


class Columns:
    """All concrete columns of `model` under the table alias `alias`, in field order.

    `table` is the FROM/JOIN item (`"clients_phone" p`), `sql` the select list,
    `column(name)` one field's column under the alias.
    """

    def __init__(self, model, alias: str):
        self.model = model
        self.alias = alias
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self._pk = self.attnames.index(model._meta.pk.attname)
        quote = connection.ops.quote_name
        self.table = f"{quote(model._meta.db_table)} {alias}"
        self.sql = ", ".join(f"{alias}.{quote(f.column)}" for f in self.fields)
        self._converters = {}

    def column(self, name: str) -> str:
        field = self.model._meta.pk if name == "pk" else self.model._meta.get_field(name)
        return f"{self.alias}.{connection.ops.quote_name(field.column)}"

    def __len__(self) -> int:
        return len(self.fields)

    def _converters_for(self, db) -> list[tuple[int, list, object]]:
        """(position, converters, column) for the fields that need converting; the same
        lists the ORM's compiler builds, computed once per backend."""
        if db.vendor not in self._converters:
            found = []
            for position, field in enumerate(self.fields):
                column = field.get_col(self.model._meta.db_table)
                converters = db.ops.get_db_converters(column) + column.get_db_converters(db)
                if converters:
                    found.append((position, converters, column))
            self._converters[db.vendor] = found
        return self._converters[db.vendor]

    @cached_property
    def _plain(self) -> bool:
        """Whether Model.__init__ would only store the values: no field with a
        descriptor of its own (files), nobody listening for the model's init signals
        (receivers connect when the apps load, before the first request)."""
        model = self.model
        return (
            all(type(vars(model).get(name)) in _PLAIN_DESCRIPTORS for name in self.attnames)
            and not signals.pre_init.has_listeners(model)
            and not signals.post_init.has_listeners(model)
        )

    def instance(self, row, start: int = 0):
        """The instance whose columns start at `row[start]`; None for a LEFT JOIN's
        missing row (primary key NULL)."""
        values = list(row[start : start + len(self.fields)])
        if values[self._pk] is None:
            return None
        db = connection
        for position, converters, column in self._converters_for(db):
            value = values[position]
            for converter in converters:
                value = converter(value, column, db)
            values[position] = value
        if not self._plain:
            return self.model.from_db(db.alias, self.attnames, values)
        # What from_db ends in, without Model.__init__'s walk over every field
        # (building instances was a tenth of a caller lookup under load).
        instance = self.model.__new__(self.model)
        instance.__dict__.update(zip(self.attnames, values, strict=True))
        instance._state = ModelState()
        instance._state.adding, instance._state.db = False, db.alias
        return instance
