"""Event payloads: the same JSON the API returns for the entity (GET /api/orders/{id},
GET /api/stocks/{id}), so a receiver can reuse the client models it already has.

The one module of the events app that knows the other apps' entities; it reads and renders
only (their serializers and selectors), so the services that record events can import
events.services without a cycle."""

import copy
import logging

from config.unreadable import UnreadableValueError
from inventory.models import Facility
from inventory.serializers.stocks import StockSerializer
from orders.models import Order
from orders.selectors import with_line_items
from orders.serializers.representation import order_representation

logger = logging.getLogger(__name__)


def order_payload(order):
    """The order as GET /api/orders/{id} renders it. Prefetch `order_line_items` to keep this
    to no extra query."""
    return order_representation(order)


# Key of a minimal payload that stands in for an order that could not be rendered.
RENDER_ERROR_KEY = "renderError"


def order_payload_or_minimal(order):
    """`order_payload`, or for an order holding a stored value that cannot be rendered (a row
    damaged in the database) a minimal payload: its id, version, status and tenantOrderId,
    which is what a receiver needs to act on a cancellation, and `renderError` saying why the
    rest is missing (the admin lists such events). The change that emits the event goes on."""
    try:
        return order_payload(order)
    except UnreadableValueError as error:
        logger.error("Order %s cannot be rendered for its event: %s", order.pk, error)
        payload = {"id": str(order.pk), "version": order.version, "status": order.status}
        if order.tenant_order_id is not None:
            payload["tenantOrderId"] = order.tenant_order_id
        payload[RENDER_ERROR_KEY] = f"The order could not be rendered in full: {error}."
        return payload


def order_payloads(order_ids):
    """`order_payload_or_minimal` of each order, in id order (two queries)."""
    orders = with_line_items(Order.objects.filter(id__in=list(order_ids)).order_by("id"))
    # One damaged order must not stop the sweep cancelling the others.
    return [order_payload_or_minimal(order) for order in orders]


def stock_payloads(stocks):
    """The stocks as GET /api/stocks/{id} renders them. The caller sets `stock.reserved` and
    `stock.available` (the inventory services compute them under the row lock); the facilities'
    tenantFacilityIds are read in one query when the stocks do not carry them."""
    stocks = list(stocks)
    missing = {stock.facility_id for stock in stocks if not hasattr(stock, "tenant_facility_id")}
    tenant_facility_ids = dict(
        Facility.objects.filter(id__in=missing).values_list("id", "tenant_facility_id")
        if missing
        else []
    )
    serializer = StockSerializer()
    for stock in stocks:
        if not hasattr(stock, "tenant_facility_id"):
            stock = copy.copy(stock)  # leave the caller's instance (and its response) as it is
            stock.tenant_facility_id = tenant_facility_ids.get(stock.facility_id)
        yield serializer.to_representation(stock)
