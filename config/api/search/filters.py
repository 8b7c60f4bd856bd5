"""A validated search query as a `Q`: every filter of one query object must hold, and each of
its `and` queries, and one of its `or` queries. Each entity maps its wire filter names to a
column and the kind of comparison (or to a function of the filter for what no one column
answers)."""

import json
import math

from django.db.models import Q

from config.identifiers import parse_uuid

STRING, NUMBER, DATE, STRING_LIST = "string", "number", "date", "string list"
# A string filter on a UUID column (a value that is no UUID names no row), a number filter on
# an integer column (3.5 is no integer: `eq` matches nothing, `gt` means ≥ 4).
UUID, INTEGER = "uuid", "integer"
_RANGES = {"gt": "__gt", "gte": "__gte", "lt": "__lt", "lte": "__lte"}
_NOTHING = Q(pk__in=[])


def _uuid_spec(spec):
    """`spec` with its values as UUIDs; an `eq` naming no UUID matches nothing (None)."""
    spec = dict(spec)
    if "eq" in spec:
        spec["eq"] = parse_uuid(spec["eq"])
        if spec["eq"] is None:
            return None
    if "notEq" in spec:
        spec["notEq"] = parse_uuid(spec["notEq"])
        if spec["notEq"] is None:
            del spec["notEq"]  # every row differs from a value that is no UUID
    for name in ("in", "notIn"):
        if name in spec:
            spec[name] = [value for value in map(parse_uuid, spec[name]) if value is not None]
    return spec


# The range of the integer columns searched (32-bit): a value outside it names no row, a bound
# beyond it holds for every row or none (a database parameter beyond it would be an error).
INTEGER_RANGE = (-(2**31), 2**31 - 1)


def _whole(value):
    """`value` as an int if it is a whole number the integer columns can hold, else None."""
    low, high = INTEGER_RANGE
    return int(value) if float(value).is_integer() and low <= value <= high else None


def _integer_spec(spec):
    """`spec` on an integer column: non-integral bounds rounded inwards, values no row can have
    dropped, bounds beyond the column's range dropped (every row meets them); None when the spec
    matches nothing (an `eq` no row can have, a bound no row meets)."""
    spec = dict(spec)
    if "eq" in spec:
        spec["eq"] = _whole(spec["eq"])
        if spec["eq"] is None:
            return None
    if "notEq" in spec:
        spec["notEq"] = _whole(spec["notEq"])
        if spec["notEq"] is None:
            del spec["notEq"]
    for name in ("in", "notIn"):
        if name in spec:
            spec[name] = [value for value in map(_whole, spec[name]) if value is not None]
    low, high = INTEGER_RANGE
    # (operator, rounding, no row meets it from, every row meets it from)
    for name, rounded, none_from, all_from in (
        ("gt", math.floor, lambda bound: bound >= high, lambda bound: bound < low),
        ("gte", math.ceil, lambda bound: bound > high, lambda bound: bound <= low),
        ("lt", math.ceil, lambda bound: bound <= low, lambda bound: bound > high),
        ("lte", math.floor, lambda bound: bound < low, lambda bound: bound >= high),
    ):
        if name in spec:
            bound = rounded(spec[name])
            if none_from(bound):
                return None
            if all_from(bound):
                del spec[name]
            else:
                spec[name] = bound
    return spec


def _compare(column, spec):
    """eq / notEq / in / notIn, and the ranges where the spec has them."""
    q = Q()
    if "eq" in spec:
        q &= Q(**{column: spec["eq"]})
    if "notEq" in spec:
        q &= ~Q(**{column: spec["notEq"]})
    if "in" in spec:
        q &= Q(**{f"{column}__in": spec["in"]})
    if "notIn" in spec:
        q &= ~Q(**{f"{column}__in": spec["notIn"]})
    for operator, lookup in _RANGES.items():
        if operator in spec:
            q &= Q(**{f"{column}{lookup}": spec[operator]})
    return q


def _contains(column, spec):
    """A JSON list column containing (or not) a value, as text: portable across SQLite and
    PostgreSQL."""
    contained = spec.get("contains", {})
    q = Q()
    if "eq" in contained:
        q &= Q(**{f"{column}__icontains": json.dumps(contained["eq"])})
    if "notEq" in contained:
        q &= ~Q(**{f"{column}__icontains": json.dumps(contained["notEq"])})
    return q


def _filter(column, kind, spec):
    if kind == STRING_LIST:
        return _contains(column, spec)
    if kind in (UUID, INTEGER):
        spec = (_uuid_spec if kind == UUID else _integer_spec)(spec)
        if spec is None:
            return _NOTHING
    return _compare(column, spec)


def filters_to_q(query, columns):
    """A validated query as a Q. `columns` maps each wire filter name to (column, kind) or to
    a function of the filter spec returning a Q (for filters no single column answers)."""
    q = Q()
    for name, spec in query.items():
        if name in ("and", "or"):
            continue
        target = columns[name]
        if callable(target):
            q &= target(spec)
        else:
            column, kind = target
            q &= _filter(column, kind, spec)
    for part in query.get("and", []):
        q &= filters_to_q(part, columns)
    if query.get("or"):
        alternatives = [filters_to_q(part, columns) for part in query["or"]]
        # An empty alternative matches every row, so the whole `or` does. (Q() | x would
        # be x: Django drops empty operands.)
        if all(alternatives):
            combined = alternatives[0]
            for alternative in alternatives[1:]:
                combined |= alternative
            q &= combined
    return q


def _names_rows(spec):
    """Whether a filter spec names its rows (`eq`, `in`, or a nested `contains: {eq}`)."""
    return (
        "eq" in spec
        or "in" in spec
        or any(_names_rows(value) for value in spec.values() if isinstance(value, dict))
    )


def pins(query, names):
    """Whether the rows `query` matches are all named by one of the filters `names` (each
    answered by an index of its own): in the query itself, in one of its `and` queries, or in
    every one of its `or` alternatives."""
    if any(name in query and _names_rows(query[name]) for name in names):
        return True
    if any(pins(part, names) for part in query.get("and", [])):
        return True
    alternatives = query.get("or", [])
    return bool(alternatives) and all(pins(part, names) for part in alternatives)
