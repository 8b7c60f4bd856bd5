"""The reference's search endpoints (`POST /api/<entities>/search`), shared by every app: the
payload's filter operators, nested `and` / `or`, and keyset (cursor) pagination.

Each entity declares its query serializer (which fields it filters on, with which filter
serializer), how a validated query becomes a `Q` (`filters_to_q` with a table of wire name →
column and operator kind) and its sort keys; `search_page` runs the rest.

Pages are cut by comparing the sort key (e.g. `(order_date, id)`) with the key in the cursor,
never with OFFSET: page 200 costs what page 1 costs, and rows inserted meanwhile neither shift
nor duplicate rows on later pages. Cursors are opaque (base64 of the sort key).
"""

import base64
import binascii
import copy
import json
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections
from django.db.models import Q
from rest_framework import serializers

from config.api.fields import (
    StrictBooleanField,
    StrictCharField,
    StrictFloatField,
    StrictIntegerField,
    UnsupportedField,
    WireDateTimeField,
)
from config.api.serializers import StrictSerializer
from config.errors import InvalidInput
from config.identifiers import parse_uuid

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 250
MAX_QUERY_DEPTH = 8
# The reference's bound on the values of an `in` / `notIn` filter.
MAX_FILTER_VALUES = 25


# --- payload -------------------------------------------------------------------------------


class PageSizeField(StrictIntegerField):
    """`number` in the reference; a whole number from 1 to 250."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_PAGE_SIZE, required=False, **kwargs)


def with_keyword_fields(fields, **named):
    """Filter operators `in`, `and`, `or` are Python keywords: add them by name."""
    fields.update(named)
    return fields


def _values(child, max_length=MAX_FILTER_VALUES):
    return serializers.ListField(child=child, required=False, max_length=max_length)


class StringFilterSerializer(StrictSerializer):
    eq = StrictCharField(required=False, max_length=256)
    notEq = StrictCharField(required=False, max_length=256)
    notIn = _values(StrictCharField(max_length=256))

    def get_fields(self):
        return with_keyword_fields(
            super().get_fields(), **{"in": _values(StrictCharField(max_length=256))}
        )


class StringEqFilterSerializer(StrictSerializer):
    eq = StrictCharField(required=False, max_length=256)
    notEq = StrictCharField(required=False, max_length=256)


class StringListFilterSerializer(StrictSerializer):
    """A list property: `contains` one value equal (or not equal) to the given one."""

    contains = StringEqFilterSerializer(required=False)


class NumberFilterSerializer(StrictSerializer):
    eq = StrictFloatField(required=False)
    notEq = StrictFloatField(required=False)
    gt = StrictFloatField(required=False)
    gte = StrictFloatField(required=False)
    lt = StrictFloatField(required=False)
    lte = StrictFloatField(required=False)
    notIn = _values(StrictFloatField())

    def get_fields(self):
        return with_keyword_fields(super().get_fields(), **{"in": _values(StrictFloatField())})


class DateFilterSerializer(StrictSerializer):
    eq = WireDateTimeField(required=False)
    notEq = WireDateTimeField(required=False)
    gt = WireDateTimeField(required=False)
    gte = WireDateTimeField(required=False)
    lt = WireDateTimeField(required=False)
    lte = WireDateTimeField(required=False)
    after = UnsupportedField("Use gt/gte with a date-time.")
    before = UnsupportedField("Use lt/lte with a date-time.")


def _named(cls, name):
    """`cls` under `name`: the schema names a component after its serializer class."""
    cls.__name__ = cls.__qualname__ = name
    return cls


def enum_filter(choices, name, *, max_values=500):
    """A filter serializer on an enum (`eq`, `notEq`, `in`, `notIn` of its values), named
    `name` (its schema component: `name` without the "Serializer" suffix)."""

    def choice():
        return serializers.ChoiceField(choices=choices)

    class EnumFilterSerializer(StrictSerializer):
        eq = serializers.ChoiceField(choices=choices, required=False)
        notEq = serializers.ChoiceField(choices=choices, required=False)
        notIn = _values(choice(), max_values)

        def get_fields(self):
            return with_keyword_fields(
                super().get_fields(), **{"in": _values(choice(), max_values)}
            )

    return _named(EnumFilterSerializer, name)


class QueryListField(serializers.ListField):
    """`and` / `or`: a list of nested queries of the same kind, at most MAX_QUERY_DEPTH deep."""

    def __init__(self, query_serializer, depth, **kwargs):
        self.query_serializer, self.depth = query_serializer, depth
        super().__init__(child=serializers.DictField(), required=False, max_length=500, **kwargs)

    def to_internal_value(self, data):
        if self.depth >= MAX_QUERY_DEPTH:
            raise serializers.ValidationError(f"Queries nest at most {MAX_QUERY_DEPTH} levels.")
        if not isinstance(data, list):
            raise serializers.ValidationError("Expected a list of queries.")
        result, errors = [], {}
        for index, item in enumerate(data):
            if not isinstance(item, dict):
                errors[index] = ["Expected a query object."]
                continue
            serializer = self.query_serializer(data=item, depth=self.depth + 1)
            if serializer.is_valid():
                result.append(serializer.validated_data)
            else:
                errors[index] = serializer.errors
        if errors:
            raise serializers.ValidationError(errors)
        return result


class SearchQuerySerializer(StrictSerializer):
    """One query object: every filter it names must hold, and so must each of its `and`
    queries and at least one of its `or` queries. Subclasses declare the filters."""

    def __init__(self, *args, depth=0, **kwargs):
        self.depth = depth
        super().__init__(*args, **kwargs)

    def get_fields(self):
        kind = type(self)
        return with_keyword_fields(
            super().get_fields(),
            **{"and": QueryListField(kind, self.depth), "or": QueryListField(kind, self.depth)},
        )

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError("Expected a query object.")
        return super().to_internal_value(data)


def sort_serializer(names, name, *, unsupported=None):
    """The `sort` item of a search: exactly one of `names`, ASC or DESC; `unsupported` maps
    the reference's other sort names to the field refusing them. The serializer is named
    `name`."""
    refused = unsupported or {}

    class SortSerializer(StrictSerializer):
        def get_fields(self):
            fields = {
                sort: serializers.ChoiceField(choices=["ASC", "DESC"], required=False)
                for sort in names
            }
            fields.update({sort: copy.deepcopy(field) for sort, field in refused.items()})
            return fields

        def validate(self, attrs):
            if len(attrs) != 1:
                raise serializers.ValidationError(f"Sort by exactly one of {', '.join(names)}.")
            return attrs

    return _named(SortSerializer, name)


class SearchOptionsSerializer(StrictSerializer):
    withTotal = StrictBooleanField(required=False)


class SearchPayloadSerializer(StrictSerializer):
    """`{query, sort, size | last, after | before | startAfterId, options}`; subclasses set
    `query` and `sort`."""

    size = PageSizeField()
    last = PageSizeField()
    after = StrictCharField(required=False)
    before = StrictCharField(required=False)
    startAfterId = StrictCharField(required=False)
    options = SearchOptionsSerializer(required=False)

    def validate(self, attrs):
        given = set(attrs)
        for first, second in (
            ("size", "last"),
            ("after", "before"),
            ("after", "last"),
            ("before", "size"),
            ("startAfterId", "after"),
            ("startAfterId", "before"),
            ("startAfterId", "last"),
        ):
            if {first, second} <= given:
                raise serializers.ValidationError(f"{first} cannot be used together with {second}.")
        return attrs


class PageInfoSerializer(serializers.Serializer):
    hasNextPage = serializers.BooleanField(source="has_next_page")
    hasPreviousPage = serializers.BooleanField(source="has_previous_page")
    startCursor = serializers.CharField(source="start_cursor", allow_null=True)
    endCursor = serializers.CharField(source="end_cursor", allow_null=True)


def render_search_page(name, rendered, page):
    """The reference's `…PaginatedResult`: `{name: rendered, pageInfo, total?}`."""
    body = {name: rendered, "pageInfo": PageInfoSerializer(page.page_info).data}
    if page.total is not None:
        body["total"] = page.total
    return body


# --- filtering -----------------------------------------------------------------------------

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


# --- keyset pagination ---------------------------------------------------------------------


@dataclass
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@dataclass
class SearchPage:
    rows: list
    page_info: PageInfo
    total: int | None = None


@dataclass(frozen=True)
class Sorting:
    """An entity's sort keys: {wire sort name: model fields, ending with a unique one}."""

    model: type
    keys: dict
    default: tuple  # (wire sort name, "ASC" | "DESC")

    def values_of(self, sort_name, row):
        return [getattr(row, column) for column in self.keys[sort_name]]


def _encode_value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return value
    return str(value)


def encode_cursor(sorting, sort_name, row):
    payload = {"s": sort_name, "k": [_encode_value(v) for v in sorting.values_of(sort_name, row)]}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(sorting, sort_name, cursor):
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        columns = sorting.keys[payload["s"]]
        if payload["s"] != sort_name or len(payload["k"]) != len(columns):
            raise ValueError("cursor of another sort")
        values = []
        for column, value in zip(columns, payload["k"], strict=True):
            parsed = sorting.model._meta.get_field(column).to_python(value)
            if parsed is None:
                raise ValueError(value)
            values.append(parsed)
        return values
    except (
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        binascii.Error,
        UnicodeDecodeError,
        DjangoValidationError,
    ):
        raise InvalidInput(
            "Invalid cursor.",
            "Pass a startCursor or endCursor from a previous response of this same search "
            "(same sort).",
        ) from None


def _beyond(queryset, model, columns, values, *, greater, inclusive=False):
    """Rows whose sort key is beyond `values` by a row comparison, `(a, b) > (x, y)`, which
    PostgreSQL answers from the matching composite index."""
    table = model._meta.db_table
    operator = (">" if greater else "<") + ("=" if inclusive else "")
    left = ", ".join(f'"{table}"."{model._meta.get_field(c).column}"' for c in columns)
    right = ", ".join(["%s"] * len(values))
    connection = connections[queryset.db]
    params = [
        model._meta.get_field(c).get_db_prep_value(v, connection)
        for c, v in zip(columns, values, strict=True)
    ]
    return queryset.extra(where=[f"({left}) {operator} ({right})"], params=params)


def _any_row(queryset, ordering):
    """EXISTS, phrased as an ordered LIMIT 1 so that PostgreSQL walks the sort index from the
    cursor instead of scanning the table when few rows match."""
    return queryset.order_by(*ordering).values_list("pk", flat=True)[:1].first() is not None


def _unchanged(value):
    return value


def search_page(filtered, payload, sorting, *, fetch=_unchanged, keep=_unchanged):
    """Run a validated search payload over `filtered` (the rows its query selects). `fetch`
    prepares the page's queryset for rendering (annotations, prefetches), `keep` may leave
    rows of the page out (ones that cannot be rendered). Returns a SearchPage: the rows, page
    info with cursors and, if asked for, the total."""
    model = sorting.model
    sort_name, direction = sorting.default
    if payload.get("sort"):
        ((sort_name, direction),) = payload["sort"][0].items()
    columns = sorting.keys[sort_name]
    ascending = direction == "ASC"
    ordering = [c if ascending else f"-{c}" for c in columns]
    reverse_ordering = [c[1:] if c.startswith("-") else f"-{c}" for c in ordering]

    after = payload.get("after")
    if payload.get("startAfterId"):
        anchor_id = parse_uuid(payload["startAfterId"])
        anchor = model.objects.filter(id=anchor_id).first() if anchor_id else None
        if anchor is None:
            raise InvalidInput(f"startAfterId: no such {model._meta.verbose_name}.")
        after = encode_cursor(sorting, sort_name, anchor)

    backward = "last" in payload or "before" in payload
    limit = payload.get("last" if backward else "size") or DEFAULT_PAGE_SIZE
    if backward:
        page = filtered
        if payload.get("before"):
            values = decode_cursor(sorting, sort_name, payload["before"])
            page = _beyond(page, model, columns, values, greater=not ascending)
        rows = list(fetch(page.order_by(*reverse_ordering))[: limit + 1])
        has_previous = len(rows) > limit
        rows = rows[:limit][::-1]
        has_next = bool(payload.get("before")) and _any_row(
            _beyond(filtered, model, columns, values, greater=ascending, inclusive=True),
            ordering,
        )
    else:
        page = filtered
        if after:
            values = decode_cursor(sorting, sort_name, after)
            page = _beyond(page, model, columns, values, greater=ascending)
        rows = list(fetch(page.order_by(*ordering))[: limit + 1])
        has_next = len(rows) > limit
        rows = rows[:limit]
        has_previous = bool(after) and _any_row(
            _beyond(filtered, model, columns, values, greater=not ascending, inclusive=True),
            reverse_ordering,
        )
    rows = keep(rows)
    page_info = PageInfo(
        has_next_page=has_next,
        has_previous_page=has_previous,
        start_cursor=encode_cursor(sorting, sort_name, rows[0]) if rows else None,
        end_cursor=encode_cursor(sorting, sort_name, rows[-1]) if rows else None,
    )
    total = filtered.count() if payload.get("options", {}).get("withTotal") else None
    return SearchPage(rows=rows, page_info=page_info, total=total)
