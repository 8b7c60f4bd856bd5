"""Row locks for orders. Every state change of an order takes its row lock first, then checks
the client's `version`: concurrent writers queue on the lock and all but the first see a newer
version (409) instead of overwriting each other."""

from config.errors import NotFound, VersionConflict
from orders.models import Order
from orders.selectors import parse_order_id


def lock_order(order_id):
    """The order, locked until the end of the surrounding transaction."""
    order_uuid = parse_order_id(order_id)
    order = Order.objects.select_for_update().filter(id=order_uuid).first()
    if order is None:
        raise NotFound("Order not found.", f"There is no order with id {order_id}.")
    return order


def lock_order_at_version(order_id, version):
    order = lock_order(order_id)
    if version is not None and order.version != version:
        raise VersionConflict(version=order.version, request_version=version)
    return order
