"""Routes: how a facility's units reach the destination (the consumer, or the pickup store for a
collect), with which carrier option, when, at what cost and stand-alone per-set penalty.

Facilities sharing schedule, country and connections share one route, and the picking start,
the qualifying carrier options and each option's rating are computed once per request.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

from . import delivery
from .types import CarrierChoice, DeliveryEstimate, Facility, RoutingRequest

_MISSING = object()


class Route(NamedTuple):
    """A facility's best way to the destination (see `Routes.of`)."""

    # None when no connection qualifies: the estimate then assumes one day's transit at no cost
    # (for when the carrier fence is off).
    carrier: CarrierChoice | None
    estimate: DeliveryEstimate | None
    target_time: dt.datetime | None  # collect: when its units are ready at the pickup store
    days: int  # delivery-time metric of this node
    cost: float  # parcel cost (0 when nothing travels or the cost is unknown)
    currency: str | None
    standalone: float  # per-set penalty of this facility alone


# A route with no qualifying carrier, for a shipping facility the carrier fence excludes anyway.
NO_CARRIER_ROUTE = Route(None, None, None, 0, 0.0, None, 0.0)


class CarrierScore(NamedTuple):
    """Orders a facility's carrier options: the lowest is its route."""

    # `preferredCarriers` is a preference: used where the facility has one, never a fence.
    not_preferred: bool
    penalty: float
    days: int
    cost: float
    # The carriers' configured priority settles a tie before the key does.
    priority: float
    carrier_key: str
    product_category: str
    min_transit_days: int


class RatedOption(NamedTuple):
    score: CarrierScore | None  # None when the option cannot serve a collect
    route: Route | None


class Destination(NamedTuple):
    """Where the units go: the consumer's address, or the pickup store for a collect."""

    latitude: float | None
    longitude: float | None
    country: str
    target: str  # SHIP_TO_CUSTOMER | SHIP_TO_STORE (a connection's valid delivery targets)
    allowed_sources: frozenset[str]  # preselected (shipping) or supplying (collect) facilities
    pickup: Facility | None
    subdivision: str  # the destination region's code in the `holidays` package, or ""
    public_holidays: frozenset[dt.date]  # no delivery there on these days


class Routes:
    """The routes of one request's facilities. The caches are keyed by the identity of
    schedule, connection and service objects, which the request keeps alive, so the keys stay
    valid for as long as the caches."""

    __slots__ = (
        "calendars",
        "carrier_options",
        "carrier_required",
        "destination",
        "estimates",
        "picking_starts",
        "rated",
        "request",
        "weights",
    )

    def __init__(
        self, request: RoutingRequest, destination: Destination, weights, carrier_required
    ):
        self.request = request
        self.destination = destination
        self.weights = weights
        # With the carrier fence on, a shipping facility without a carrier is excluded anyway:
        # no fallback estimate for it.
        self.carrier_required = carrier_required
        self.picking_starts: dict[tuple, dt.datetime | None] = {}
        self.carrier_options: dict[tuple, list] = {}
        self.rated: dict[tuple, RatedOption] = {}
        self.estimates: dict[tuple, DeliveryEstimate] = {}
        self.calendars: dict[tuple, delivery.CarrierDays] = {}

    def _carrier_days(self, connection, facility: Facility | None) -> delivery.CarrierDays:
        """When `connection`'s carrier works at `facility` (collecting there), or, for None,
        where it delivers (the destination)."""
        calendar = None if connection is None else id(connection.non_delivery_days)
        if facility is None:
            days_key = (calendar, None, None)
        else:
            days_key = (calendar, facility.country, facility.subdivision)
        days = self.calendars.get(days_key)
        if days is None:
            if facility is None:
                target = self.destination
                days = delivery.carrier_days(
                    connection, target.country, target.subdivision, target.public_holidays
                )
            else:
                days = delivery.carrier_days(connection, facility.country, facility.subdivision)
            self.calendars[days_key] = days
        return days

    def of_pickup(self, pickup: Facility) -> Route | None:
        """The pickup store's own stock: nothing travels; None when it cannot pick."""
        estimate = delivery.estimate_unpicked(pickup, self.request.now)
        if estimate is None:
            return None
        days = max(estimate.max_delivery_days, 0)
        return Route(
            None, estimate, estimate.ready_at, days, 0.0, None, self.weights.fixed(0, 0.0, days)
        )

    def compute(self, facility: Facility) -> Route | None:
        """Best carrier option of `facility` towards the destination; None when the facility
        cannot pick (or, for a collect, its units cannot be ready at the pickup store)."""
        request = self.request
        now = request.now
        pickup = self.destination.pickup
        schedule = (facility.timezone, id(facility.picking_times), id(facility.closing_days))
        picking_starts = self.picking_starts
        picking_start = picking_starts.get(schedule, _MISSING)
        if picking_start is _MISSING:
            picking_start = picking_starts[schedule] = delivery.next_picking_start(facility, now)
        if picking_start is None:
            return None
        options_key = (id(facility.carrier_connections), facility.country)
        options = self.carrier_options.get(options_key)
        if options is None:
            options = self.carrier_options[options_key] = list(self._carrier_options(facility))
        if not options and pickup is None and self.carrier_required:
            return NO_CARRIER_ROUTE
        buffer = facility.fulfillment_process_buffer
        rated = self.rated
        best = None
        for connection, service in options:
            key = (schedule, buffer, facility.subdivision, id(connection), id(service))
            option = rated.get(key)
            if option is None:
                option = rated[key] = self._rate(
                    facility, picking_start, schedule, connection, service
                )
            score = option.score
            if score is not None and (best is None or score < best.score):
                best = option
        if best is not None:
            return best.route
        return self._without_carrier(facility, picking_start)

    def _without_carrier(self, facility: Facility, picking_start: dt.datetime) -> Route | None:
        """No connection qualifies: one day's transit, no cost (the carrier fence is off)."""
        now = self.request.now
        pickup = self.destination.pickup
        fixed = self.weights.fixed
        estimate = delivery.estimate_from_picking_start(
            facility,
            now,
            picking_start,
            23,
            59,
            1,
            1,
            self._carrier_days(None, facility),
            self._carrier_days(None, None),
        )
        if pickup is None:
            days = max(estimate.max_delivery_days, 0)
            return Route(None, estimate, None, days, 0.0, None, fixed(1, 0.0, days))
        target_time = delivery.transfer_arrival_target(pickup, estimate.latest_delivery_date, now)
        if target_time is None:
            return None
        days = max((target_time.date() - now.date()).days, 0)
        return Route(None, estimate, target_time, days, 0.0, None, fixed(1, 0.0, days))

    def _carrier_options(self, facility: Facility):
        """(connection, service) pairs of active connections serving the destination."""
        request = self.request
        target = self.destination.target
        country = self.destination.country
        category = request.carrier_product_category
        same_day = request.service_level == "SAMEDAY"
        for connection in facility.carrier_connections:
            if not connection.active:
                continue
            targets = connection.valid_delivery_targets
            if targets and target not in targets:
                continue
            for service in connection.services:
                if service.source_country and service.source_country != facility.country:
                    continue
                if country not in service.destination_countries:
                    continue
                if category and service.product_category != category:
                    continue
                if same_day and service.max_transit_days != 0:
                    continue
                yield connection, service

    def _rate(self, facility, picking_start, schedule, connection, service) -> RatedOption:
        """`facility` shipping with `service` of `connection`: its score and route."""
        request = self.request
        now = request.now
        pickup = self.destination.pickup
        weights = self.weights
        estimate = self._estimate(facility, picking_start, schedule, connection, service)
        target_time = None
        if pickup is not None:
            target_time = delivery.transfer_arrival_target(
                pickup, estimate.latest_delivery_date, now
            )
            if target_time is None:
                return RatedOption(None, None)
            days = (target_time.date() - now.date()).days
        else:
            days = estimate.max_delivery_days
        cost = service.cost or 0.0
        preferred = request.preferred_carrier_keys
        score = CarrierScore(
            bool(preferred) and connection.carrier_key not in preferred,
            weights.fixed(weights.free_parcels, cost, days),
            days,
            cost,
            math.inf if connection.priority is None else connection.priority,
            connection.carrier_key,
            service.product_category,
            service.min_transit_days,
        )
        carrier = CarrierChoice(
            carrier_id=connection.carrier_id,
            carrier_key=connection.carrier_key,
            carrier_name=connection.carrier_name,
            product_category=service.product_category,
            min_transit_days=service.min_transit_days,
            max_transit_days=service.max_transit_days,
            cost=service.cost,
            currency=service.currency,
        )
        currency = service.currency if service.cost is not None else None
        days = max(days, 0)
        route = Route(
            carrier, estimate, target_time, days, cost, currency, weights.fixed(1, cost, days)
        )
        return RatedOption(score, route)

    def _estimate(self, facility, picking_start, schedule, connection, service):
        key = (
            schedule,
            facility.fulfillment_process_buffer,
            connection.cutoff_hour,
            connection.cutoff_minute,
            service.min_transit_days,
            service.max_transit_days,
            id(connection.non_delivery_days),
            facility.country,
            facility.subdivision,
        )
        estimate = self.estimates.get(key)
        if estimate is None:
            estimate = self.estimates[key] = delivery.estimate_from_picking_start(
                facility,
                self.request.now,
                picking_start,
                connection.cutoff_hour,
                connection.cutoff_minute,
                service.min_transit_days,
                service.max_transit_days,
                self._carrier_days(connection, facility),
                self._carrier_days(connection, None),
            )
        return estimate
