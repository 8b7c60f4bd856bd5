"""Writes to the inventory. Reservation writes lock stock rows through inventory.locking."""

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.errors import InvalidInput, NotFound
from inventory.locking import lock_stocks, lock_stocks_of_order
from inventory.models import Reservation
from inventory.selectors import reserved_by_stock


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


class PromiseExpired(NotFound):
    def __init__(self):
        super().__init__("Order not found or expired.")


@transaction.atomic
def reserve_stock(allocations, *, valid_until, now=None):
    """Reserve every allocation or nothing.

    Locks the stock rows in id order, then re-reads availability under the lock, so two
    checkouts racing for the last unit cannot both get it.
    """
    requested = defaultdict(int)
    for allocation in allocations:
        if allocation.quantity <= 0:
            raise InvalidInput("A reservation needs a positive quantity.")
        requested[(allocation.facility_id, allocation.tenant_article_id)] += allocation.quantity

    stocks = lock_stocks(requested)
    # `now` is taken after the locks: a reservation that expired while we waited is free.
    now = now or timezone.now()
    reserved = reserved_by_stock([stock.id for stock in stocks.values()], now=now)

    shortages = []
    for key, quantity in sorted(requested.items(), key=lambda item: (str(item[0][0]), item[0][1])):
        stock = stocks.get(key)
        available = stock.value - reserved.get(stock.id, 0) if stock else 0
        if quantity > available:
            shortages.append(Shortage(key[0], key[1], quantity, max(available, 0)))
    if shortages:
        raise InsufficientStock(shortages)

    return Reservation.objects.bulk_create(
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


@transaction.atomic
def release_order_reservations(order_id):
    """Free everything an order holds. Returns the number of reservations removed.

    Releasing only ever raises availability, so it needs no stock lock.
    """
    deleted, _ = Reservation.objects.filter(order_line_item__order_id=order_id).delete()
    return deleted


def _lock_active_reservations_of_order(order_id, now):
    """Lock the order's stock rows, then confirm its temporary reservations are still active.

    Under the lock no concurrent reservation can have counted them as expired and taken the
    stock after this check, so turning them permanent (or extending them) cannot oversell.
    """
    lock_stocks_of_order(order_id)
    now = now or timezone.now()
    reservations = Reservation.objects.filter(order_line_item__order_id=order_id)
    if reservations.filter(valid_until__isnull=False, valid_until__lte=now).exists():
        raise PromiseExpired()
    return reservations


@transaction.atomic
def make_order_reservations_permanent(order_id, *, now=None):
    reservations = _lock_active_reservations_of_order(order_id, now)
    return reservations.update(valid_until=None, last_modified=timezone.now())


@transaction.atomic
def extend_order_reservations(order_id, valid_until, *, now=None):
    reservations = _lock_active_reservations_of_order(order_id, now)
    return reservations.filter(valid_until__isnull=False).update(
        valid_until=valid_until, last_modified=timezone.now()
    )


@transaction.atomic
def shrink_line_reservations(order_line_item_id, new_quantity):
    """Reduce what a line holds to at most `new_quantity` units (largest reservations keep
    theirs longest). Shrinking only frees stock, so it needs no stock lock."""
    if new_quantity < 0:
        raise InvalidInput("Quantity cannot be negative.")
    reservations = list(
        Reservation.objects.select_for_update()
        .filter(order_line_item_id=order_line_item_id)
        .order_by("-quantity", "id")
    )
    remaining = new_quantity
    for reservation in reservations:
        if remaining >= reservation.quantity:
            remaining -= reservation.quantity
        elif remaining > 0:
            Reservation.objects.filter(id=reservation.id).update(
                quantity=F("quantity") - (reservation.quantity - remaining),
                last_modified=timezone.now(),
            )
            remaining = 0
        else:
            reservation.delete()
