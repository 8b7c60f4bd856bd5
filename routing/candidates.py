"""Candidates: the facilities that passed the fences, with what the search needs precomputed
(distance, per-article units and per-unit penalties, stand-alone objective), and their ranking.

At resource investment 0 only the candidates the greedy reads are built (`LazyCandidates`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, NamedTuple

from .fences import Eligible
from .ratings import UnitWeights, Weights, workload_share
from .types import STORE, WAREHOUSE, CarrierChoice, DeliveryEstimate, Facility

if TYPE_CHECKING:
    from .problem import Problem

EARTH_DIAMETER_KM = 2 * 6371.0088


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


rank_key = attrgetter("standalone", "facility.facility_id")
# Fields of an `Eligible` entry, read without unpacking the whole entry.
missing_units = itemgetter(0)
_facility_of = itemgetter(1)
_stock_row_of = itemgetter(4)


class PreparationContext(NamedTuple):
    """What `prepare` needs besides the entries (unpacked into locals there)."""

    demand: list[int]
    total_units: int
    big: float
    has_destination_coordinates: bool
    dest_phi: float
    dest_cos: float
    dest_lambda: float
    rate_distance: bool
    unit_weights: UnitWeights
    balancing: dict[int, float]  # units available → stock-balancing penalty


def preparation_context(
    demand: list[int],
    big: float,
    latitude: float | None,
    longitude: float | None,
    unit_weights: UnitWeights,
) -> PreparationContext:
    """`latitude`/`longitude`: the destination's, None when unknown."""
    has_coordinates = latitude is not None and longitude is not None
    dest_phi = dest_cos = dest_lambda = 0.0
    if has_coordinates:
        dest_phi = math.radians(latitude)
        dest_cos = math.cos(dest_phi)
        dest_lambda = math.radians(longitude)
    # Stock-balancing penalty per unit for small whole numbers of units available: the same
    # expression as in `prepare`, evaluated once per value instead of per facility and article.
    balancing: dict[int, float] = {}
    weight, threshold = unit_weights.balancing, unit_weights.balancing_threshold
    if weight:
        table_size = int(threshold) + 1 if threshold < 256 else 256
        for units in range(table_size):
            if units < threshold:
                balancing[units] = weight * (1.0 - units / threshold)
    return PreparationContext(
        demand=demand,
        total_units=sum(demand),
        big=big,
        has_destination_coordinates=has_coordinates,
        dest_phi=dest_phi,
        dest_cos=dest_cos,
        dest_lambda=dest_lambda,
        rate_distance=bool(unit_weights.distance) and has_coordinates,
        unit_weights=unit_weights,
        balancing=balancing,
    )


def prepare(entries: list[Eligible], context: PreparationContext) -> list[Candidate]:
    """Candidates of eligible facilities: distance, per-unit penalties, stand-alone objective."""
    demand, total_units, big, has_coordinates, dest_phi, dest_cos, dest_lambda = context[:7]
    rate_distance, weights, balancing = context[7:]
    distance_weight, distance_threshold, balancing_weight, balancing_threshold = weights[:4]
    store_weight, warehouse_weight = weights.store, weights.warehouse
    workload_weight, workload_threshold = weights.workload, weights.workload_threshold
    radians, sin, cos, asin, sqrt = math.radians, math.sin, math.cos, math.asin, math.sqrt
    balancing_of = balancing.get
    candidates: list[Candidate] = []
    add_candidate = candidates.append
    for _, facility, is_pickup, route, stocked in entries:
        carrier, estimate, target_time, days, cost, currency, standalone = route
        location_type = facility.location_type

        if is_pickup:
            distance = 0.0
        elif has_coordinates and facility.latitude is not None:
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
        if workload_weight and facility.remaining_capacity is not None:
            per_unit += workload_weight * workload_share(
                facility.remaining_capacity, workload_threshold
            )
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


def can_build_lazily(
    entries: list[Eligible], weights: Weights, context: PreparationContext, latitude, longitude
) -> bool:
    """Whether the ranking argument of `LazyCandidates` holds for this request."""
    unit_weights = context.unit_weights
    return (
        _bounded_ratings(
            weights,
            (
                unit_weights.distance_threshold,
                unit_weights.balancing_threshold,
                unit_weights.workload_threshold,
            ),
            unit_weights.distance,
            unit_weights.balancing,
            unit_weights.store,
            unit_weights.warehouse,
            unit_weights.workload,
        )
        # Whole units missing (no fractional stock), and a gap of 1 far above rounding.
        and type(sum(map(missing_units, entries))) is int
        and context.big * context.total_units < 2.0**40
        and (
            not context.has_destination_coordinates
            or _plain_coordinates(latitude, longitude, entries)
        )
    )


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


def _plain_coordinates(dest_lat: float, dest_lon: float, entries: list[Eligible]) -> bool:
    """Whether the destination's and the facilities' coordinates are plain (latitude within
    ±90°, finite longitude) or absent. Other values give NaN distances, which have no rank, or
    raise, so those requests skip `LazyCandidates` and rank or fail exactly as before. (The
    database already keeps facilities' coordinates in range; this costs ~0.1 µs a facility.)"""
    if not (-90.0 <= dest_lat <= 90.0 and -1e300 < dest_lon < 1e300):
        return False
    for facility in map(_facility_of, entries):
        latitude = facility.latitude
        if latitude is not None and not (
            -90.0 <= latitude <= 90.0 and -1e300 < facility.longitude < 1e300
        ):
            return False
    return True


class LazyCandidates:
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

    def __init__(self, problem: Problem, order: list[Eligible], context: PreparationContext):
        self.problem = problem
        self.order = order  # eligible entries sorted by units missing
        self.position = 0
        self.context = context

    def extend(self) -> bool:
        """Build and rank the next group; False when every group is built."""
        order = self.order
        position = self.position
        if position >= len(order):
            return False
        end = bisect.bisect_right(
            order, missing_units(order[position]), lo=position, key=missing_units
        )
        group = prepare(order[position:end], self.context)
        group.sort(key=rank_key)
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
        self.problem.pruned.extend(map(_stock_row_of, self.order[self.position :]))
        self.problem.lazy = None
