"""Stored values the application cannot read, and how one of them stays that row's problem.

PostgreSQL keeps dates Python cannot hold (year 10000, year 0, `infinity`), and an SQLite file
can hold text that is no date at all. Loading such a value used to fail the whole query, so one
bad row broke every list, search, sweep and admin page that included it. Instead the value
loads as an `UnreadableValue`: the row loads, every other row with it, and only code that
actually uses the bad value fails, with `UnreadableValueError`, which names the value.

Installed for every database connection (`install`, from config.apps).
"""

import logging
import sqlite3

from django.db.backends.signals import connection_created
from django.utils.dateparse import parse_date, parse_datetime

logger = logging.getLogger(__name__)

PLACEHOLDER = "unrenderable"


class UnreadableValueError(AttributeError):
    """A stored value that cannot be represented was used. An AttributeError, so `hasattr()`
    probes (Django's and DRF's) simply see no such attribute."""


class UnreadableValue:
    """Stands in for a stored value that failed to load. Reading any attribute of it (as
    `isoformat()`, `astimezone()` do), comparing or computing with it raises
    UnreadableValueError; `str()` is the placeholder the admin shows."""

    __slots__ = ("raw", "problem")

    def __init__(self, raw, problem):
        self.raw = raw
        self.problem = problem

    def describe(self):
        return f"the stored value {self.raw!r} cannot be read ({self.problem})"

    def __getattr__(self, name):
        raise UnreadableValueError(self.describe())

    def __str__(self):
        return PLACEHOLDER

    def __repr__(self):
        return f"<UnreadableValue {self.raw!r}>"

    def _refuse(self, *args):
        raise UnreadableValueError(self.describe())

    __lt__ = __le__ = __gt__ = __ge__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = _refuse


def unreadable_fields(instance):
    """Names of the model instance's loaded fields that hold an UnreadableValue."""
    return [
        field.attname
        for field in instance._meta.concrete_fields
        if isinstance(instance.__dict__.get(field.attname), UnreadableValue)
    ]


def readable_rows(rows, *, what):
    """The rows without those holding an unreadable value; each one left out is logged (lists
    and searches answer for everybody else, see docs/decisions.md)."""
    kept = []
    for row in rows:
        bad = unreadable_fields(row)
        if bad:
            logger.error(
                "Left %s %s out of a list: unreadable stored value in %s",
                what,
                row.pk,
                ", ".join(bad),
            )
        else:
            kept.append(row)
    return kept


# --- PostgreSQL: psycopg loaders -------------------------------------------------------------

_TOLERANT_LOADERS = {}


def _tolerant_loader(base):
    """A loader that loads as psycopg loader `base` does, and returns an UnreadableValue for
    what `base` cannot load instead of failing the fetch. (A wrapper, not a subclass: psycopg's
    C loaders cannot be subclassed.)"""
    if base not in _TOLERANT_LOADERS:
        import psycopg
        from psycopg.adapt import Loader

        class TolerantLoader(Loader):
            format = base.format
            # Django's cursor compares this with the connection's time zone.
            timezone = getattr(base, "timezone", None)

            def __init__(self, oid, context=None):
                super().__init__(oid, context)
                self.inner = base(oid, context)

            def load(self, data):
                try:
                    return self.inner.load(data)
                except psycopg.DataError as error:
                    return UnreadableValue(bytes(data).decode(errors="replace"), str(error))

        _TOLERANT_LOADERS[base] = TolerantLoader
    return _TOLERANT_LOADERS[base]


def _install_postgresql(connection):
    from psycopg.pq import Format

    adapters = connection.connection.adapters
    for type_name in ("timestamptz", "timestamp", "date"):
        oid = adapters.types[type_name].oid
        for format in (Format.TEXT, Format.BINARY):
            base = adapters.get_loader(oid, format)
            if base is not None and base not in _TOLERANT_LOADERS.values():
                adapters.register_loader(oid, _tolerant_loader(base))


# --- SQLite: sqlite3 converters and Django's value converters --------------------------------


def _tolerant_parser(parse):
    def convert(raw):
        text = raw.decode(errors="replace")
        try:
            value = parse(text)
        except ValueError as error:
            return UnreadableValue(text, str(error))
        return value if value is not None else UnreadableValue(text, "not a date")

    return convert


def _passing_unreadable(convert):
    """Django's converter, letting UnreadableValues through; raw text that it cannot parse
    (results of aggregates such as MAX arrive unconverted) becomes one too."""

    def converter(value, expression, connection):
        if isinstance(value, UnreadableValue):
            return value
        try:
            return convert(value, expression, connection)
        except ValueError as error:
            return UnreadableValue(str(value), str(error))
        except AttributeError:  # Django's parser found no date at all (None)
            return UnreadableValue(str(value), "not a date")

    converter.passes_unreadable = True
    return converter


def _install_sqlite(connection):
    ops = connection.ops
    for name in ("convert_datetimefield_value", "convert_datefield_value"):
        convert = getattr(ops, name)
        if not getattr(convert, "passes_unreadable", False):
            setattr(ops, name, _passing_unreadable(convert))


def _on_connection_created(sender, connection, **kwargs):
    if connection.vendor == "postgresql":
        _install_postgresql(connection)
    elif connection.vendor == "sqlite":
        _install_sqlite(connection)


def install():
    # The sqlite3 module's converters are process-wide: replace Django's (the same parsers) once
    # its backend module has registered them.
    import django.db.backends.sqlite3.base  # noqa: F401

    sqlite3.register_converter("date", _tolerant_parser(parse_date))
    sqlite3.register_converter("datetime", _tolerant_parser(parse_datetime))
    sqlite3.register_converter("timestamp", _tolerant_parser(parse_datetime))
    connection_created.connect(_on_connection_created, dispatch_uid="config.unreadable")
