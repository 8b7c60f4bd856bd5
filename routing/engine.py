"""The routing engine: fences, ratings, greedy and branch-and-bound search.

Model. A solution is a set S of source facilities (|S| ≤ max_split_count). Given S, each
article's demand is filled from S's facilities in increasing per-unit penalty (optimal for a
fixed S: per article it is a fractional knapsack whose greedy answer is integral). The objective
is the sum of the rating penalties plus `BIG` per unit left unassigned, where BIG exceeds the
largest possible rating total: assigning more units always wins, then the lowest penalty wins.

Ratings split into
- per-set terms, monotone in S: number of deliveries, delivery costs (sum of parcel costs),
  delivery time (latest delivery among the nodes);
- per-unit terms, weighted by the share of the cart's units: geo distance, stock balancing,
  prefer store / prefer warehouse.
Monotone per-set terms and an optimistic fill give the branch-and-bound lower bound.

Determinism: candidates are ranked by (stand-alone objective, facility id); the search runs in
that order and its budget counts work units, not wall-clock time, so the same input always gives
the same output and a larger budget only continues the smaller one's search. A wall-clock limit
(the level's time budget plus SOLVE_OVERRUN_SECONDS) backs the work units up: only on a machine
too slow or loaded for the calibration does it stop a search early, and the decision says so.

Cost: preparing the candidates (fences, carrier choice, distance, per-unit penalties) is most of
a level-0 solve. Every facility stocking part of the cart goes through the fences and the carrier
choice (shared by facilities with the same schedule, country and connections); the rest of the
preparation is done at level 0 only for the candidates the greedy reads (`_LazyCandidates`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from typing import NamedTuple

from . import delivery
from .types import (
    COLLECT,
    FENCE_CAPACITY,
    FENCE_CARRIER,
    FENCE_COMPLETE_STOCK,
    FENCE_FACILITY_SERVICE,
    FENCE_FACILITY_STATUS,
    FENCE_PRESELECTED_FACILITIES,
    ONLINE,
    PICKUP,
    RATING_DELIVERY_COSTS,
    RATING_DELIVERY_TIME,
    RATING_GEO_DISTANCE,
    RATING_NUMBER_OF_DELIVERIES,
    RATING_PREFER_STORE,
    RATING_PREFER_WAREHOUSE,
    RATING_STOCK_BALANCING,
    SHIP_FROM_STORE,
    SHIP_TO_CUSTOMER,
    SHIP_TO_STORE,
    SHIPPING,
    STORE,
    WAREHOUSE,
    Allocation,
    CarrierChoice,
    CollectDestination,
    DeliveryEstimate,
    Facility,
    FulfillmentNode,
    Money,
    RatingResult,
    RoutingDecision,
    RoutingRequest,
    Transfer,
    TransferTimeLine,
    UnassignedQuantity,
)

EARTH_RADIUS_KM = 6371.0088
EARTH_DIAMETER_KM = 2 * EARTH_RADIUS_KM
# Work units (one unit ≈ one article looked at while bounding or evaluating a set) the exact
# search may spend at resource investment 1.0; calibrated by bench/routing.py so that a whole
# level-1 solve (preparation and search) normally ends well inside its time budget.
FULL_SEARCH_WORK_UNITS = 350_000
# The time budget of a solve at resource investment 1.0 (scaled by the level), and how far past
# it a solve may run: the work units above keep results deterministic, this wall-clock limit
# keeps a slow or overloaded machine from answering late (the search then returns its best so
# far, "exact (time limit)").
SOLVE_SECONDS_AT_FULL_INVESTMENT = 0.250
SOLVE_OVERRUN_SECONDS = 0.012
# Fixed cost of one bound or evaluation call, in work units.
CALL_WORK_UNITS = 6
# Greedy: how many ranked candidates it considers when adding a facility for missing stock.
GREEDY_POOL = 48
EPSILON = 1e-9
_MISSING = object()

RATING_TITLES = {
    RATING_GEO_DISTANCE: "Geo distance",
    RATING_NUMBER_OF_DELIVERIES: "Number of deliveries",
    RATING_DELIVERY_COSTS: "Delivery costs",
    RATING_DELIVERY_TIME: "Delivery time",
    RATING_STOCK_BALANCING: "Stock balancing",
    RATING_PREFER_STORE: "Prefer store",
    RATING_PREFER_WAREHOUSE: "Prefer warehouse",
}
RATING_ORDER = tuple(RATING_TITLES)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(slots=True)
class Candidate:
    """A facility that passed the fences, with everything the search needs precomputed."""

    facility: Facility
    is_pickup: bool
    carrier: CarrierChoice | None
    estimate: DeliveryEstimate | None
    target_time: dt.datetime | None  # collect: when its units are ready at the pickup store
    distance_km: float | None
    days: int  # delivery-time metric of this node
    cost: float  # parcel cost (0 when nothing travels or the cost is unknown)
    currency: str | None
    available: list[int]  # per article, capped at the article's demand
    unit_cost: list[float]  # per article, per-unit penalty (already divided by cart units)
    rank: int = 0
    standalone: float = 0.0


@dataclass
class Weights:
    deliveries: float
    deliveries_threshold: float
    costs: float
    costs_threshold: float
    time: float
    time_threshold: float
    big: float
    # Shipping: the first parcel is no split. Collect: every transfer into the store counts.
    free_parcels: int = 1

    def splits(self, parcels: int) -> int:
        return max(parcels - self.free_parcels, 0)

    def fixed(self, parcels: int, cost_sum: float, max_days: int) -> float:
        """Per-set penalties; `parcels` = members that ship (all but the pickup store)."""
        penalty = 0.0
        splits = parcels - self.free_parcels
        if splits > 0 and self.deliveries:
            penalty += self.deliveries * min(splits / self.deliveries_threshold, 1.0)
        if self.costs and cost_sum > 0:
            penalty += self.costs * min(cost_sum / self.costs_threshold, 1.0)
        if self.time and max_days > 0:
            penalty += self.time * min(max_days / self.time_threshold, 1.0)
        return penalty


@dataclass
class Problem:
    request: RoutingRequest
    method: str
    articles: list[str]
    demand: list[int]
    total_units: int
    candidates: list[Candidate]
    weights: Weights
    max_sources: int
    pickup: Facility | None
    excluded: dict[str, str] = field(default_factory=dict)
    failure_reason: str | None = None
    # Stock rows (see `build_problem`) of facilities that passed the fences but were never built
    # into `candidates` because the greedy did not reach them (`greedy_only=True`); they still
    # count as eligible stock when explaining a shortage.
    pruned: list[list[int]] = field(default_factory=list)
    # Level 0 only: the candidates not built yet, built group by group as the greedy reads them.
    lazy: _LazyCandidates | None = None


# ---------------------------------------------------------------- building the problem


def _rating_weight(config, name: str) -> tuple[float, float | None]:
    setting = config.rating(name)
    if not setting.active:
        return 0.0, setting.threshold
    return float(setting.max_penalty), setting.threshold


def _carrier_options(request: RoutingRequest, facility: Facility, target: str, country: str):
    """(connection, service) pairs of active connections serving `country` for `target`."""
    category = request.carrier_product_category
    same_day = request.service_level == "SAMEDAY"
    for connection in facility.carrier_connections:
        if not connection.active:
            continue
        if connection.valid_delivery_targets and target not in connection.valid_delivery_targets:
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


def _option(
    request, facility, picking_start, schedule, connection, service, pickup, weights, estimates
):
    """(score, route) of `facility` shipping with `service` of `connection` (see `_route`); the
    lowest score is the facility's route. Score None when the option cannot serve a collect."""
    now = request.now
    key = (
        schedule,
        facility.fulfillment_process_buffer,
        connection.cutoff_hour,
        connection.cutoff_minute,
        service.min_transit_days,
        service.max_transit_days,
    )
    estimate = estimates.get(key)
    if estimate is None:
        estimate = estimates[key] = delivery.estimate_from_picking_start(
            facility,
            now,
            picking_start,
            connection.cutoff_hour,
            connection.cutoff_minute,
            service.min_transit_days,
            service.max_transit_days,
        )
    target_time = None
    if pickup is not None:
        target_time = delivery.transfer_arrival_target(pickup, estimate.latest_delivery_date, now)
        if target_time is None:
            return None, None
        days = (target_time.date() - now.date()).days
    else:
        days = estimate.max_delivery_days
    cost = service.cost or 0.0
    preferred = request.preferred_carrier_keys
    score = (
        # `preferredCarriers` is a preference: used where the facility has one, never a fence.
        bool(preferred) and connection.carrier_key not in preferred,
        weights.fixed(weights.free_parcels, cost, days),
        days,
        cost,
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
    return score, (
        carrier,
        estimate,
        target_time,
        days,
        cost,
        currency,
        weights.fixed(1, cost, days),
    )


# A route with no qualifying carrier, for a shipping facility the carrier fence excludes anyway.
_NO_CARRIER_ROUTE = (None, None, None, 0, 0.0, None, 0.0)


def _route(request, facility, target, dest_country, pickup, weights, caches, check_carrier):
    """Best carrier option of `facility` towards the destination (or the pickup store):
    (carrier, estimate, collect target time, delivery-time metric in days, cost, currency,
    per-set penalty of this facility alone).
    Carrier None when no connection qualifies (the estimate then assumes one day's transit
    and no cost, for when the carrier fence is off); None when the facility cannot pick.

    `caches` = (picking starts, carrier options, options rated, estimates): dicts shared by the
    facilities of one request, keyed by the identity of schedule, connection and service
    objects, which the request keeps alive, so the keys stay valid for as long as the dicts."""
    picking_starts, carrier_options, rated, estimates = caches
    now = request.now
    schedule = (facility.timezone, id(facility.picking_times), id(facility.closing_days))
    picking_start = picking_starts.get(schedule, _MISSING)
    if picking_start is _MISSING:
        picking_start = picking_starts[schedule] = delivery.next_picking_start(facility, now)
    if picking_start is None:
        return None
    options_key = (id(facility.carrier_connections), facility.country)
    options = carrier_options.get(options_key)
    if options is None:
        options = carrier_options[options_key] = list(
            _carrier_options(request, facility, target, dest_country)
        )
    if not options and pickup is None and check_carrier:
        return _NO_CARRIER_ROUTE
    buffer = facility.fulfillment_process_buffer
    best = None
    for connection, service in options:
        key = (schedule, buffer, id(connection), id(service))
        option = rated.get(key)
        if option is None:
            option = rated[key] = _option(
                request,
                facility,
                picking_start,
                schedule,
                connection,
                service,
                pickup,
                weights,
                estimates,
            )
        score = option[0]
        if score is not None and (best is None or score < best[0]):
            best = option
    if best is not None:
        return best[1]
    estimate = delivery.estimate_from_picking_start(facility, now, picking_start, 23, 59, 1, 1)
    if pickup is None:
        days = max(estimate.max_delivery_days, 0)
        return (None, estimate, None, days, 0.0, None, weights.fixed(1, 0.0, days))
    target_time = delivery.transfer_arrival_target(pickup, estimate.latest_delivery_date, now)
    if target_time is None:
        return None
    days = max((target_time.date() - now.date()).days, 0)
    return (None, estimate, target_time, days, 0.0, None, weights.fixed(1, 0.0, days))


def _bounded_ratings(weights: Weights, thresholds: tuple[float, ...], *per_unit_weights) -> bool:
    """Whether every rating penalty is non-negative and at most its weight, so that a
    candidate's stand-alone objective lies in [BIG·m, BIG·m + BIG − 1] for m units missing."""
    if not all(math.isfinite(w) and w >= 0 for w in per_unit_weights):
        return False
    if any(math.isnan(threshold) for threshold in thresholds):
        return False
    return all(
        math.isfinite(w) and w >= 0 and math.isfinite(threshold) and threshold > 0
        for w, threshold in (
            (weights.deliveries, weights.deliveries_threshold),
            (weights.costs, weights.costs_threshold),
            (weights.time, weights.time_threshold),
        )
    )


_missing_units = itemgetter(0)


def _plain_coordinates(dest_lat: float, dest_lon: float, passed: list[tuple]) -> bool:
    """Whether the destination's and the facilities' coordinates are plain (latitude within
    ±90°, finite longitude) or absent. Other values give NaN distances, which have no rank, or
    raise, so those requests skip `_LazyCandidates` and rank or fail exactly as before. (The
    database already keeps facilities' coordinates in range; this costs ~0.1 µs a facility.)"""
    if not (-90.0 <= dest_lat <= 90.0 and -1e300 < dest_lon < 1e300):
        return False
    for entry in passed:
        facility = entry[1]
        latitude = facility.latitude
        if latitude is not None and not (
            -90.0 <= latitude <= 90.0 and -1e300 < facility.longitude < 1e300
        ):
            return False
    return True


class _LazyCandidates:
    """`problem.candidates` for the greedy alone (resource investment 0), built one group of
    facilities missing the same number of units at a time, as the greedy reads them.

    Exact, not a heuristic: with bounded ratings (`_bounded_ratings`) a candidate missing m
    whole units has a stand-alone objective in [BIG·m, BIG·m + BIG − 1], so every candidate
    missing fewer units ranks before every candidate missing more. The groups in increasing
    units missing, each sorted by (stand-alone objective, facility id), are therefore the
    candidates in rank order, with the same ranks. The greedy reads the best candidate and then
    scans in rank order until its pool is full, so it sees exactly the candidates it would see
    in the full list; usually that is the first group or two (a facility holding the whole cart
    misses nothing) instead of hundreds of facilities."""

    __slots__ = ("context", "order", "position", "problem")

    def __init__(self, problem: Problem, order: list[tuple], context: _PreparationContext):
        self.problem = problem
        self.order = order  # pass-1 entries sorted by units missing
        self.position = 0
        self.context = context

    def extend(self) -> bool:
        """Build and rank the next group; False when every group is built."""
        order = self.order
        position = self.position
        if position >= len(order):
            return False
        end = bisect.bisect_right(order, order[position][0], lo=position, key=_missing_units)
        group = _prepare(order[position:end], self.context)
        group.sort(key=_rank_key)
        candidates = self.problem.candidates
        rank = len(candidates)
        for candidate in group:
            candidate.rank = rank
            rank += 1
        candidates.extend(group)
        self.position = end
        return True

    def finish(self) -> None:
        """Stop building: the stock rows of the groups never built go to `problem.pruned`."""
        self.problem.pruned.extend([entry[4] for entry in self.order[self.position :]])
        self.problem.lazy = None


def build_problem(request: RoutingRequest, *, greedy_only: bool = False) -> Problem:
    """The candidates (facilities that pass the fences) with everything the search needs.

    `greedy_only`: the problem is only for `greedy` (resource investment 0), which reads the
    best-ranked candidates only: `candidates` is then built as the greedy reads it (see
    `_LazyCandidates`), and `optimise` builds the rest if it needs more. The greedy's answer is
    the same either way."""
    config = request.configuration
    articles: list[str] = []
    demand: list[int] = []
    index_of: dict[str, int] = {}
    for line in request.lines:
        if line.quantity <= 0:
            continue
        if line.tenant_article_id not in index_of:
            index_of[line.tenant_article_id] = len(articles)
            articles.append(line.tenant_article_id)
            demand.append(0)
        demand[index_of[line.tenant_article_id]] += line.quantity
    total_units = sum(demand)

    distance_weight, distance_threshold = _rating_weight(config, RATING_GEO_DISTANCE)
    balancing_weight, balancing_threshold = _rating_weight(config, RATING_STOCK_BALANCING)
    store_weight, _ = _rating_weight(config, RATING_PREFER_STORE)
    warehouse_weight, _ = _rating_weight(config, RATING_PREFER_WAREHOUSE)
    deliveries_weight, _ = _rating_weight(config, RATING_NUMBER_OF_DELIVERIES)
    costs_weight, costs_threshold = _rating_weight(config, RATING_DELIVERY_COSTS)
    time_weight, time_threshold = _rating_weight(config, RATING_DELIVERY_TIME)
    max_sources = max(1, int(config.max_split_count))
    total_max = sum(
        _rating_weight(config, name)[0] for name in RATING_ORDER
    )  # the largest rating total any solution can reach
    weights = Weights(
        deliveries=deliveries_weight,
        deliveries_threshold=float(max(max_sources - 1, 1)),
        costs=costs_weight,
        costs_threshold=float(costs_threshold or 30.0),
        time=time_weight,
        time_threshold=float(time_threshold or 7.0),
        big=total_max + 1.0,
        free_parcels=0 if isinstance(request.destination, CollectDestination) else 1,
    )
    distance_threshold = float(distance_threshold or 1000.0)
    balancing_threshold = float(balancing_threshold or 20.0)

    is_collect = isinstance(request.destination, CollectDestination)
    method = COLLECT if is_collect else SHIPPING
    problem = Problem(
        request=request,
        method=method,
        articles=articles,
        demand=demand,
        total_units=total_units,
        candidates=[],
        weights=weights,
        max_sources=max_sources,
        pickup=None,
    )
    if not articles:
        return problem

    pickup: Facility | None = None
    if is_collect:
        pickup = next(
            (f for f in request.facilities if f.facility_id == request.destination.facility_id),
            None,
        )
        problem.pickup = pickup
        if pickup is None:
            problem.failure_reason = "The pickup facility is unknown."
            return problem
        if config.fence_active(FENCE_FACILITY_STATUS) and pickup.status != ONLINE:
            problem.failure_reason = f"The pickup facility is {pickup.status}."
            return problem
        if config.fence_active(FENCE_FACILITY_SERVICE) and PICKUP not in pickup.services:
            problem.failure_reason = "The pickup facility does not offer PICKUP."
            return problem
        if delivery.next_picking_start(pickup, request.now) is None:
            problem.failure_reason = "The pickup facility has no picking time ahead."
            return problem
        dest_lat, dest_lon, dest_country = pickup.latitude, pickup.longitude, pickup.country
        target = SHIP_TO_STORE
        allowed_sources = request.supplying_facility_ids
    else:
        dest_lat = request.destination.latitude
        dest_lon = request.destination.longitude
        dest_country = request.destination.country
        target = SHIP_TO_CUSTOMER
        allowed_sources = request.preselected_facility_ids
    has_destination_coordinates = dest_lat is not None and dest_lon is not None

    availability = request.availability
    now = request.now
    check_status = config.fence_active(FENCE_FACILITY_STATUS)
    check_service = config.fence_active(FENCE_FACILITY_SERVICE)
    check_carrier = config.fence_active(FENCE_CARRIER)
    check_preselected = config.fence_active(FENCE_PRESELECTED_FACILITIES) and bool(allowed_sources)
    check_capacity = config.fence_active(FENCE_CAPACITY)
    complete_only = config.fence_active(FENCE_COMPLETE_STOCK) and max_sources == 1
    caches: tuple[dict, dict, dict, dict] = ({}, {}, {}, {})
    routes: dict[tuple, tuple | None] = {}
    excluded = problem.excluded
    article_count = len(articles)
    # Stock row per facility: units available of each cart article, then the units of the cart
    # it cannot give (demand minus what it holds, capped per article). Facilities absent stock
    # nothing of the cart.
    stock_by_facility: dict[str, list[int]] = {}
    if len(availability) <= len(request.facilities) * article_count:
        row_of = stock_by_facility.get
        article_at = index_of.get
        for (facility_id, article), units in availability.items():
            article_index = article_at(article)
            if article_index is not None and units > 0:
                row = row_of(facility_id)
                if row is None:
                    row = stock_by_facility[facility_id] = [0] * article_count
                    row.append(total_units)
                row[article_index] = units
                need = demand[article_index]
                row[article_count] -= units if units < need else need
    else:
        for facility in request.facilities:
            row = [availability.get((facility.facility_id, article), 0) for article in articles]
            if any(units > 0 for units in row):
                row = [max(units, 0) for units in row]
                missing = total_units
                for units, need in zip(row, demand, strict=True):
                    missing -= units if units < need else need
                row.append(missing)
                stock_by_facility[facility.facility_id] = row
    dest_phi = dest_cos = dest_lambda = 0.0
    if has_destination_coordinates:
        dest_phi = math.radians(dest_lat)
        dest_cos = math.cos(dest_phi)
        dest_lambda = math.radians(dest_lon)
    rate_distance = bool(distance_weight) and has_destination_coordinates
    # Stock-balancing penalty per unit for small whole numbers of units available: the same
    # expression as below, evaluated once per value instead of once per facility and article.
    balancing: dict[int, float] = {}
    if balancing_weight:
        table_size = int(balancing_threshold) + 1 if balancing_threshold < 256 else 256
        for units in range(table_size):
            if units < balancing_threshold:
                balancing[units] = balancing_weight * (1.0 - units / balancing_threshold)
    big = weights.big
    pickup_id = pickup.facility_id if pickup is not None else None
    stock_of = stock_by_facility.get
    route_of = routes.get

    # Pass 1, every facility that stocks something of the cart: fences and route.
    passed = []  # (units missing, facility, is pickup, route, stock row)
    add_passed = passed.append
    for facility in request.facilities:
        facility_id = facility.facility_id
        stocked = stock_of(facility_id)
        if stocked is None:
            continue  # stocks nothing of this cart: not a candidate, not excluded
        is_pickup = pickup_id is not None and facility_id == pickup_id
        # (zip stops at the demand: the stock row's last item is the units missing)
        if complete_only and any(
            units < need for units, need in zip(stocked, demand, strict=False)
        ):
            excluded[facility_id] = FENCE_COMPLETE_STOCK
            continue
        if check_status and facility.status != ONLINE:
            excluded[facility_id] = FENCE_FACILITY_STATUS
            continue
        if check_capacity:
            capacity = facility.remaining_capacity
            if capacity is not None and capacity <= 0:
                excluded[facility_id] = FENCE_CAPACITY
                continue
        if check_preselected and not is_pickup and facility_id not in allowed_sources:
            excluded[facility_id] = FENCE_PRESELECTED_FACILITIES
            continue
        if (
            check_service
            and facility.location_type == STORE
            and not is_pickup
            and SHIP_FROM_STORE not in facility.services
        ):
            excluded[facility_id] = FENCE_FACILITY_SERVICE
            continue

        if is_pickup:
            estimate = delivery.estimate_unpicked(facility, now)
            if estimate is None:
                excluded[facility_id] = FENCE_FACILITY_STATUS
                continue
            days = max(estimate.max_delivery_days, 0)
            route = (
                None,
                estimate,
                estimate.ready_at,
                days,
                0.0,
                None,
                weights.fixed(0, 0.0, days),
            )
        else:
            # Facilities sharing schedule, country and connections share the outcome.
            # Identity keys: same objects, same content (the adapter shares equal ones).
            route_key = (
                id(facility.carrier_connections),
                id(facility.picking_times),
                facility.fulfillment_process_buffer,
                facility.country,
                facility.timezone,
                id(facility.closing_days),
            )
            route = route_of(route_key, _MISSING)
            if route is _MISSING:
                route = routes[route_key] = _route(
                    request, facility, target, dest_country, pickup, weights, caches, check_carrier
                )
            if route is None:
                excluded[facility_id] = FENCE_FACILITY_STATUS
                continue
            if route[0] is None and check_carrier:
                excluded[facility_id] = FENCE_CARRIER
                continue
        add_passed((stocked[article_count], facility, is_pickup, route, stocked))

    context = _PreparationContext(
        demand=demand,
        total_units=total_units,
        big=big,
        has_destination_coordinates=has_destination_coordinates,
        dest_phi=dest_phi,
        dest_cos=dest_cos,
        dest_lambda=dest_lambda,
        rate_distance=rate_distance,
        distance_weight=distance_weight,
        distance_threshold=distance_threshold,
        store_weight=store_weight,
        warehouse_weight=warehouse_weight,
        balancing=balancing,
        balancing_weight=balancing_weight,
        balancing_threshold=balancing_threshold,
    )
    if (
        greedy_only
        and passed
        and _bounded_ratings(
            weights,
            (distance_threshold, balancing_threshold),
            distance_weight,
            balancing_weight,
            store_weight,
            warehouse_weight,
        )
        # Whole units missing (no fractional stock), and a gap of 1 far above rounding.
        and type(sum(map(_missing_units, passed))) is int
        and big * total_units < 2.0**40
        and (not has_destination_coordinates or _plain_coordinates(dest_lat, dest_lon, passed))
    ):
        passed.sort(key=_missing_units)
        problem.lazy = _LazyCandidates(problem, passed, context)
    else:
        problem.candidates = _prepare(passed, context)
    return problem


class _PreparationContext(NamedTuple):
    """What pass 2 of `build_problem` needs from pass 1 (unpacked into locals in `_prepare`)."""

    demand: list[int]
    total_units: int
    big: float
    has_destination_coordinates: bool
    dest_phi: float
    dest_cos: float
    dest_lambda: float
    rate_distance: bool
    distance_weight: float
    distance_threshold: float
    store_weight: float
    warehouse_weight: float
    balancing: dict[int, float]  # units available → stock-balancing penalty
    balancing_weight: float
    balancing_threshold: float


def _prepare(passed: list[tuple], context: _PreparationContext) -> list[Candidate]:
    """Pass 2 of `build_problem` for entries of pass 1 (units missing, facility, is pickup,
    route, stock row): distance, per-unit penalties, stand-alone objective."""
    (
        demand,
        total_units,
        big,
        has_destination_coordinates,
        dest_phi,
        dest_cos,
        dest_lambda,
        rate_distance,
        distance_weight,
        distance_threshold,
        store_weight,
        warehouse_weight,
        balancing,
        balancing_weight,
        balancing_threshold,
    ) = context
    radians, sin, cos, asin, sqrt = math.radians, math.sin, math.cos, math.asin, math.sqrt
    balancing_of = balancing.get
    candidates: list[Candidate] = []
    add_candidate = candidates.append
    for _, facility, is_pickup, route, stocked in passed:
        carrier, estimate, target_time, days, cost, currency, standalone = route
        location_type = facility.location_type

        if is_pickup:
            distance = 0.0
        elif has_destination_coordinates and facility.latitude is not None:
            phi = radians(facility.latitude)
            half_dphi = sin((dest_phi - phi) * 0.5)
            half_dlambda = sin((dest_lambda - radians(facility.longitude)) * 0.5)
            a = half_dphi * half_dphi + cos(phi) * dest_cos * half_dlambda * half_dlambda
            distance = EARTH_DIAMETER_KM * asin(sqrt(a) if a < 1.0 else 1.0)
        else:
            distance = None
        per_unit = 0.0
        if rate_distance:
            if distance is None or distance >= distance_threshold:
                per_unit = distance_weight
            else:
                per_unit = distance_weight * distance / distance_threshold
        if store_weight and location_type != STORE:
            per_unit += store_weight
        if warehouse_weight and location_type != WAREHOUSE:
            per_unit += warehouse_weight
        # Per article: units it can give (capped at the demand) and the per-unit penalty.
        available = []
        unit_cost = []
        for units, need in zip(stocked, demand, strict=False):  # not the row's last item
            taken = units if units < need else need
            available.append(taken)
            penalty = balancing_of(units)
            if penalty is not None:
                cost_here = (per_unit + penalty) / total_units
            elif balancing_weight and units < balancing_threshold:  # not a small whole number
                cost_here = (per_unit + balancing_weight * (1.0 - units / balancing_threshold)) / (
                    total_units
                )
            else:
                cost_here = per_unit / total_units
            unit_cost.append(cost_here)
            standalone += cost_here * taken + big * (need - taken)
        add_candidate(
            Candidate(
                facility,
                is_pickup,
                carrier,
                estimate,
                target_time,
                distance,
                days,
                cost,
                currency,
                available,
                unit_cost,
                0,
                standalone,
            )
        )
    return candidates


# ---------------------------------------------------------------- evaluating sets


def fill(problem: Problem, members: list[Candidate], article_index: int):
    """[(candidate, units)] filling one article from `members` cheapest first; and the units
    left unassigned."""
    need = problem.demand[article_index]
    result = []
    options = sorted(
        (c for c in members if c.available[article_index] > 0),
        key=lambda c: (c.unit_cost[article_index], c.rank),
    )
    for candidate in options:
        if need <= 0:
            break
        take = min(need, candidate.available[article_index])
        result.append((candidate, take))
        need -= take
    return result, need


def fixed_penalty(weights, members: list[Candidate]) -> float:
    """The penalties that depend only on which facilities are used: parcels, costs, days."""
    cost_sum = 0.0
    max_days = 0
    parcels = 0
    for candidate in members:
        cost_sum += candidate.cost
        if candidate.days > max_days:
            max_days = candidate.days
        parcels += not candidate.is_pickup
    return weights.fixed(parcels, cost_sum, max_days)


def evaluate(problem: Problem, members: list[Candidate]) -> float:
    """Objective of using exactly `members` (rating penalties + BIG per unassigned unit)."""
    weights = problem.weights
    total = fixed_penalty(weights, members)
    big = weights.big
    for article_index, need in enumerate(problem.demand):
        options = [
            (c.unit_cost[article_index], c.rank, c.available[article_index])
            for c in members
            if c.available[article_index] > 0
        ]
        if len(options) > 1:
            options.sort()
        for unit_cost, _, available in options:
            if need <= 0:
                break
            take = available if available < need else need
            total += unit_cost * take
            need -= take
        total += big * need
    return total


_rank_key = attrgetter("standalone", "facility.facility_id")


def rank_candidates(problem: Problem) -> None:
    problem.candidates.sort(key=_rank_key)
    for rank, candidate in enumerate(problem.candidates):
        candidate.rank = rank


def greedy(problem: Problem) -> tuple[list[Candidate], float]:
    """Best stand-alone facility, then add facilities while units are missing and it helps."""
    candidates = problem.candidates
    lazy = problem.lazy  # builds `candidates` further as the scan below reaches their end
    if lazy is not None and not candidates:
        lazy.extend()
    if not candidates:
        return [], evaluate(problem, [])
    chosen = [candidates[0]]
    best = candidates[0].standalone
    while len(chosen) < problem.max_sources:
        missing = []
        for article_index, need in enumerate(problem.demand):
            supplied = sum(c.available[article_index] for c in chosen)
            if supplied < need:
                missing.append(article_index)
        if not missing:
            break
        chosen_ranks = {c.rank for c in chosen}
        pool = []
        index = 0
        while index < len(candidates) or (lazy is not None and lazy.extend()):
            candidate = candidates[index]
            index += 1
            if candidate.rank in chosen_ranks:
                continue
            if any(candidate.available[a] > 0 for a in missing):
                pool.append(candidate)
                if len(pool) >= GREEDY_POOL:
                    break
        step_best = None
        for candidate in pool:
            value = evaluate(problem, [*chosen, candidate])
            if step_best is None or value < step_best[0] - EPSILON:
                step_best = (value, candidate)
        if step_best is None or step_best[0] >= best - EPSILON:
            break
        best = step_best[0]
        chosen.append(step_best[1])
    if lazy is not None:
        lazy.finish()
    return chosen, best


class _Search:
    """Depth-first branch and bound over facility sets in rank order."""

    def __init__(
        self,
        problem: Problem,
        incumbent: list[Candidate],
        value: float,
        budget: int,
        evaluated: list | None = None,
        deadline: float = math.inf,
    ):
        self.problem = problem
        self.best = list(incumbent)
        self.best_value = value
        self.budget = budget
        self.deadline = deadline
        self.work = 0
        self.exhausted = False
        self.timed_out = False
        # When alternatives are wanted: every (value, ranks) the search evaluated.
        self.evaluated = evaluated
        candidates = problem.candidates
        count = len(candidates)
        article_count = len(problem.articles)
        k = problem.max_sources
        # Per article, over candidates[i:]: the cheapest unit cost, and the k largest stocks.
        self.suffix_min = [[math.inf] * (count + 1) for _ in range(article_count)]
        self.suffix_top = [[()] * (count + 1) for _ in range(article_count)]
        for a in range(article_count):
            minimum = math.inf
            top: tuple[int, ...] = ()
            mins = self.suffix_min[a]
            tops = self.suffix_top[a]
            for i in range(count - 1, -1, -1):
                candidate = candidates[i]
                available = candidate.available[a]
                if available > 0:
                    if candidate.unit_cost[a] < minimum:
                        minimum = candidate.unit_cost[a]
                    if len(top) < k or available > top[-1]:
                        top = tuple(sorted((*top, available), reverse=True)[:k])
                mins[i] = minimum
                tops[i] = top
        self.work += count * article_count // 8

    def bound(self, members: list[Candidate], start: int) -> float:
        """Lower bound on the objective of `members` plus any facilities from `start` on."""
        problem = self.problem
        weights = problem.weights
        total = fixed_penalty(weights, members)
        slots = problem.max_sources - len(members)
        big = weights.big
        for a, need in enumerate(problem.demand):
            options = [(c.unit_cost[a], c.available[a]) for c in members if c.available[a] > 0]
            if slots > 0:
                extra = sum(self.suffix_top[a][start][:slots])
                if extra:
                    options.append((self.suffix_min[a][start], extra))
            options.sort()
            for unit_cost, available in options:
                if need <= 0:
                    break
                take = available if available < need else need
                total += unit_cost * take
                need -= take
            total += big * need
        self.work += CALL_WORK_UNITS + len(problem.demand) * (len(members) + 1)
        return total

    def run(self) -> None:
        self._expand([], 0)

    def _expand(self, members: list[Candidate], start: int) -> None:
        candidates = self.problem.candidates
        article_count = len(self.problem.demand)
        for index in range(start, len(candidates)):
            if self.work >= self.budget:
                self.exhausted = True
                return
            if time.perf_counter() >= self.deadline:
                self.exhausted = self.timed_out = True
                return
            if self.bound(members, index) >= self.best_value - EPSILON:
                return  # later starts only bound higher
            extended = [*members, candidates[index]]
            value = evaluate(self.problem, extended)
            self.work += CALL_WORK_UNITS + article_count * len(extended)
            if self.evaluated is not None:
                self.evaluated.append((value, tuple(c.rank for c in extended)))
            if value < self.best_value - EPSILON:
                self.best_value = value
                self.best = extended
            if len(extended) < self.problem.max_sources:
                self._expand(extended, index + 1)
                if self.exhausted:
                    return


def optimise(
    problem: Problem, level: float, evaluated: list | None = None, started: float | None = None
) -> tuple[list[Candidate], str]:
    """The best facility set and how it was found. With `evaluated` (a list), every set looked
    at is appended to it as (objective, ranks), for alternatives. `started` (perf_counter) is
    when the solve began, for its wall-clock limit."""
    if problem.lazy is not None and (level > 0 or evaluated is not None):
        while problem.lazy.extend():  # the search and alternatives need every candidate
            pass
        problem.lazy.finish()
    if problem.lazy is None:
        rank_candidates(problem)
    chosen, value = greedy(problem)
    if evaluated is not None:
        evaluated.append((value, tuple(c.rank for c in chosen)))
        evaluated.extend((c.standalone, (c.rank,)) for c in problem.candidates)
    if level <= 0 or not problem.candidates:
        return chosen, "greedy"
    budget = max(1, int(FULL_SEARCH_WORK_UNITS * min(level, 1.0)))
    deadline = (time.perf_counter() if started is None else started) + (
        SOLVE_SECONDS_AT_FULL_INVESTMENT * min(level, 1.0) + SOLVE_OVERRUN_SECONDS
    )
    search = _Search(problem, chosen, value, budget, evaluated, deadline)
    search.run()
    if search.timed_out:
        return search.best, "exact (time limit)"
    return search.best, "exact (budget exhausted)" if search.exhausted else "exact"


# ---------------------------------------------------------------- the decision


def _rating_result(config, name, penalty, metric, threshold, explanation) -> RatingResult:
    setting = config.rating(name)
    return RatingResult(
        name=name,
        title=RATING_TITLES[name],
        penalty=round(penalty, 6),
        metric=None if metric is None else round(metric, 6),
        threshold=threshold,
        max_penalty=float(setting.max_penalty) if setting.active else 0.0,
        explanation=explanation,
    )


def _rating_results(problem: Problem, members: list[Candidate], taken) -> list[RatingResult]:
    """Recompute each active rating on the final solution, with a sentence explaining it."""
    request = problem.request
    config = request.configuration
    weights = problem.weights
    total_units = problem.total_units
    assigned = sum(units for _, _, units in taken) or 0
    results = []
    count = len(members)

    def active(name):
        return config.rating(name).active

    if active(RATING_GEO_DISTANCE):
        setting = config.rating(RATING_GEO_DISTANCE)
        threshold = float(setting.threshold or 1000.0)
        known = [(c, units) for c, _, units in taken if c.distance_km is not None]
        has_coordinates = not (
            problem.method == SHIPPING
            and (request.destination.latitude is None or request.destination.longitude is None)
        )
        if not has_coordinates:
            results.append(
                _rating_result(
                    config,
                    RATING_GEO_DISTANCE,
                    0.0,
                    None,
                    threshold,
                    "The destination has no coordinates, so distance was not rated.",
                )
            )
        else:
            penalty = 0.0
            for c, _, units in taken:
                ratio = 1.0 if c.distance_km is None else min(c.distance_km / threshold, 1.0)
                penalty += setting.max_penalty * ratio * units / total_units
            mean = (
                sum(c.distance_km * units for c, units in known) / sum(u for _, u in known)
                if known
                else None
            )
            where = "to the pickup store" if problem.method == COLLECT else "to the consumer"
            text = (
                f"Units travel {mean:.0f} km on average {where} (full penalty at "
                f"{threshold:.0f} km, weighted by share of the cart's units)."
                if mean is not None
                else "No assigned unit has a known distance."
            )
            results.append(
                _rating_result(config, RATING_GEO_DISTANCE, penalty, mean, threshold, text)
            )
    if active(RATING_NUMBER_OF_DELIVERIES):
        parcels = sum(1 for c in members if not c.is_pickup)
        splits = weights.splits(parcels)
        penalty = weights.deliveries * min(splits / weights.deliveries_threshold, 1.0)
        if problem.method == COLLECT:
            text = (
                f"{parcels} transfer(s) into the pickup store"
                f"{' besides its own stock' if parcels < count else ''}; "
                f"full penalty at {weights.deliveries_threshold:.0f}."
            )
        else:
            text = (
                f"{count} parcel(s) from {count} facilit{'y' if count == 1 else 'ies'}, "
                f"{splits} split(s); at most {problem.max_sources} source(s) allowed, "
                f"full penalty at {weights.deliveries_threshold:.0f} split(s)."
            )
        if count == 0:
            text = "Nothing could be sourced."
        results.append(
            _rating_result(
                config,
                RATING_NUMBER_OF_DELIVERIES,
                penalty,
                float(splits),
                weights.deliveries_threshold,
                text,
            )
        )
    if active(RATING_DELIVERY_COSTS):
        cost_sum = sum(c.cost for c in members)
        currency = next((c.currency for c in members if c.currency), "")
        penalty = weights.costs * min(cost_sum / weights.costs_threshold, 1.0) if cost_sum else 0
        text = (
            f"Shipping costs {cost_sum:.2f} {currency} for {count} parcel(s) "
            f"(full penalty at {weights.costs_threshold:.2f})."
        ).replace("  ", " ")
        results.append(
            _rating_result(
                config, RATING_DELIVERY_COSTS, penalty, cost_sum, weights.costs_threshold, text
            )
        )
    if active(RATING_DELIVERY_TIME):
        max_days = max((c.days for c in members), default=0)
        penalty = weights.time * min(max_days / weights.time_threshold, 1.0) if max_days else 0
        what = "ready for collection" if problem.method == COLLECT else "delivered"
        text = (
            f"Everything is {what} within {max_days} day(s) "
            f"(full penalty at {weights.time_threshold:.0f} days)."
        )
        results.append(
            _rating_result(
                config, RATING_DELIVERY_TIME, penalty, float(max_days), weights.time_threshold, text
            )
        )
    if active(RATING_STOCK_BALANCING):
        setting = config.rating(RATING_STOCK_BALANCING)
        threshold = float(setting.threshold or 20.0)
        penalty = 0.0
        weighted_left = 0.0
        for c, article, units in taken:
            left = request.availability.get((c.facility.facility_id, article), 0)
            weighted_left += left * units
            penalty += setting.max_penalty * max(0.0, 1.0 - left / threshold) * units / total_units
        mean_left = weighted_left / assigned if assigned else None
        text = (
            f"Units come from stock of {mean_left:.1f} available on average "
            f"(no penalty from {threshold:.0f} available up)."
            if mean_left is not None
            else "Nothing taken from stock."
        )
        results.append(
            _rating_result(config, RATING_STOCK_BALANCING, penalty, mean_left, threshold, text)
        )
    for name, wanted in ((RATING_PREFER_STORE, STORE), (RATING_PREFER_WAREHOUSE, WAREHOUSE)):
        if not active(name):
            continue
        setting = config.rating(name)
        other = sum(units for c, _, units in taken if c.facility.location_type != wanted)
        penalty = setting.max_penalty * other / total_units if total_units else 0.0
        share = other / assigned if assigned else 0.0
        text = f"{other} of {assigned} unit(s) come from facilities that are not a {wanted}."
        results.append(_rating_result(config, name, penalty, share, 1.0, text))
    return results


def _assign_lines(problem: Problem, taken_by_article):
    """Split each article's per-facility units over its lines: lines that cannot be
    backordered are served first, so a shortage lands on backorderable lines."""
    lines_by_article: dict[str, list] = {}
    for line in problem.request.lines:
        if line.quantity > 0:
            lines_by_article.setdefault(line.tenant_article_id, []).append(line)
    allocations: dict[str, list[Allocation]] = {}
    unassigned: list[UnassignedQuantity] = []
    for article_index, article in enumerate(problem.articles):
        lines = sorted(lines_by_article[article], key=lambda line: line.allows_backorder)
        sources = [[c, units] for c, units in taken_by_article[article_index]]
        for line in lines:
            need = line.quantity
            for source in sources:
                if need == 0:
                    break
                if source[1] == 0:
                    continue
                take = min(need, source[1])
                source[1] -= take
                need -= take
                facility_id = source[0].facility.facility_id
                allocations.setdefault(facility_id, []).append(
                    Allocation(line.line_id, article, facility_id, take)
                )
            if need:
                unassigned.append(
                    UnassignedQuantity(
                        line_id=line.line_id,
                        tenant_article_id=article,
                        quantity=need,
                        backordered=line.allows_backorder,
                        reason=_shortage_reason(problem, article_index),
                    )
                )
    return allocations, unassigned


def _shortage_reason(problem: Problem, article_index: int) -> str:
    """Why units of an article stay unassigned, in words for the person reading the option."""
    if problem.failure_reason:
        return problem.failure_reason
    article = problem.articles[article_index]
    holders = [
        facility_id
        for (facility_id, held_article), units in problem.request.availability.items()
        if held_article == article and units > 0
    ]
    if not holders:
        return "No facility has this article available."
    eligible = sum(c.available[article_index] for c in problem.candidates)
    if problem.pruned:
        need = problem.demand[article_index]
        eligible += sum(min(need, row[article_index]) for row in problem.pruned)
    if eligible == 0:
        fences: dict[str, int] = {}
        for facility_id in holders:
            fence = problem.excluded.get(facility_id)
            if fence:
                fences[fence] = fences.get(fence, 0) + 1
        if set(fences) == {FENCE_COMPLETE_STOCK}:
            return "No single eligible facility holds the whole cart (splitting is off)."
        listed = ", ".join(f"{name} ×{count}" for name, count in sorted(fences.items()))
        return f"Every facility holding it is excluded by a fence ({listed or 'none apply'})."
    if eligible < problem.demand[article_index]:
        return f"Only {eligible} available in the eligible facilities."
    if problem.max_sources == 1:
        return "No single eligible facility holds the whole cart (splitting is off)."
    return f"Not enough within the allowed number of source facilities ({problem.max_sources})."


def build_decision(problem: Problem, members: list[Candidate], search: str) -> RoutingDecision:
    request = problem.request
    now = request.now
    taken_by_article = []
    for article_index in range(len(problem.articles)):
        taken, _ = fill(problem, members, article_index)
        taken_by_article.append(taken)
    allocations, unassigned = _assign_lines(problem, taken_by_article)
    # Sources that ended up supplying nothing are dropped (they would only add penalties).
    used = [c for c in members if c.facility.facility_id in allocations]
    used.sort(key=lambda c: (not c.is_pickup, c.rank))
    taken = [
        (c, problem.articles[a], units)
        for a, pairs in enumerate(taken_by_article)
        for c, units in pairs
    ]
    ratings = _rating_results(problem, used, taken)
    total_penalty = round(sum(r.penalty for r in ratings), 6)

    nodes = []
    transfers = []
    for candidate in used:
        facility_allocations = tuple(allocations[candidate.facility.facility_id])
        nodes.append(
            FulfillmentNode(
                facility=candidate.facility,
                allocations=facility_allocations,
                carrier=candidate.carrier,
                estimate=candidate.estimate,
                distance_km=(
                    None if candidate.distance_km is None else round(candidate.distance_km, 3)
                ),
                is_pickup_location=candidate.is_pickup,
            )
        )
        if problem.method == COLLECT and not candidate.is_pickup:
            estimate = candidate.estimate
            pickup_zone = delivery.zone(problem.pickup.timezone)
            transfers.append(
                Transfer(
                    source_facility_id=candidate.facility.facility_id,
                    target_facility_id=problem.pickup.facility_id,
                    allocations=facility_allocations,
                    carrier=candidate.carrier,
                    time_line=TransferTimeLine(
                        calculation_start_point=now,
                        earliest_picking_start=estimate.picking_start,
                        latest_picking_start=estimate.latest_picking_start,
                        target_time=candidate.target_time,
                        earliest_possible_delivery_time=dt.datetime.combine(
                            estimate.earliest_delivery_date, dt.time(0, 0), tzinfo=pickup_zone
                        ),
                        used_transit_time_in_days=(
                            candidate.carrier.max_transit_days if candidate.carrier else 1
                        ),
                    ),
                )
            )

    costs = [c for c in used if c.currency]
    total_costs = Money(round(sum(c.cost for c in costs), 2), costs[0].currency) if costs else None
    estimated_date = None
    min_days = max_days = None
    collect_target = None
    if used:
        if problem.method == COLLECT:
            collect_target = max(c.target_time for c in used)
            estimated_date = collect_target.date()
            min_days = max_days = max(c.days for c in used)
        else:
            estimated_date = max(c.estimate.latest_delivery_date for c in used)
            min_days = max(c.estimate.min_delivery_days for c in used)
            max_days = max(c.estimate.max_delivery_days for c in used)
    return RoutingDecision(
        method=problem.method,
        nodes=tuple(nodes),
        transfers=tuple(transfers),
        unassigned=tuple(unassigned),
        rating_results=tuple(ratings),
        total_penalty=total_penalty,
        total_costs=total_costs,
        estimated_delivery_date=estimated_date,
        min_delivery_days=min_days,
        max_delivery_days=max_days,
        collect_target_time=collect_target,
        pickup_facility=problem.pickup,
        excluded_facilities=dict(problem.excluded),
        search=search,
    )


@contextmanager
def _cycle_collector_paused():
    """A solve allocates tens of thousands of short-lived objects; in a process holding a large
    network that triggers full cyclic collections mid-solve (measured: p99 60 ms instead of 6 ms
    for 3 lines × 1,000 facilities). Reference counting still frees everything a solve makes;
    the cycle collector simply runs after it instead of during it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def solve(request: RoutingRequest) -> RoutingDecision:
    """Route `request`: see the module docstring."""
    with _cycle_collector_paused():
        return _solve(request)


def _solve(request: RoutingRequest) -> RoutingDecision:
    started = time.perf_counter()
    level = float(request.resource_investment or 0.0)
    problem = build_problem(request, greedy_only=level <= 0)
    if problem.failure_reason:
        problem.candidates = []
    members, search = optimise(problem, level, started=started)
    return build_decision(problem, members, search)


def solve_options(request: RoutingRequest, count: int) -> list[RoutingDecision]:
    """The best decision (identical to `solve`) followed by up to `count − 1` alternatives: the
    next best distinct facility sets the search evaluated, best first. Alternatives are not
    guaranteed to be the true runners-up (the search prunes), only valid and ranked."""
    with _cycle_collector_paused():
        return _solve_options(request, count)


def _solve_options(request: RoutingRequest, count: int) -> list[RoutingDecision]:
    started = time.perf_counter()
    problem = build_problem(request)
    if problem.failure_reason:
        problem.candidates = []
    evaluated: list = []
    level = float(request.resource_investment or 0.0)
    members, search = optimise(problem, level, evaluated, started=started)
    decisions = [build_decision(problem, members, search)]
    seen = {frozenset(node.facility_id for node in decisions[0].nodes)}
    by_rank = problem.candidates
    # Sets with a facility that ends up supplying nothing repeat a smaller set: bounded tries.
    for attempt, (_, ranks) in enumerate(sorted(set(evaluated))):
        if len(decisions) >= count or attempt >= 25 * count:
            break
        decision = build_decision(problem, [by_rank[rank] for rank in ranks], "alternative")
        used = frozenset(node.facility_id for node in decision.nodes)
        if used in seen or not used:
            continue
        seen.add(used)
        decisions.append(decision)
    return decisions
