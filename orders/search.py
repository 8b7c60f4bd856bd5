"""POST /api/orders/search: the reference's query language over orders, with keyset (cursor)
pagination.

Pages are cut by comparing the sort key (e.g. `(order_date, id)`) with the key in the cursor,
never with OFFSET: page 200 costs what page 1 costs, and orders inserted meanwhile neither
shift nor duplicate rows on later pages. Cursors are opaque (base64 of the sort key).
"""

import base64
import binascii
import json
from dataclasses import dataclass

from django.db import connections
from django.db.models import Q
from rest_framework import serializers

from config.api.fields import (
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    WireDateTimeField,
    parse_wire_datetime,
)
from config.api.serializers import StrictSerializer
from config.errors import InvalidInput
from config.identifiers import parse_uuid
from config.unreadable import readable_rows
from orders.models import Order, OrderStatus
from orders.selectors import with_line_items_for_rendering
from orders.serializers.pieces import UnsupportedField
from orders.serializers.representation import OrderSerializer

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 250
MAX_QUERY_DEPTH = 8


# --- payload -------------------------------------------------------------------------------


class PageSizeField(StrictIntegerField):
    """`number` in the reference; a whole number from 1 to 250."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_PAGE_SIZE, required=False, **kwargs)


def _with_keyword_fields(fields, **named):
    """Filter operators `in`, `and`, `or` are Python keywords: add them by name."""
    fields.update(named)
    return fields


class StringFilterSerializer(StrictSerializer):
    eq = StrictCharField(required=False, max_length=256)
    notEq = StrictCharField(required=False, max_length=256)
    notIn = serializers.ListField(
        child=StrictCharField(max_length=256), required=False, max_length=25
    )

    def get_fields(self):
        return _with_keyword_fields(
            super().get_fields(),
            **{
                "in": serializers.ListField(
                    child=StrictCharField(max_length=256), required=False, max_length=25
                )
            },
        )


class StatusFilterSerializer(StrictSerializer):
    eq = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    notEq = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    notIn = serializers.ListField(
        child=serializers.ChoiceField(choices=OrderStatus.choices), required=False, max_length=500
    )

    def get_fields(self):
        return _with_keyword_fields(
            super().get_fields(),
            **{
                "in": serializers.ListField(
                    child=serializers.ChoiceField(choices=OrderStatus.choices),
                    required=False,
                    max_length=500,
                )
            },
        )


class DateFilterSerializer(StrictSerializer):
    eq = WireDateTimeField(required=False)
    notEq = WireDateTimeField(required=False)
    gt = WireDateTimeField(required=False)
    gte = WireDateTimeField(required=False)
    lt = WireDateTimeField(required=False)
    lte = WireDateTimeField(required=False)
    after = UnsupportedField("Use gt/gte with a date-time.")
    before = UnsupportedField("Use lt/lte with a date-time.")


class ConsumerFilterSerializer(StrictSerializer):
    consumerId = StringFilterSerializer(required=False)
    addresses = UnsupportedField("Filtering on consumer addresses is not supported.")


def _unsupported_query_field(name):
    return UnsupportedField(
        f"Filtering on {name} is not supported; "
        "use tenantOrderId, status, orderDate or consumer.consumerId."
    )


class QueryListField(serializers.ListField):
    """`and` / `or`: a list of nested queries."""

    def __init__(self, depth, **kwargs):
        self.depth = depth
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
            serializer = OrderSearchQuerySerializer(data=item, depth=self.depth + 1)
            if serializer.is_valid():
                result.append(serializer.validated_data)
            else:
                errors[index] = serializer.errors
        if errors:
            raise serializers.ValidationError(errors)
        return result


class OrderSearchQuerySerializer(StrictSerializer):
    tenantOrderId = StringFilterSerializer(required=False)
    status = StatusFilterSerializer(required=False)
    orderDate = DateFilterSerializer(required=False)
    consumer = ConsumerFilterSerializer(required=False)
    customAttributes = _unsupported_query_field("customAttributes")
    deliveryPreferences = _unsupported_query_field("deliveryPreferences")
    orderLineItems = _unsupported_query_field("orderLineItems")
    paymentInfo = _unsupported_query_field("paymentInfo")
    tags = _unsupported_query_field("tags")

    def __init__(self, *args, depth=0, **kwargs):
        self.depth = depth
        super().__init__(*args, **kwargs)

    def get_fields(self):
        return _with_keyword_fields(
            super().get_fields(),
            **{"and": QueryListField(self.depth), "or": QueryListField(self.depth)},
        )

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError("Expected a query object.")
        return super().to_internal_value(data)


class OrderSortSerializer(StrictSerializer):
    orderDate = serializers.ChoiceField(choices=["ASC", "DESC"], required=False)
    status = serializers.ChoiceField(choices=["ASC", "DESC"], required=False)

    def validate(self, attrs):
        if len(attrs) != 1:
            raise serializers.ValidationError("Sort by exactly one of orderDate or status.")
        return attrs


class SearchOptionsSerializer(StrictSerializer):
    withTotal = StrictBooleanField(required=False)


class OrderSearchPayloadSerializer(StrictSerializer):
    query = OrderSearchQuerySerializer()
    sort = OrderSortSerializer(many=True, required=False, min_length=1, max_length=1)
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


# --- result --------------------------------------------------------------------------------


class PageInfoSerializer(serializers.Serializer):
    hasNextPage = serializers.BooleanField(source="has_next_page")
    hasPreviousPage = serializers.BooleanField(source="has_previous_page")
    startCursor = serializers.CharField(source="start_cursor", allow_null=True)
    endCursor = serializers.CharField(source="end_cursor", allow_null=True)


class OrderPaginatedResultSerializer(serializers.Serializer):
    orders = OrderSerializer(many=True)
    pageInfo = PageInfoSerializer(source="page_info")
    total = serializers.IntegerField(required=False)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data.get("total") is None:
            data.pop("total", None)
        return data


@dataclass
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@dataclass
class SearchPage:
    orders: list
    page_info: PageInfo
    total: int | None = None


# --- filtering -----------------------------------------------------------------------------


def _string_filter(column, spec):
    q = Q()
    if "eq" in spec:
        q &= Q(**{column: spec["eq"]})
    if "notEq" in spec:
        q &= ~Q(**{column: spec["notEq"]})
    if "in" in spec:
        q &= Q(**{f"{column}__in": spec["in"]})
    if "notIn" in spec:
        q &= ~Q(**{f"{column}__in": spec["notIn"]})
    return q


DATE_LOOKUPS = {"eq": "", "gt": "__gt", "gte": "__gte", "lt": "__lt", "lte": "__lte"}


def _date_filter(column, spec):
    q = Q()
    for operator, lookup in DATE_LOOKUPS.items():
        if operator in spec:
            q &= Q(**{f"{column}{lookup}": spec[operator]})
    if "notEq" in spec:
        q &= ~Q(**{column: spec["notEq"]})
    return q


def query_to_q(query):
    """A validated OrderSearchQuery as a Q: every key of one query object must hold."""
    q = Q()
    if "tenantOrderId" in query:
        q &= _string_filter("tenant_order_id", query["tenantOrderId"])
    if "status" in query:
        q &= _string_filter("status", query["status"])
    if "orderDate" in query:
        q &= _date_filter("order_date", query["orderDate"])
    if "consumerId" in query.get("consumer", {}):
        q &= _string_filter("consumer_id", query["consumer"]["consumerId"])
    for part in query.get("and", []):
        q &= query_to_q(part)
    if query.get("or"):
        alternatives = [query_to_q(part) for part in query["or"]]
        # An empty alternative matches every order, so the whole `or` does. (Q() | x would
        # be x: Django drops empty operands.)
        if all(alternatives):
            combined = alternatives[0]
            for alternative in alternatives[1:]:
                combined |= alternative
            q &= combined
    return q


# --- keyset pagination ---------------------------------------------------------------------

# Sort keys end with the id so that every order has a distinct position.
SORT_KEYS = {
    "orderDate": ("order_date", "id"),
    "status": ("status", "order_date", "id"),
}
DEFAULT_SORT = ("orderDate", "DESC")


def _encode_value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _decode_value(column, value):
    if column == "order_date":
        parsed = parse_wire_datetime(value)
        if parsed is None:
            raise ValueError(value)
        return parsed
    if column == "id":
        parsed = parse_uuid(value)
        if parsed is None:
            raise ValueError(value)
        return parsed
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def encode_cursor(sort_name, order):
    payload = {
        "s": sort_name,
        "k": [_encode_value(getattr(order, c)) for c in SORT_KEYS[sort_name]],
    }
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(sort_name, cursor):
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        columns = SORT_KEYS[payload["s"]]
        if payload["s"] != sort_name or len(payload["k"]) != len(columns):
            raise ValueError("cursor of another sort")
        return [_decode_value(c, v) for c, v in zip(columns, payload["k"], strict=True)]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            "Invalid cursor.",
            "Pass a startCursor or endCursor from a previous response of this same search "
            "(same sort).",
        ) from None


def _beyond(queryset, columns, values, *, greater, inclusive=False):
    """Rows whose sort key is beyond `values` by a row comparison, `(a, b) > (x, y)`, which
    PostgreSQL answers from the matching composite index."""
    table = Order._meta.db_table
    operator = (">" if greater else "<") + ("=" if inclusive else "")
    left = ", ".join(f'"{table}"."{Order._meta.get_field(c).column}"' for c in columns)
    right = ", ".join(["%s"] * len(values))
    connection = connections[queryset.db]
    params = [
        Order._meta.get_field(c).get_db_prep_value(v, connection)
        for c, v in zip(columns, values, strict=True)
    ]
    return queryset.extra(where=[f"({left}) {operator} ({right})"], params=params)


def _any_row(queryset, ordering):
    """EXISTS, phrased as an ordered LIMIT 1 so that PostgreSQL walks the sort index from the
    cursor instead of scanning the table when few rows match."""
    return queryset.order_by(*ordering).values_list("id", flat=True)[:1].first() is not None


def search_orders(payload):
    """Run a validated OrderSearchPayload. Returns a SearchPage of orders (line items
    prefetched), page info with cursors and, if asked for, the total."""
    sort_name, direction = DEFAULT_SORT
    if payload.get("sort"):
        ((sort_name, direction),) = payload["sort"][0].items()
    columns = SORT_KEYS[sort_name]
    ascending = direction == "ASC"
    ordering = [c if ascending else f"-{c}" for c in columns]
    reverse_ordering = [c[1:] if c.startswith("-") else f"-{c}" for c in ordering]

    filtered = Order.objects.filter(query_to_q(payload["query"]))

    after = payload.get("after")
    if payload.get("startAfterId"):
        anchor = Order.objects.filter(id=parse_uuid(payload["startAfterId"])).first()
        if anchor is None:
            raise InvalidInput("startAfterId: no such order.")
        after = encode_cursor(sort_name, anchor)

    backward = "last" in payload or "before" in payload
    limit = payload.get("last" if backward else "size") or DEFAULT_PAGE_SIZE
    if backward:
        page = filtered
        if payload.get("before"):
            values = decode_cursor(sort_name, payload["before"])
            page = _beyond(page, columns, values, greater=not ascending)
        rows = list(with_line_items_for_rendering(page.order_by(*reverse_ordering))[: limit + 1])
        has_previous = len(rows) > limit
        rows = rows[:limit][::-1]
        has_next = bool(payload.get("before")) and _any_row(
            _beyond(filtered, columns, values, greater=ascending, inclusive=True), ordering
        )
    else:
        page = filtered
        if after:
            values = decode_cursor(sort_name, after)
            page = _beyond(page, columns, values, greater=ascending)
        rows = list(with_line_items_for_rendering(page.order_by(*ordering))[: limit + 1])
        has_next = len(rows) > limit
        rows = rows[:limit]
        has_previous = bool(after) and _any_row(
            _beyond(filtered, columns, values, greater=not ascending, inclusive=True),
            reverse_ordering,
        )

    # An order damaged in the database is left out (and logged), not a 500 for everybody.
    rows = readable_rows(rows, what="order")
    page_info = PageInfo(
        has_next_page=has_next,
        has_previous_page=has_previous,
        start_cursor=encode_cursor(sort_name, rows[0]) if rows else None,
        end_cursor=encode_cursor(sort_name, rows[-1]) if rows else None,
    )
    total = filtered.count() if payload.get("options", {}).get("withTotal") else None
    return SearchPage(orders=rows, page_info=page_info, total=total)
