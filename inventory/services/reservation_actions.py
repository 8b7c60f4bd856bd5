"""POST /api/reservations/actions: remove the selected reservations, keeping the stock or
reducing it by what they held (the units left with the reservation, e.g. sold at the till).

Removing a reservation only frees stock, so keeping the stock needs no stock lock; reducing it
locks the stock rows first, in id order (inventory.locking), then re-reads which reservations
still hold stock. An order whose reservations are removed keeps its status; it no longer
weighs on a facility's daily order count once nothing of it is reserved there that day.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest, TruncDate
from django.utils import timezone

from config import clock
from config.errors import InvalidInput
from events.services import record_stock_events
from inventory.locking import lock_stocks_by_ids
from inventory.models import Reservation, Stock
from inventory.selectors.availability import stock_levels, with_levels
from inventory.services.capacity import uncount_facility_orders

# More than this many reservations in one call is a 400: narrow the selector.
MAX_RESERVATIONS_PER_ACTION = 500


@dataclass
class RemovedReservation:
    id: object
    stock_id: object
    # [(stock id, its version after the change)] for REMOVE_RESERVATIONS_REDUCE_STOCKS.
    stock_operations: list = field(default_factory=list)


@transaction.atomic
def remove_reservations(selection, *, reduce_stock):
    """Delete the reservations `selection` (a Q over reservations) names; with `reduce_stock`,
    lower each stock row's value by what its removed reservations actively held (expired ones
    held nothing). Returns [RemovedReservation] in id order."""
    chosen = list(
        Reservation.objects.filter(selection)
        .order_by("id")
        .values_list("id", "stock_id")[: MAX_RESERVATIONS_PER_ACTION + 1]
    )
    if len(chosen) > MAX_RESERVATIONS_PER_ACTION:
        raise InvalidInput(
            f"More than {MAX_RESERVATIONS_PER_ACTION} reservations selected.",
            "Narrow the reservationSelector (one order, or reservationRefs).",
        )
    stocks = lock_stocks_by_ids({stock_id for _, stock_id in chosen}) if reduce_stock else []
    # Under the stock locks (or none): what is still there of the chosen reservations.
    reservations = list(
        Reservation.objects.select_for_update()
        .filter(id__in=[reservation_id for reservation_id, _ in chosen])
        .order_by("id")
    )
    now = clock.now()
    removed = [
        RemovedReservation(reservation.id, reservation.stock_id) for reservation in reservations
    ]
    counted = _facility_days_of_orders(reservations)
    Reservation.objects.filter(id__in=[reservation.id for reservation in reservations]).delete()
    _uncount_orders_left_without_stock(counted)
    if reduce_stock:
        _reduce_stock(stocks, reservations, removed, now)
    return removed


def _reduce_stock(stocks, reservations, removed, now):
    held = defaultdict(int)
    for reservation in reservations:
        if reservation.is_active(now):
            held[reservation.stock_id] += reservation.quantity
    for stock in stocks:
        if held[stock.id]:
            Stock.objects.filter(id=stock.id).update(
                value=Greatest(F("value") - held[stock.id], 0),
                version=F("version") + 1,
                last_modified=timezone.now(),
            )
    changed = Stock.objects.filter(id__in=[stock_id for stock_id, units in held.items() if units])
    changed = list(changed.order_by("id"))
    levels = stock_levels(changed, now=now)
    versions = {stock.id: with_levels(stock, levels[stock.id]).version for stock in changed}
    record_stock_events(changed)
    for reservation in removed:
        if reservation.stock_id in versions:
            reservation.stock_operations.append(
                (reservation.stock_id, versions[reservation.stock_id])
            )


def _facility_days_of_orders(reservations):
    """{(order id, facility id, UTC day)} the removed reservations of orders were counted on."""
    rows = (
        Reservation.objects.filter(
            id__in=[reservation.id for reservation in reservations],
            order_line_item__isnull=False,
        )
        .annotate(day=TruncDate("created", tzinfo=datetime.UTC))
        .values_list("order_line_item__order_id", "facility_id", "day")
    )
    return set(rows)


def _uncount_orders_left_without_stock(counted):
    """One order less on each (facility, day) where an order no longer holds anything."""
    if not counted:
        return
    orders = {order_id for order_id, _, _ in counted}
    still_held = set(
        Reservation.objects.filter(order_line_item__order_id__in=orders)
        .annotate(day=TruncDate("created", tzinfo=datetime.UTC))
        .values_list("order_line_item__order_id", "facility_id", "day")
    )
    gone = defaultdict(int)
    for _order, facility_id, day in counted - still_held:
        gone[(facility_id, day)] += 1
    uncount_facility_orders(dict(gone))


def reservation_selection(
    *, reservation_ids=None, order_ids=None, tenant_order_ids=None, predicate=None
):
    """The Q of a ReservationActionSelector: every part given must hold (a part given empty,
    e.g. ids of which none is a UUID, selects nothing)."""
    parts = [
        Q(id__in=reservation_ids) if reservation_ids is not None else None,
        Q(order_line_item__order_id__in=order_ids) if order_ids is not None else None,
        Q(order_line_item__order__tenant_order_id__in=tenant_order_ids)
        if tenant_order_ids is not None
        else None,
        predicate,
    ]
    parts = [part for part in parts if part is not None]
    if not parts:
        raise InvalidInput("reservationSelector: name the reservations to act on.")
    selection = parts[0]
    for part in parts[1:]:
        selection &= part
    return selection
