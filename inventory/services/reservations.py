"""Stock held for orders: reserve (under the stock locks), release, make permanent, extend and
shrink. Every write that could take stock locks it first (inventory.locking) and re-reads
availability under the lock."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models.functions import TruncDate
from django.utils import timezone

from config import clock
from config.db import insert_instances
from config.errors import InvalidInput, PromiseExpired
from inventory.locking import lock_stocks, lock_stocks_of_order
from inventory.models import Reservation
from inventory.selectors.availability import stock_levels
from inventory.services.capacity import uncount_facility_orders


@dataclass(frozen=True)
class Allocation:
    """`quantity` units of an article at a facility, for one order line."""

    facility_id: object
    tenant_article_id: str
    quantity: int
    order_line_item_id: object = None


@dataclass(frozen=True)
class Shortage:
    facility_id: object
    tenant_article_id: str
    requested: int
    available: int


class InsufficientStock(InvalidInput):
    def __init__(self, shortages):
        self.shortages = shortages
        details = "; ".join(
            f"{shortage.tenant_article_id}: requested {shortage.requested}, "
            f"available {shortage.available}"
            for shortage in shortages
        )
        super().__init__("Not enough stock.", details)


def reserve_stock(allocations, *, valid_until):
    """Reserve every allocation or nothing.

    Locks the stock rows in id order, then re-reads availability under the lock, so two
    checkouts racing for the last unit cannot both get it. Its own transaction, or part of the
    caller's without a savepoint (a checkout would pay two more round trips): a shortage is
    raised after the block, when nothing has been written.
    """
    requested = defaultdict(int)
    for allocation in allocations:
        if allocation.quantity <= 0:
            raise InvalidInput("A reservation needs a positive quantity.")
        requested[(allocation.facility_id, allocation.tenant_article_id)] += allocation.quantity

    with transaction.atomic(savepoint=False):
        stocks = lock_stocks(requested)
        # Read after the locks: a reservation that expired while we waited is free.
        levels = stock_levels(stocks.values(), now=clock.now())
        shortages = _shortages(requested, stocks, levels)
        if not shortages:
            return insert_instances(
                Reservation(
                    stock=stocks[(allocation.facility_id, allocation.tenant_article_id)],
                    facility_id=allocation.facility_id,
                    tenant_article_id=allocation.tenant_article_id,
                    quantity=allocation.quantity,
                    order_line_item_id=allocation.order_line_item_id,
                    valid_until=valid_until,
                )
                for allocation in allocations
            )
    raise InsufficientStock(shortages)


def _shortages(requested, stocks, levels):
    """The keys asking for more than is available, in key order."""
    shortages = []
    for key, quantity in sorted(requested.items(), key=lambda item: (str(item[0][0]), item[0][1])):
        stock = stocks.get(key)
        available = levels[stock.id].available if stock else 0
        if quantity > available:
            shortages.append(Shortage(key[0], key[1], quantity, available))
    return shortages


@transaction.atomic
def release_order_reservations(order_id):
    """Free everything an order holds. Returns the number of reservations removed.

    Releasing only ever raises availability, so it needs no stock lock. The order no longer
    weighs on the daily capacity of the facilities it held stock at.
    """
    deleted, facility_days = _delete_order_reservations(order_id)
    uncount_facility_orders(dict.fromkeys(facility_days, 1))
    return deleted


def delete_order_reservations(order_id):
    """Delete what an order holds but leave its daily counters to the caller: a re-route
    adjusts them after its new reservations, so that counter rows stay the last locks it
    takes. Returns the {(facility_id, UTC day)} the order was counted on."""
    return _delete_order_reservations(order_id)[1]


def _delete_order_reservations(order_id):
    reservations = Reservation.objects.filter(order_line_item__order_id=order_id)
    facility_days = set(
        reservations.annotate(day=TruncDate("created", tzinfo=datetime.UTC)).values_list(
            "facility_id", "day"
        )
    )
    deleted, _ = reservations.delete()
    return deleted, facility_days


def _lock_active_reservations_of_order(order_id):
    """Lock the order's stock rows, then confirm its temporary reservations are still active.
    Returns (reservations, the time read after the locks).

    Under the lock no concurrent reservation can have counted them as expired and taken the
    stock after this check, so turning them permanent (or extending them) cannot oversell.
    """
    lock_stocks_of_order(order_id)
    now = clock.now()
    reservations = Reservation.objects.filter(order_line_item__order_id=order_id)
    if reservations.expired(now).exists():
        raise PromiseExpired()
    return reservations, now


@transaction.atomic
def make_order_reservations_permanent(order_id):
    reservations, _ = _lock_active_reservations_of_order(order_id)
    return reservations.update(valid_until=None, last_modified=timezone.now())


@transaction.atomic
def extend_order_reservations(order_id, duration):
    """Hold the order's temporary reservations for `duration` from now; returns the new
    validUntil."""
    reservations, now = _lock_active_reservations_of_order(order_id)
    reservations.filter(valid_until__isnull=False).update(
        valid_until=now + duration, last_modified=timezone.now()
    )
    return now + duration
