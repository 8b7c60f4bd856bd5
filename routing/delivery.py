"""Delivery-time estimates.

Rules (documented in docs/decisions.md, "Routing"):
- Picking starts at the facility's next picking window (now, if inside one), skipping closing
  days; a facility with no picking times at all picks around the clock. No window within
  `HORIZON_DAYS` → the facility cannot pick (excluded).
- The parcel is ready `fulfillment_process_buffer` minutes after picking starts.
- It leaves with the carrier that day if ready by the connection's cut-off and the day is a
  carrier day (the carrier works in the facility's region that day, and it is not one of the
  facility's closing days, which include its region's public holidays); otherwise on the next
  carrier day.
- Transit days count the days on which the carrier delivers in the destination's region: not
  its non-delivery weekdays or dates there (Sunday when it configures nothing), not a public
  holiday of the destination's region.
- Delivery days are counted from the facility-local date of `now`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from .types import (
    DEFAULT_NON_DELIVERY_WEEKDAYS,
    CarrierConnection,
    DeliveryEstimate,
    Facility,
    PickingWindow,
)

HORIZON_DAYS = 21


class CarrierDays(NamedTuple):
    """The days a carrier works in one region: every day but these weekdays and dates."""

    weekdays: frozenset[int]
    dates: frozenset[dt.date]

    def works(self, day: dt.date) -> bool:
        return day.weekday() not in self.weekdays and day not in self.dates


# A carrier with nothing configured, in a region without public holidays.
DEFAULT_CARRIER_DAYS = CarrierDays(DEFAULT_NON_DELIVERY_WEEKDAYS, frozenset())


def carrier_days(
    connection: CarrierConnection | None,
    country: str,
    subdivision: str,
    public_holidays: frozenset[dt.date] = frozenset(),
) -> CarrierDays:
    """When `connection`'s carrier works in the region (`country`, `subdivision`): see
    `routing.types.NonDeliveryDays`; the region's public holidays are never working days."""
    entries = connection.non_delivery_days if connection is not None else ()
    province = subdivision.casefold()
    here = [entry for entry in entries if entry.country in ("", country)]
    national = [entry for entry in here if not entry.province]
    regional = [entry for entry in here if entry.province and entry.province.casefold() == province]
    weekdays = set() if national else set(DEFAULT_NON_DELIVERY_WEEKDAYS)
    dates = set(public_holidays)
    for entry in (*national, *regional):
        weekdays |= entry.weekdays
        dates |= entry.dates
    return CarrierDays(frozenset(weekdays), frozenset(dates))


@lru_cache(maxsize=64)
def zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except Exception:  # unknown names fall back to UTC rather than failing a checkout
        return dt.UTC


def _has_picking_times(picking_times: tuple[tuple[PickingWindow, ...], ...]) -> bool:
    return any(picking_times)


def next_picking_start(facility: Facility, after: dt.datetime) -> dt.datetime | None:
    """The first moment at or after `after` inside one of the facility's picking windows."""
    local = after.astimezone(zone(facility.timezone))
    if not _has_picking_times(facility.picking_times):
        return local
    tz = local.tzinfo
    for offset in range(HORIZON_DAYS):
        day = local.date() + dt.timedelta(days=offset)
        if day in facility.closing_days:
            continue
        windows = facility.picking_times[day.weekday()]
        for window in sorted(windows, key=lambda w: (w.start, w.end)):
            start = dt.datetime.combine(day, window.start, tzinfo=tz)
            end = dt.datetime.combine(day, window.end, tzinfo=tz)
            if end <= local:
                continue
            return max(start, local)
    return None


def is_carrier_day(facility: Facility, day: dt.date, collection: CarrierDays) -> bool:
    """Whether a parcel can leave `facility` on `day` with a carrier working `collection`."""
    return collection.works(day) and day not in facility.closing_days


def add_transit_days(
    start: dt.date, days: int, delivery: CarrierDays = DEFAULT_CARRIER_DAYS
) -> dt.date:
    """`days` transit days after `start`, counting only days the carrier delivers
    (`delivery`); 0 → `start` itself."""
    current = start
    remaining = days
    for _ in range(days + 4 * HORIZON_DAYS):  # a carrier working no day at all still ends
        if remaining <= 0:
            break
        current += dt.timedelta(days=1)
        if delivery.works(current):
            remaining -= 1
    return current


def ship_date_for(
    facility: Facility,
    ready_at: dt.datetime,
    cutoff_hour: int,
    cutoff_minute: int,
    collection: CarrierDays = DEFAULT_CARRIER_DAYS,
) -> tuple[dt.date, dt.datetime]:
    """The day the parcel leaves, and the latest picking start that still makes that cut-off."""
    day = ready_at.date()
    cutoff = dt.datetime.combine(day, dt.time(cutoff_hour, cutoff_minute), tzinfo=ready_at.tzinfo)
    if ready_at > cutoff or not is_carrier_day(facility, day, collection):
        day += dt.timedelta(days=1)
        for _ in range(HORIZON_DAYS):
            if is_carrier_day(facility, day, collection):
                break
            day += dt.timedelta(days=1)
        cutoff = dt.datetime.combine(
            day, dt.time(cutoff_hour, cutoff_minute), tzinfo=ready_at.tzinfo
        )
    latest_picking_start = cutoff - dt.timedelta(minutes=facility.fulfillment_process_buffer)
    return day, latest_picking_start


def estimate_shipment(
    facility: Facility,
    now: dt.datetime,
    cutoff_hour: int,
    cutoff_minute: int,
    min_transit_days: int,
    max_transit_days: int,
    collection: CarrierDays = DEFAULT_CARRIER_DAYS,
    delivery: CarrierDays = DEFAULT_CARRIER_DAYS,
) -> DeliveryEstimate | None:
    """Estimate for a parcel from `facility` handed to a carrier; None if it cannot pick.
    `collection`: the carrier's working days in the facility's region; `delivery`: its
    delivery days in the destination's region (see `carrier_days`)."""
    picking_start = next_picking_start(facility, now)
    if picking_start is None:
        return None
    return estimate_from_picking_start(
        facility,
        now,
        picking_start,
        cutoff_hour,
        cutoff_minute,
        min_transit_days,
        max_transit_days,
        collection,
        delivery,
    )


def estimate_from_picking_start(
    facility: Facility,
    now: dt.datetime,
    picking_start: dt.datetime,
    cutoff_hour: int,
    cutoff_minute: int,
    min_transit_days: int,
    max_transit_days: int,
    collection: CarrierDays = DEFAULT_CARRIER_DAYS,
    delivery: CarrierDays = DEFAULT_CARRIER_DAYS,
) -> DeliveryEstimate:
    """`estimate_shipment` given `next_picking_start(facility, now)` (not None), so that a
    caller estimating several carriers of one schedule looks the picking start up once."""
    ready_at = picking_start + dt.timedelta(minutes=facility.fulfillment_process_buffer)
    ship_date, latest_picking_start = ship_date_for(
        facility, ready_at, cutoff_hour, cutoff_minute, collection
    )
    latest_picking_start = max(latest_picking_start, picking_start)
    earliest = add_transit_days(ship_date, min_transit_days, delivery)
    latest = add_transit_days(ship_date, max_transit_days, delivery)
    today = now.astimezone(picking_start.tzinfo).date()
    return DeliveryEstimate(
        picking_start=picking_start,
        latest_picking_start=latest_picking_start,
        ready_at=ready_at,
        ship_date=ship_date,
        earliest_delivery_date=earliest,
        latest_delivery_date=latest,
        min_delivery_days=(earliest - today).days,
        max_delivery_days=(latest - today).days,
    )


def collect_target_time(pickup: Facility, available_from: dt.datetime) -> dt.datetime | None:
    """When stock present at the pickup store from `available_from` is ready for the consumer:
    the store's next picking start plus its buffer, moved into a picking window if the buffer
    ends outside one (so the target time is always within the store's picking times)."""
    start = next_picking_start(pickup, available_from)
    if start is None:
        return None
    ready = start + dt.timedelta(minutes=pickup.fulfillment_process_buffer)
    return next_picking_start(pickup, ready)


def estimate_unpicked(facility: Facility, now: dt.datetime) -> DeliveryEstimate | None:
    """The pickup store's own stock: no carrier, ready at its collect target time."""
    picking_start = next_picking_start(facility, now)
    target = collect_target_time(facility, now)
    if picking_start is None or target is None:
        return None
    today = now.astimezone(picking_start.tzinfo).date()
    days = (target.date() - today).days
    return DeliveryEstimate(
        picking_start=picking_start,
        latest_picking_start=picking_start,
        ready_at=target,
        ship_date=target.date(),
        earliest_delivery_date=target.date(),
        latest_delivery_date=target.date(),
        min_delivery_days=days,
        max_delivery_days=days,
    )


def transfer_arrival_target(
    pickup: Facility, arrival_date: dt.date, now: dt.datetime
) -> dt.datetime | None:
    """Target time for stock arriving at the pickup store on `arrival_date`."""
    tz = zone(pickup.timezone)
    arrival = max(dt.datetime.combine(arrival_date, dt.time(0, 0), tzinfo=tz), now)
    return collect_target_time(pickup, arrival)
