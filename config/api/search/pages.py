"""Keyset pagination of a search, and its rendered page.

Pages are cut by comparing the sort key (e.g. `(order_date, id)`) with the key in the cursor,
never with OFFSET: page 200 costs what page 1 costs, and rows inserted meanwhile neither shift
nor duplicate rows on later pages. Cursors are opaque (base64 of the sort key) and bound to
their sort.
"""

import base64
import binascii
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections
from django.db.models import F
from django.db.models.functions import Coalesce
from rest_framework import serializers

from config.errors import InvalidInput
from config.identifiers import parse_uuid

DEFAULT_PAGE_SIZE = 20


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
    """An entity's sort keys: {wire sort name: model fields, ending with a unique one}.

    `browsing_keys` are the sort keys whose index serves a page of all rows. A search whose
    filters pin its rows to another index sorts those rows instead of walking that index:
    walking it and filtering could read most of it before a small facility's rows fill a page.
    """

    model: type
    keys: dict
    default: tuple  # (wire sort name, "ASC" | "DESC")
    browsing_keys: frozenset = frozenset()

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


def _ordering(columns, ascending, *, by_index):
    """ORDER BY `columns`. Not `by_index`: the first one as COALESCE(c, c), the same order
    in a form the planner cannot read from c's index, so it sorts the filtered rows."""
    first, *rest = columns
    keys = [F(first) if by_index else Coalesce(first, first), *map(F, rest)]
    return [key.asc() if ascending else key.desc() for key in keys]


def search_page(filtered, payload, sorting, *, fetch=_unchanged, keep=_unchanged, pinned=False):
    """Run a validated search payload over `filtered` (the rows its query selects). `fetch`
    prepares the page's queryset for rendering (annotations, prefetches), `keep` may leave
    rows of the page out (ones that cannot be rendered), `pinned` says that the query's
    filters name its rows through an index (see Sorting.browsing_keys). Returns a SearchPage:
    the rows, page info with cursors and, if asked for, the total."""
    model = sorting.model
    sort_name, direction = sorting.default
    if payload.get("sort"):
        ((sort_name, direction),) = payload["sort"][0].items()
    columns = sorting.keys[sort_name]
    ascending = direction == "ASC"
    by_index = not (pinned and sort_name in sorting.browsing_keys)
    ordering = _ordering(columns, ascending, by_index=by_index)
    reverse_ordering = _ordering(columns, not ascending, by_index=by_index)

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
