"""The retry of orders accepted without stock (NOT_ROUTED): the beat task
`promises.tasks.route_unrouted_orders` runs `route_unrouted_orders` every minute.

Oldest first, each order once per run. The candidates are read in batches without a lock; each
order is then locked with `SELECT … FOR UPDATE SKIP LOCKED` (an order a PATCH or another run
holds is skipped, not waited for) and routed in its own short transaction, so the stock rows of
two orders are never locked in one transaction (they would not be in id order and could
deadlock with a checkout). An order still not routed `UNROUTED_ORDER_FLAG_AFTER_MINUTES`
(default 8 h) after its creation is flagged for staff once, with ORDER_ROUTING_OVERDUE.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction

from config import clock
from config.errors import InvalidInput
from events.models import EventName
from events.services import record_order_event
from orders import modification
from orders.history import SYSTEM_ACTOR
from orders.locking import lock_unrouted_order
from orders.selectors import get_order, unrouted_orders
from promises.placement import ORDER_SHORTAGE, route_locked_order

RETRY_BATCH_SIZE = 100


def flag_after():
    return timedelta(minutes=settings.UNROUTED_ORDER_FLAG_AFTER_MINUTES)


def route_unrouted_orders(*, batch_size=RETRY_BATCH_SIZE):
    """Route every NOT_ROUTED order the network can serve now. Returns how many it routed."""
    routed, after = 0, None
    while True:
        batch = unrouted_orders(after=after, size=batch_size)
        for _, order_id in batch:
            routed += _route_one(order_id)
        if len(batch) < batch_size:
            return routed
        after = batch[-1]


def _route_one(order_id):
    with transaction.atomic():
        order = lock_unrouted_order(order_id)
        if order is None:
            return 0
        try:
            with transaction.atomic():
                routing = route_locked_order(order, summary=ORDER_SHORTAGE)
        except InvalidInput:
            _flag_when_overdue(order)
            return 0
        modification.save_modification(
            order, actor=SYSTEM_ACTOR, changes={"action": "ROUTE", "routing": routing}
        )
        return 1


def _flag_when_overdue(order):
    now = clock.now()
    if order.routing_flagged_at is not None or order.created > now - flag_after():
        return
    # Staff's flag, not a change of the order: no new version.
    order.routing_flagged_at = now
    order.save(update_fields=["routing_flagged_at"])
    record_order_event(EventName.ORDER_ROUTING_OVERDUE, get_order(order.id))
