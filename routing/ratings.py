"""Ratings: the weights the search optimises, and each active rating recomputed on the final
solution with a sentence explaining it (`RoutingDecision.rating_results`).

Ratings split into
- per-set terms, monotone in the set of sources: number of deliveries, delivery costs (sum of
  parcel costs), delivery time (latest delivery among the nodes), in `Weights`;
- per-unit terms, weighted by the share of the cart's units: geo distance, stock balancing,
  prefer store / prefer warehouse, workload balancing, in `UnitWeights` (applied per candidate,
  routing/candidates.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from .types import (
    COLLECT,
    RATING_DELIVERY_COSTS,
    RATING_DELIVERY_TIME,
    RATING_GEO_DISTANCE,
    RATING_NUMBER_OF_DELIVERIES,
    RATING_PREFER_STORE,
    RATING_PREFER_WAREHOUSE,
    RATING_STOCK_BALANCING,
    RATING_WORKLOAD_BALANCING,
    SHIPPING,
    STORE,
    WAREHOUSE,
    RatingResult,
    RoutingConfiguration,
)

if TYPE_CHECKING:
    from .candidates import Candidate
    from .problem import Problem

RATING_TITLES = {
    RATING_GEO_DISTANCE: "Geo distance",
    RATING_NUMBER_OF_DELIVERIES: "Number of deliveries",
    RATING_DELIVERY_COSTS: "Delivery costs",
    RATING_DELIVERY_TIME: "Delivery time",
    RATING_STOCK_BALANCING: "Stock balancing",
    RATING_PREFER_STORE: "Prefer store",
    RATING_PREFER_WAREHOUSE: "Prefer warehouse",
    RATING_WORKLOAD_BALANCING: "Workload balancing",
}
RATING_ORDER = tuple(RATING_TITLES)


@dataclass
class Weights:
    """The per-set penalties' weights and thresholds, and BIG, the penalty of one unassigned
    unit (more than all ratings together can reach)."""

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


class UnitWeights(NamedTuple):
    """The per-unit ratings' weights (0 when inactive) and thresholds."""

    distance: float
    distance_threshold: float  # km
    balancing: float
    balancing_threshold: float  # units available from which balancing costs nothing
    store: float
    warehouse: float
    workload: float
    workload_threshold: float  # orders a facility can still take today from which it costs nothing


def _rating_weight(config: RoutingConfiguration, name: str) -> tuple[float, float | None]:
    setting = config.rating(name)
    if not setting.active:
        return 0.0, setting.threshold
    return float(setting.max_penalty), setting.threshold


def set_weights(config: RoutingConfiguration, max_sources: int, is_collect: bool) -> Weights:
    deliveries, _ = _rating_weight(config, RATING_NUMBER_OF_DELIVERIES)
    costs, costs_threshold = _rating_weight(config, RATING_DELIVERY_COSTS)
    time, time_threshold = _rating_weight(config, RATING_DELIVERY_TIME)
    # the largest rating total any solution can reach
    total_max = sum(_rating_weight(config, name)[0] for name in RATING_ORDER)
    return Weights(
        deliveries=deliveries,
        deliveries_threshold=float(max(max_sources - 1, 1)),
        costs=costs,
        costs_threshold=float(costs_threshold or 30.0),
        time=time,
        time_threshold=float(time_threshold or 7.0),
        big=total_max + 1.0,
        free_parcels=0 if is_collect else 1,
    )


def unit_weights(config: RoutingConfiguration) -> UnitWeights:
    distance, distance_threshold = _rating_weight(config, RATING_GEO_DISTANCE)
    balancing, balancing_threshold = _rating_weight(config, RATING_STOCK_BALANCING)
    workload, workload_threshold = _rating_weight(config, RATING_WORKLOAD_BALANCING)
    return UnitWeights(
        distance=distance,
        distance_threshold=float(distance_threshold or 1000.0),
        balancing=balancing,
        balancing_threshold=float(balancing_threshold or 20.0),
        store=_rating_weight(config, RATING_PREFER_STORE)[0],
        warehouse=_rating_weight(config, RATING_PREFER_WAREHOUSE)[0],
        workload=workload,
        workload_threshold=float(workload_threshold or 10.0),
    )


def workload_share(remaining_capacity: int | None, threshold: float) -> float:
    """Workload balancing per unit, 0..1: how little of its daily order capacity a facility
    has left (`1 − remaining/threshold`); a facility without a daily capacity costs nothing."""
    if remaining_capacity is None or remaining_capacity >= threshold:
        return 0.0
    return min(1.0, 1.0 - max(remaining_capacity, 0) / threshold)


# ---------------------------------------------------------------- explaining the solution


class Taken(NamedTuple):
    """Units of one article a source supplies in the final solution."""

    candidate: Candidate
    article: str
    units: int


class _Solution(NamedTuple):
    """What the explanations read."""

    problem: Problem
    members: list[Candidate]  # the sources that supply something
    taken: list[Taken]
    assigned: int  # units assigned in all


def rating_results(
    problem: Problem, members: list[Candidate], taken: list[Taken]
) -> list[RatingResult]:
    """Recompute each active rating on the final solution, with a sentence explaining it."""
    config = problem.request.configuration
    solution = _Solution(problem, members, taken, sum(t.units for t in taken) or 0)
    results = []
    for name, explain in _EXPLANATIONS:
        if config.rating(name).active:
            penalty, metric, threshold, text = explain(solution, name)
            results.append(_rating_result(config, name, penalty, metric, threshold, text))
    return results


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


def _geo_distance(solution: _Solution, name: str):
    problem = solution.problem
    request = problem.request
    setting = request.configuration.rating(name)
    threshold = float(setting.threshold or 1000.0)
    destination = request.destination
    if problem.method == SHIPPING and (
        destination.latitude is None or destination.longitude is None
    ):
        return (
            0.0,
            None,
            threshold,
            "The destination has no coordinates, so distance was not rated.",
        )
    penalty = 0.0
    for taken in solution.taken:
        distance = taken.candidate.distance_km
        ratio = 1.0 if distance is None else min(distance / threshold, 1.0)
        penalty += setting.max_penalty * ratio * taken.units / problem.total_units
    known = [t for t in solution.taken if t.candidate.distance_km is not None]
    mean = (
        sum(t.candidate.distance_km * t.units for t in known) / sum(t.units for t in known)
        if known
        else None
    )
    where = "to the pickup store" if problem.method == COLLECT else "to the consumer"
    point = ""
    if problem.method == SHIPPING and destination.coordinates_source:
        point = (
            f"; consumer at {destination.latitude:.4f}, {destination.longitude:.4f} from "
            f"{destination.coordinates_source}"
        )
    text = (
        f"Units travel {mean:.0f} km on average {where} (full penalty at "
        f"{threshold:.0f} km, weighted by share of the cart's units{point})."
        if mean is not None
        else "No assigned unit has a known distance."
    )
    return penalty, mean, threshold, text


def _number_of_deliveries(solution: _Solution, name: str):
    problem = solution.problem
    weights = problem.weights
    count = len(solution.members)
    parcels = sum(1 for c in solution.members if not c.is_pickup)
    splits = weights.splits(parcels)
    penalty = weights.deliveries * min(splits / weights.deliveries_threshold, 1.0)
    if count == 0:
        text = "Nothing could be sourced."
    elif problem.method == COLLECT:
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
    return penalty, float(splits), weights.deliveries_threshold, text


def _delivery_costs(solution: _Solution, name: str):
    weights = solution.problem.weights
    members = solution.members
    cost_sum = sum(c.cost for c in members)
    currency = next((c.currency for c in members if c.currency), "")
    penalty = weights.costs * min(cost_sum / weights.costs_threshold, 1.0) if cost_sum else 0
    text = (
        f"Shipping costs {cost_sum:.2f} {currency} for {len(members)} parcel(s) "
        f"(full penalty at {weights.costs_threshold:.2f})."
    ).replace("  ", " ")
    return penalty, cost_sum, weights.costs_threshold, text


def _delivery_time(solution: _Solution, name: str):
    problem = solution.problem
    weights = problem.weights
    max_days = max((c.days for c in solution.members), default=0)
    penalty = weights.time * min(max_days / weights.time_threshold, 1.0) if max_days else 0
    what = "ready for collection" if problem.method == COLLECT else "delivered"
    text = (
        f"Everything is {what} within {max_days} day(s) "
        f"(full penalty at {weights.time_threshold:.0f} days)."
    )
    return penalty, float(max_days), weights.time_threshold, text


def _stock_balancing(solution: _Solution, name: str):
    problem = solution.problem
    request = problem.request
    setting = request.configuration.rating(name)
    threshold = float(setting.threshold or 20.0)
    penalty = 0.0
    weighted_left = 0.0
    for taken in solution.taken:
        left = request.availability.get((taken.candidate.facility.facility_id, taken.article), 0)
        weighted_left += left * taken.units
        penalty += (
            setting.max_penalty * max(0.0, 1.0 - left / threshold) * taken.units
        ) / problem.total_units
    assigned = solution.assigned
    mean_left = weighted_left / assigned if assigned else None
    text = (
        f"Units come from stock of {mean_left:.1f} available on average "
        f"(no penalty from {threshold:.0f} available up)."
        if mean_left is not None
        else "Nothing taken from stock."
    )
    return penalty, mean_left, threshold, text


def _prefer(wanted: str):
    """Prefer store / prefer warehouse: the share of units from other location types."""

    def explain(solution: _Solution, name: str):
        problem = solution.problem
        setting = problem.request.configuration.rating(name)
        total_units = problem.total_units
        assigned = solution.assigned
        other = sum(t.units for t in solution.taken if t.candidate.facility.location_type != wanted)
        penalty = setting.max_penalty * other / total_units if total_units else 0.0
        share = other / assigned if assigned else 0.0
        text = f"{other} of {assigned} unit(s) come from facilities that are not a {wanted}."
        return penalty, share, 1.0, text

    return explain


def _workload_balancing(solution: _Solution, name: str):
    problem = solution.problem
    setting = problem.request.configuration.rating(name)
    threshold = float(setting.threshold or 10.0)
    total_units = problem.total_units
    penalty = 0.0
    limited_units = 0
    weighted_left = 0.0
    for taken in solution.taken:
        remaining = taken.candidate.facility.remaining_capacity
        share = workload_share(remaining, threshold)
        penalty += setting.max_penalty * share * taken.units / total_units if total_units else 0
        if remaining is not None:
            limited_units += taken.units
            weighted_left += max(remaining, 0) * taken.units
    if limited_units:
        mean_left = weighted_left / limited_units
        text = (
            f"Units come from facilities that can take {mean_left:.1f} more orders today on "
            f"average (no penalty from {threshold:.0f} up)"
            + (
                f"; {solution.assigned - limited_units} unit(s) from facilities without a "
                "daily order capacity."
                if limited_units < solution.assigned
                else "."
            )
        )
        return penalty, mean_left, threshold, text
    text = (
        "No source has a daily order capacity, so workload costs nothing."
        if solution.assigned
        else "Nothing taken from stock."
    )
    return penalty, None, threshold, text


# In the order of `rating_results`; each gives (penalty, metric, threshold, explanation).
_EXPLANATIONS = (
    (RATING_GEO_DISTANCE, _geo_distance),
    (RATING_NUMBER_OF_DELIVERIES, _number_of_deliveries),
    (RATING_DELIVERY_COSTS, _delivery_costs),
    (RATING_DELIVERY_TIME, _delivery_time),
    (RATING_STOCK_BALANCING, _stock_balancing),
    (RATING_PREFER_STORE, _prefer(STORE)),
    (RATING_PREFER_WAREHOUSE, _prefer(WAREHOUSE)),
    (RATING_WORKLOAD_BALANCING, _workload_balancing),
)
