"""Event payloads: the same JSON the API returns for the entity (GET /api/orders/{id},
GET /api/stocks/{id}), so a receiver can reuse the client models it already has.

Serializers are imported when called: the events app must not import the apps that call it
at module load time (they import events.services)."""

import copy
import logging

from config.unreadable import UnreadableValueError

logger = logging.getLogger(__name__)


def order_payload(order):
    """The order as GET /api/orders/{id} renders it. Prefetch `order_line_items` to keep this
    to no extra query."""
    from orders.serializers import OrderSerializer

    return OrderSerializer(order).data


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


def stock_payloads(stocks):
    """The stocks as GET /api/stocks/{id} renders them. The caller sets `stock.reserved` and
    `stock.available` (the inventory services compute them under the row lock); the facilities'
    tenantFacilityIds are read in one query when the stocks do not carry them."""
    from inventory.models import Facility
    from inventory.serializers import StockSerializer

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
