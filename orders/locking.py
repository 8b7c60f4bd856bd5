"""Row locks for orders. Every state change of an order takes its row lock first, then checks,
in this order: the order exists and is not an expired promise (404), the client's `version`
(409), and only then whether its status allows the change (400, in the service). Concurrent
writers queue on the lock and all but the first see a newer version: a stale request always
gets 409, whoever won the race."""

from config import clock
from config.errors import NotFound, PromiseExpired, VersionConflict
from orders.models import UNROUTED_WAITING_STATUSES, Order, RoutingStatus
from orders.selectors import parse_order_id


def lock_order(order_id):
    """The order, locked until the end of the surrounding transaction.

    A promise past its validUntil is refused here, with the time read after the lock: an
    action that waited for the row must not act on a promise that expired while it waited.
    """
    order_uuid = parse_order_id(order_id)
    order = Order.objects.select_for_update().filter(id=order_uuid).first()
    if order is None:
        raise NotFound("Order not found.", f"There is no order with id {order_id}.")
    if order.is_expired_promise(clock.now()):
        raise PromiseExpired()
    return order


def lock_order_at_version(order_id, version):
    order = lock_order(order_id)
    if version is not None and order.version != version:
        raise VersionConflict(version=order.version, request_version=version)
    return order


def lock_unrouted_order(order_id):
    """The NOT_ROUTED order, locked, or None when another transaction holds it (SKIP LOCKED:
    a PATCH or another retry is at it) or it was routed or cancelled meanwhile."""
    return (
        Order.objects.select_for_update(skip_locked=True)
        .filter(
            id=order_id,
            routing_status=RoutingStatus.NOT_ROUTED,
            status__in=UNROUTED_WAITING_STATUSES,
        )
        .first()
    )
