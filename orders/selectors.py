"""Reads of orders. Lists prefetch line items so a page costs a fixed number of queries."""

from dataclasses import dataclass

from django.db import connections
from django.db.models import JSONField, Prefetch, Q
from django.db.models.expressions import RawSQL

from config.errors import InvalidInput, NotFound
from config.identifiers import parse_uuid
from config.unreadable import readable_rows
from inventory.models import Reservation
from orders.models import (
    UNROUTED_WAITING_STATUSES,
    Order,
    OrderLineItem,
    OrderModificationConfiguration,
    OrderStatus,
    RoutingStatus,
)


def parse_order_id(order_id):
    """Our ids are UUIDs; anything else names no order (404, not a 500)."""
    parsed = parse_uuid(order_id)
    if parsed is None:
        raise NotFound("Order not found.", f"There is no order with id {order_id}.")
    return parsed


def with_line_items(queryset):
    return queryset.prefetch_related(
        Prefetch("order_line_items", queryset=OrderLineItem.objects.order_by("position", "id"))
    )


# PostgreSQL: the line items of each order as one JSON array in the order's own row. A search
# page then costs one query instead of two and no line item model instances; this halves the
# time of a page (see docs/benchmarks.md). Rendered by OrderSerializer like prefetched lines.
_LINE_ITEMS_JSON = """(
    SELECT COALESCE(jsonb_agg(jsonb_build_object(
        'id', line.id, 'article', line.article, 'quantity', line.quantity,
        'customAttributes', line.custom_attributes, 'extra', line.extra
    ) ORDER BY line.position, line.id), '[]'::jsonb)
    FROM {lines} AS line WHERE line.order_id = {orders}.id
)"""


def with_line_items_for_rendering(queryset):
    """Line items for OrderSerializer: inlined as JSON on PostgreSQL, prefetched elsewhere."""
    if connections[queryset.db].vendor != "postgresql":
        return with_line_items(queryset)
    sql = _LINE_ITEMS_JSON.format(lines=OrderLineItem._meta.db_table, orders=Order._meta.db_table)
    return queryset.annotate(line_items_json=RawSQL(sql, [], output_field=JSONField()))


def get_order(order_id):
    order_uuid = parse_order_id(order_id)
    order = with_line_items(Order.objects.filter(id=order_uuid)).first()
    if order is None:
        raise NotFound("Order not found.", f"There is no order with id {order_id}.")
    return order


@dataclass
class OrderList:
    orders: list
    total: int


# GET /api/orders lists the newest orders first; startAfterId continues after a given order.
LIST_ORDERING = ("-order_date", "-id")


def list_orders(*, start_after_id=None, size=25, tenant_order_id=None, consumer_id=None):
    queryset = Order.objects.all()
    if tenant_order_id is not None:
        queryset = queryset.filter(tenant_order_id=tenant_order_id)
    if consumer_id is not None:
        queryset = queryset.filter(consumer_id=consumer_id)
    total = queryset.count()
    page = queryset
    if start_after_id is not None:
        anchor = (
            Order.objects.filter(id=parse_uuid(start_after_id)).values("order_date", "id").first()
        )
        if anchor is None:
            raise InvalidInput(
                "startAfterId: no such order.",
                f"There is no order with id {start_after_id} to continue after.",
            )
        page = page.filter(
            Q(order_date__lt=anchor["order_date"])
            | Q(order_date=anchor["order_date"], id__lt=anchor["id"])
        )
    orders = list(with_line_items(page.order_by(*LIST_ORDERING))[:size])
    return OrderList(orders=readable_rows(orders, what="order"), total=total)


def unrouted_orders(*, after=None, size=100):
    """[(created, id)] of NOT_ROUTED orders waiting for stock, oldest first, after the
    `(created, id)` key `after` (keyset: a retry run visits each order once)."""
    queryset = Order.objects.filter(
        routing_status=RoutingStatus.NOT_ROUTED,
        status__in=UNROUTED_WAITING_STATUSES,
    )
    if after is not None:
        created, order_id = after
        queryset = queryset.filter(Q(created__gt=created) | Q(created=created, id__gt=order_id))
    return list(queryset.order_by("created", "id").values_list("created", "id")[:size])


def get_order_modification_configuration():
    configuration, _ = OrderModificationConfiguration.objects.get_or_create(pk=1)
    return configuration


def promises_holding_stock(now):
    """(live promises, the reservations they hold) at `now`: PROMISED orders whose validUntil
    is ahead, found through the expiry sweep's partial index, so the cost follows the number of
    live promises, not the size of the order or reservation tables."""
    live = Order.objects.filter(status=OrderStatus.PROMISED, promise_valid_until__gt=now)
    held = Reservation.objects.active(now).filter(order_line_item__order__in=live)
    return live.count(), held.count()
