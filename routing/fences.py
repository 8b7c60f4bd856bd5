"""Fences: which facilities may source a request, and for each one that may not, the fence that
keeps it out (`RoutingDecision.excluded_facilities`).

Every fence is one entry of `FENCES`; the configuration switches it on or off by its name.
A facility fence (`keeps_out`) gets the facilities stocking part of the cart and returns those it
keeps out; a route fence (`rejects_route`) judges a facility's route (routing/routes.py), once
per distinct route. Facility fences come first in table order, then "cannot pick", then route
fences in table order: the first that applies is the one reported. For a collect,
`refuses_pickup` says why the pickup store itself cannot serve (then nothing is sourced).

Facilities stocking nothing of the cart are not candidates and are not listed as excluded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from .routes import Route, Routes
from .types import (
    FENCE_CAPACITY,
    FENCE_CARRIER,
    FENCE_COMPLETE_STOCK,
    FENCE_FACILITY_COUNTRY,
    FENCE_FACILITY_SERVICE,
    FENCE_FACILITY_STATUS,
    FENCE_PRESELECTED_FACILITIES,
    ONLINE,
    PICKUP,
    SHIP_FROM_STORE,
    STORE,
    Facility,
    RoutingRequest,
)

_MISSING = object()


class FenceScope(NamedTuple):
    """What the fences read besides the facility itself."""

    demand: list[int]  # per cart article
    # Stock row per facility stocking part of the cart: units available of each article, then
    # the units of the cart it cannot give.
    stock: dict[str, list[int]]
    pickup_id: str | None
    allowed_sources: frozenset[str]  # empty: any
    max_sources: int
    destination_country: str  # the consumer's, or the pickup store's for a collect


# A facility that passed every fence, with its route (the input of candidate preparation):
# (units of the cart it cannot give, facility, is pickup, route, stock row). A plain tuple, always
# unpacked by name, never indexed: one is made per eligible facility, and a named tuple's
# construction measured +10 % instructions on a level-0 solve at 1,000 facilities.
Eligible = tuple[int, Facility, bool, Route, list[int]]


class Fence(NamedTuple):
    name: str  # the configuration's name (routing.types FENCE_NAMES)
    # A facility fence: of the facilities given, those it keeps out (judging each on its own).
    keeps_out: Callable[[FenceScope, list[Facility]], list[Facility]] | None = None
    # A route fence: whether a route keeps its facilities out (judged once per distinct route;
    # the pickup store's own stock does not travel and is never judged).
    rejects_route: Callable[[Route], bool] | None = None
    # Collect: why the pickup store cannot serve, or None.
    refuses_pickup: Callable[[Facility], str | None] | None = None


def _lacks_part_of_the_cart(scope: FenceScope, facilities: list[Facility]) -> list[Facility]:
    if scope.max_sources != 1:
        return []  # splitting is allowed: no facility needs the whole cart
    stock = scope.stock
    demand = scope.demand
    # (zip stops at the demand: the stock row's last item is the units missing)
    return [
        facility
        for facility in facilities
        if any(
            units < need for units, need in zip(stock[facility.facility_id], demand, strict=False)
        )
    ]


def _not_online(scope: FenceScope, facilities: list[Facility]) -> list[Facility]:
    return [facility for facility in facilities if facility.status != ONLINE]


def _pickup_not_online(pickup: Facility) -> str | None:
    return None if pickup.status == ONLINE else f"The pickup facility is {pickup.status}."


def _without_capacity(scope: FenceScope, facilities: list[Facility]) -> list[Facility]:
    return [
        facility
        for facility in facilities
        if facility.remaining_capacity is not None and facility.remaining_capacity <= 0
    ]


def _not_preselected(scope: FenceScope, facilities: list[Facility]) -> list[Facility]:
    allowed = scope.allowed_sources
    if not allowed:
        return []  # nothing preselected: any facility may source
    pickup_id = scope.pickup_id  # the pickup store's own stock is always allowed
    return [
        facility
        for facility in facilities
        if facility.facility_id not in allowed and facility.facility_id != pickup_id
    ]


def _store_not_shipping(scope: FenceScope, facilities: list[Facility]) -> list[Facility]:
    """A store ships (or transfers into the pickup store) only with SHIP_FROM_STORE;
    warehouses and external facilities ship without it."""
    stores = [
        facility
        for facility in facilities
        if facility.location_type == STORE and SHIP_FROM_STORE not in facility.services
    ]
    pickup_id = scope.pickup_id
    if pickup_id is None:
        return stores
    return [facility for facility in stores if facility.facility_id != pickup_id]


def _outside_destination_country(scope: FenceScope, facilities: list[Facility]) -> list[Facility]:
    """Only facilities in the destination's country ship (or transfer into the pickup store)."""
    country = scope.destination_country
    return [facility for facility in facilities if facility.country != country]


def _pickup_without_pickup_service(pickup: Facility) -> str | None:
    return None if PICKUP in pickup.services else "The pickup facility does not offer PICKUP."


def _without_carrier(route: Route) -> bool:
    return route.carrier is None


# Facility fences in table order, then "cannot pick" (below), then route fences in table order:
# the first that applies is the one reported.
FENCES = (
    Fence(FENCE_COMPLETE_STOCK, keeps_out=_lacks_part_of_the_cart),
    Fence(FENCE_FACILITY_STATUS, keeps_out=_not_online, refuses_pickup=_pickup_not_online),
    Fence(FENCE_CAPACITY, keeps_out=_without_capacity),
    Fence(FENCE_PRESELECTED_FACILITIES, keeps_out=_not_preselected),
    Fence(
        FENCE_FACILITY_SERVICE,
        keeps_out=_store_not_shipping,
        refuses_pickup=_pickup_without_pickup_service,
    ),
    Fence(FENCE_FACILITY_COUNTRY, keeps_out=_outside_destination_country),
    Fence(FENCE_CARRIER, rejects_route=_without_carrier),
)


def pickup_refusal(request: RoutingRequest, pickup: Facility) -> str | None:
    """Why the pickup store cannot serve a collect, or None."""
    config = request.configuration
    for fence in FENCES:
        if fence.refuses_pickup is not None and config.fence_active(fence.name):
            reason = fence.refuses_pickup(pickup)
            if reason:
                return reason
    return None


class _RouteVerdict(NamedTuple):
    route: Route | None  # None: the facilities cannot pick
    rejected_by: str | None  # the fence keeping the route's facilities out


def eligible(
    request: RoutingRequest, scope: FenceScope, routes: Routes, excluded: dict[str, str]
) -> list[Eligible]:
    """The facilities stocking part of the cart that pass every active fence, in request
    order, with their routes; `excluded` gets the others (facility id → fence name), also in
    request order.

    A facility that cannot pick (no picking window ahead, or for a collect its units could not
    be ready at the pickup store) is excluded as `facilityStatus` whether that fence is on or
    not: it could never be ready."""
    config = request.configuration
    active = [fence for fence in FENCES if config.fence_active(fence.name)]
    stock = scope.stock
    stocking = [facility for facility in request.facilities if facility.facility_id in stock]
    flagged: dict[str, str] = {}  # facility id → first facility fence keeping it out
    for fence in active:
        if fence.keeps_out is not None:
            for facility in fence.keeps_out(scope, stocking):
                flagged.setdefault(facility.facility_id, fence.name)
    route_fences = [fence for fence in active if fence.rejects_route is not None]

    def verdict(facility: Facility) -> _RouteVerdict:
        route = routes.compute(facility)
        if route is None:
            return _RouteVerdict(None, FENCE_FACILITY_STATUS)
        rejected_by = next((f.name for f in route_fences if f.rejects_route(route)), None)
        return _RouteVerdict(route, rejected_by)

    stock_of = stock.__getitem__
    flag_of = flagged.get
    pickup_id = scope.pickup_id
    verdicts: dict[tuple, _RouteVerdict] = {}
    verdict_of = verdicts.get
    entries = []
    add_entry = entries.append
    for facility in stocking:
        facility_id = facility.facility_id
        reason = flag_of(facility_id)
        if reason is not None:
            excluded[facility_id] = reason
            continue
        is_pickup = pickup_id is not None and facility_id == pickup_id
        if is_pickup:
            route = routes.of_pickup(facility)
            reason = FENCE_FACILITY_STATUS if route is None else None
        else:
            # Facilities sharing schedule, country and connections share the route. Identity
            # keys: same objects, same content (the adapter shares equal ones).
            key = (
                id(facility.carrier_connections),
                id(facility.picking_times),
                facility.fulfillment_process_buffer,
                facility.country,
                facility.subdivision,
                facility.timezone,
                id(facility.closing_days),
            )
            judged = verdict_of(key)
            if judged is None:
                judged = verdicts[key] = verdict(facility)
            route, reason = judged
        if reason is not None:
            excluded[facility_id] = reason
            continue
        stocked = stock_of(facility_id)
        add_entry((stocked[-1], facility, is_pickup, route, stocked))
    return entries
