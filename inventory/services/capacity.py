"""The daily order counters (FacilityDailyOrders): raised by a promise at each facility it
reserves at, up to the facility's daily order capacity; lowered when the order is cancelled or
expires. One statement each, the same on PostgreSQL and SQLite (both have
INSERT … ON CONFLICT … WHERE … RETURNING); table and column names from `_meta`."""

from config.errors import InvalidInput
from config.identifiers import parse_uuid
from inventory import sql
from inventory.models import Facility, FacilityDailyOrders


class DailyCapacityReached(InvalidInput):
    """A facility took its last order of the day while this one was being routed."""

    def __init__(self, facility_ids):
        self.facility_ids = sorted(facility_ids, key=str)
        super().__init__(
            "A facility reached its daily order capacity.",
            "No capacity left today at facility " + ", ".join(map(str, self.facility_ids)) + ".",
        )


# Stands for "no daily capacity set": more orders than a facility takes in a day.
_UNLIMITED = 2**31 - 1
_COUNTERS = FacilityDailyOrders._meta.db_table
_FACILITIES = Facility._meta.db_table
_FACILITY, _DAY, _ORDERS = sql.columns(FacilityDailyOrders, "facility", "day", "orders")
[_CAPACITY] = sql.columns(Facility, "daily_order_capacity")
_FACILITY_KEY = FacilityDailyOrders._meta.get_field("facility").target_field


def _facility_parameter(facility_id, db):
    return _FACILITY_KEY.get_db_prep_value(parse_uuid(facility_id), db)


def count_facility_orders(facility_ids, *, day, enforce_capacity=True):
    """One more order on `day` at each facility (an order reserved stock there).

    One conditional upsert: a counter already at its facility's `daily_order_capacity` is not
    raised, and DailyCapacityReached names those facilities. The caller's transaction must
    then roll back (the other counters were raised in it); the promise re-routes. Call it as
    the transaction's last write: the counter rows stay locked until the commit, and they are
    taken in facility order, as everywhere, so writers never deadlock.
    """
    facilities = sorted(set(facility_ids), key=str)
    if not facilities:
        return
    capacity = (
        f"COALESCE(facility.{_CAPACITY}, {_UNLIMITED})" if enforce_capacity else str(_UNLIMITED)
    )
    db = sql.database()
    with db.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_COUNTERS} ({_FACILITY}, {_DAY}, {_ORDERS})"
            f" SELECT facility.id, %s, 1 FROM {_FACILITIES} AS facility"
            f" WHERE facility.id IN ({sql.placeholders(facilities)}) AND {capacity} > 0"
            " ORDER BY facility.id"
            f" ON CONFLICT ({_FACILITY}, {_DAY})"
            f" DO UPDATE SET {_ORDERS} = {_COUNTERS}.{_ORDERS} + 1"
            f" WHERE {_COUNTERS}.{_ORDERS} < (SELECT {capacity} FROM {_FACILITIES} AS facility"
            f" WHERE facility.id = {_COUNTERS}.{_FACILITY})"
            f" RETURNING {_FACILITY}",
            [
                db.ops.adapt_datefield_value(day),
                *(_facility_parameter(facility, db) for facility in facilities),
            ],
        )
        counted = {parse_uuid(row[0]) for row in cursor.fetchall()}
    refused = [facility for facility in facilities if parse_uuid(facility) not in counted]
    if refused:
        raise DailyCapacityReached(refused)


def uncount_facility_orders(orders_by_facility_day):
    """Subtract cancelled or expired orders: {(facility_id, day): orders}. Never below zero
    (orders reserved before the counter existed were never counted)."""
    db = sql.database()
    rows = [
        (
            orders,
            orders,
            _facility_parameter(facility_id, db),
            db.ops.adapt_datefield_value(day),
        )
        for (facility_id, day), orders in sorted(orders_by_facility_day.items())
    ]
    if not rows:
        return
    with db.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {_COUNTERS}"
            f" SET {_ORDERS} = CASE WHEN {_ORDERS} > %s THEN {_ORDERS} - %s ELSE 0 END"
            f" WHERE {_FACILITY} = %s AND {_DAY} = %s",
            rows,
        )
