"""Delivery-time estimates with a fixed `now` (Monday 23 November 2026)."""

import dataclasses
import datetime as dt

from routing import delivery
from routing.delivery import add_transit_days, estimate_shipment, next_picking_start
from routing.types import NonDeliveryDays

from .builders import AMSTERDAM, MONDAY_MORNING, postnl, store

TZ = delivery.zone(AMSTERDAM)


def local(day, hour, minute=0):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def test_inside_a_picking_window_picking_starts_now_and_ships_today():
    facility = store("s1")  # picking 9–18, buffer 240 min, cut-off 16:00
    estimate = estimate_shipment(facility, MONDAY_MORNING, 16, 0, 1, 2)
    assert estimate.picking_start == local(23, 10)
    assert estimate.ready_at == local(23, 14)
    assert estimate.ship_date == dt.date(2026, 11, 23)
    assert estimate.latest_picking_start == local(23, 12)
    assert estimate.earliest_delivery_date == dt.date(2026, 11, 24)
    assert estimate.latest_delivery_date == dt.date(2026, 11, 25)
    assert (estimate.min_delivery_days, estimate.max_delivery_days) == (1, 2)


def test_ready_after_the_cutoff_ships_the_next_day():
    facility = store("s1")
    now = local(23, 13)  # ready at 17:00 > 16:00 cut-off
    estimate = estimate_shipment(facility, now, 16, 0, 1, 2)
    assert estimate.ship_date == dt.date(2026, 11, 24)
    assert (estimate.min_delivery_days, estimate.max_delivery_days) == (2, 3)


def test_before_opening_picking_waits_for_the_window():
    facility = store("s1")
    now = local(23, 6)
    assert next_picking_start(facility, now) == local(23, 9)


def test_closing_day_moves_picking_to_the_next_open_day():
    facility = store("s1", closing_days=frozenset({dt.date(2026, 11, 23)}))
    estimate = estimate_shipment(facility, MONDAY_MORNING, 16, 0, 1, 1)
    assert estimate.picking_start == local(24, 9)
    assert estimate.ship_date == dt.date(2026, 11, 24)
    assert estimate.earliest_delivery_date == dt.date(2026, 11, 25)


def test_sunday_is_neither_a_carrier_day_nor_a_delivery_day():
    # Saturday 28 Nov, 15:00: ready 19:00, after the cut-off; Sunday no carrier → Monday.
    facility = store("s1")
    estimate = estimate_shipment(facility, local(28, 15), 16, 0, 1, 1)
    assert estimate.ship_date == dt.date(2026, 11, 30)
    assert estimate.earliest_delivery_date == dt.date(2026, 12, 1)
    # Friday with two transit days: Saturday, (Sunday skipped), Monday.
    assert add_transit_days(dt.date(2026, 11, 27), 2) == dt.date(2026, 11, 30)
    assert add_transit_days(dt.date(2026, 11, 27), 0) == dt.date(2026, 11, 27)


def test_after_the_last_window_of_the_week_picking_starts_monday():
    facility = store("s1")
    now = local(28, 19)  # Saturday evening, no Sunday picking
    assert next_picking_start(facility, now) == local(30, 9)


def test_no_picking_times_means_picking_around_the_clock():
    facility = store("s1", picking_times=((),) * 7)
    assert next_picking_start(facility, local(29, 3)) == local(29, 3)


def test_no_window_within_the_horizon_cannot_pick():
    closed_for_a_month = frozenset(dt.date(2026, 11, 23) + dt.timedelta(days=d) for d in range(30))
    closed = store("s3", closing_days=closed_for_a_month)
    assert next_picking_start(closed, MONDAY_MORNING) is None
    assert estimate_shipment(closed, MONDAY_MORNING, 16, 0, 1, 2) is None


def test_collect_target_time_falls_inside_the_pickup_store_picking_times():
    pickup = store("pickup")  # 9–18, buffer 4 h
    # Picking at 16:00 + 4 h = 20:00 is after closing: the target moves to Tuesday 09:00.
    assert delivery.collect_target_time(pickup, local(23, 16)) == local(24, 9)
    assert delivery.collect_target_time(pickup, local(23, 10)) == local(23, 14)
    # A transfer arriving Wednesday: ready Wednesday 13:00 (opening 9:00 + 4 h).
    arrival = delivery.transfer_arrival_target(pickup, dt.date(2026, 11, 25), MONDAY_MORNING)
    assert arrival == local(25, 13)


def test_carrier_days_combine_the_carrier_calendar_and_the_region_holidays():
    saturday_off = NonDeliveryDays("DE", "", frozenset({5, 6}))
    christmas_eve = NonDeliveryDays("DE", "BY", frozenset(), frozenset({dt.date(2026, 12, 24)}))
    connection = dataclasses.replace(postnl(), non_delivery_days=(saturday_off, christmas_eve))
    holidays = frozenset({dt.date(2026, 12, 25)})
    bavaria = delivery.carrier_days(connection, "DE", "BY", holidays)
    assert bavaria.weekdays == {5, 6}
    assert bavaria.dates == {dt.date(2026, 12, 24), dt.date(2026, 12, 25)}
    # Another state: the country's weekdays, not Bavaria's date.
    assert delivery.carrier_days(connection, "DE", "BE").dates == frozenset()
    # A country the carrier configures nothing for: no delivery on Sundays, as before.
    assert delivery.carrier_days(connection, "NL", "").weekdays == {6}
    assert delivery.carrier_days(None, "NL", "") == delivery.DEFAULT_CARRIER_DAYS
    # Thursday 24 December 2026 + 1 transit day in Bavaria: the 25th is a holiday, the 26th a
    # Saturday, the 27th a Sunday.
    assert add_transit_days(dt.date(2026, 12, 24), 1, bavaria) == dt.date(2026, 12, 28)
