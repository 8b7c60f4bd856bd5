"""The orders app's hand-written SQL: the order's wire document as a PostgreSQL expression.

The expiry sweep writes one ORDER_CANCELLED_BY_EXPIRY event per cancelled order, up to 10,000
per batch inside the batch transaction. Loading and rendering them in Python cost about 1.5 ms
an order through the serializer and still about 0.2 ms on a lean path (plain rows, orjson),
several times the sweep itself, on the busy 2-core machine; PostgreSQL builds the same document
inside the INSERT for well under 0.1 ms there. The expression is compiled from the one
definition of the order's wire keys, `ORDER_WIRE_SOURCES` and `LINE_WIRE_SOURCES`
(orders/serializers/representation.py), each kind of source once here, with the same omission
rules; tests/events/test_sql.py holds it to GET /api/orders/{id}.

Rows whose dates Python cannot hold (`renderable_sql` says which) are left to the Python
renderer, which gives them the minimal payload (events.payloads). There is no portable twin:
elsewhere the caller renders in Python. Table and column names come from `_meta`.
"""

import json

from django.db.models import JSONField

from orders.models import Order, OrderLineItem
from orders.serializers.representation import (
    LINE_OMITTED_WHEN_EMPTY,
    LINE_WIRE_SOURCES,
    OMITTED_WHEN_EMPTY,
    ORDER_WIRE_SOURCES,
)

# What format_wire_datetime writes: UTC, milliseconds truncated, the year without padding
# (Python's strftime writes year 5 as "5").
_WIRE_DATETIME = """'FMYYYY-MM-DD"T"HH24:MI:SS.MS"Z"'"""
# The date-times Python's datetime holds: anything else loads as an UnreadableValue.
_READABLE_FROM, _READABLE_UNTIL = "'0001-01-01 00:00:00+00'", "'10000-01-01 00:00:00+00'"


def _literal(text):
    """A string literal in a statement that is sent with parameters (so `%` doubled)."""
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def _column(model, name):
    return model._meta.get_field(name).column


def _source_sql(source, model, alias):
    if source.kind == "text":
        return f"{alias}.{_column(model, source.name)}::text"
    if source.kind == "stored":
        return f"{alias}.{_column(model, source.name)}"
    if source.kind == "moment":
        return (
            f"to_char({alias}.{_column(model, source.name)} AT TIME ZONE 'UTC', {_WIRE_DATETIME})"
        )
    if source.kind == "extra":
        return f"{alias}.{_column(model, 'extra')} -> {_literal(source.name)}"
    if source.kind == "lines":
        return _lines_sql(alias)
    return f"{_literal(json.dumps(source.value))}::jsonb"  # "constant"


def _object_sql(sources, model, alias):
    pairs = ", ".join(
        f"{_literal(key)}, {_source_sql(source, model, alias)}" for key, source in sources.items()
    )
    return f"jsonb_build_object({pairs})"


def _without_empty_sql(document, values, empty_values):
    """`document` (a jsonb object) without the keys whose value is SQL NULL or one of
    `empty_values`, among `values` ({key: (the expression of its value, whether it is jsonb)}):
    the optional keys the Python renderer drops when empty. A text or number can only be
    empty as NULL. (`-` skips the NULLs of the array.)"""
    empties = ", ".join(f"{_literal(value)}::jsonb" for value in empty_values)
    dropped = ", ".join(
        f"CASE WHEN {value} IS NULL{f' OR {value} IN ({empties})' if is_json else ''}"
        f" THEN {_literal(key)} END"
        for key, (value, is_json) in sorted(values.items())
    )
    return f"{document} - ARRAY[{dropped}]::text[]"


def _is_json(source, model):
    if source.kind == "stored":
        return isinstance(model._meta.get_field(source.name), JSONField)
    return source.kind in ("extra", "lines", "constant")


def _lines_sql(order_alias):
    lines = OrderLineItem._meta.db_table
    position, order, extra = (_column(OrderLineItem, n) for n in ("position", "order", "extra"))
    built = _object_sql(LINE_WIRE_SOURCES, OrderLineItem, "line")
    # A line's optional keys may come from its `extra` too: they are looked up in the built
    # document, which `OFFSET 0` keeps a value of its own (else PostgreSQL builds it again for
    # each lookup).
    document = _without_empty_sql(
        "wire.document",
        {key: (f"wire.document -> {_literal(key)}", True) for key in LINE_OMITTED_WHEN_EMPTY},
        ("null", "[]"),
    )
    return (
        f"COALESCE((SELECT jsonb_agg({document} ORDER BY wire.position, wire.id) FROM"
        f" (SELECT line.{position} AS position, line.id,"
        f" {built} || COALESCE(line.{extra}, '{{}}'::jsonb) AS document"
        f" FROM {lines} AS line WHERE line.{order} = {order_alias}.id OFFSET 0) AS wire),"
        " '[]'::jsonb)"
    )


def order_document_sql(alias):
    """The wire document (a jsonb object) of the order row `alias`."""
    return _without_empty_sql(
        _object_sql(ORDER_WIRE_SOURCES, Order, alias),
        {
            key: (_source_sql(source, Order, alias), _is_json(source, Order))
            for key, source in ORDER_WIRE_SOURCES.items()
            if key in OMITTED_WHEN_EMPTY
        },
        ("null", "[]", "{}"),
    )


def renderable_sql(alias):
    """Whether every date the order row `alias` renders is one Python can hold."""
    moments = [s.name for s in ORDER_WIRE_SOURCES.values() if s.kind == "moment"]
    return " AND ".join(
        f"({alias}.{column} IS NULL OR ({alias}.{column} >= {_READABLE_FROM}"
        f" AND {alias}.{column} < {_READABLE_UNTIL}))"
        for column in (_column(Order, name) for name in moments)
    )
