"""How an order that holds no stock says so on the wire (the reference has no routing field).

A NOT_ROUTED order carries the tag `{"id": "routingStatus", "value": "NOT_ROUTED"}` (a
`TagReference`: machine-readable, one lookup for a client) and a `statusReasons` entry whose
reason starts with "Not routed: " and says why (human-readable, beside its status). Both go
once the order is routed. The column `Order.routing_status` is what the server filters on;
these marks are its wire form. See docs/decisions.md, "Every order is routed".
"""

from orders.models import RoutingStatus

ROUTING_STATUS_TAG_ID = "routingStatus"
NOT_ROUTED_TAG = {"id": ROUTING_STATUS_TAG_ID, "value": RoutingStatus.NOT_ROUTED.value}
NOT_ROUTED_REASON_PREFIX = "Not routed: "


def _without_marks(order):
    tags = [
        tag
        for tag in order.tags or []
        if not (isinstance(tag, dict) and tag.get("id") == ROUTING_STATUS_TAG_ID)
    ]
    reasons = [
        reason
        for reason in order.status_reasons or []
        if not (
            isinstance(reason, dict)
            and str(reason.get("reason", "")).startswith(NOT_ROUTED_REASON_PREFIX)
        )
    ]
    return tags, reasons


def mark_not_routed(order, reason):
    """The order holds no stock because of `reason` (replaces an earlier reason)."""
    tags, reasons = _without_marks(order)
    order.routing_status = RoutingStatus.NOT_ROUTED
    order.tags = [*tags, dict(NOT_ROUTED_TAG)]
    order.status_reasons = [
        *reasons,
        {"status": order.status, "reason": f"{NOT_ROUTED_REASON_PREFIX}{reason}"},
    ]
    return order


def mark_routed(order):
    order.routing_status = RoutingStatus.ROUTED
    order.routing_flagged_at = None
    order.tags, order.status_reasons = _without_marks(order)
    return order
