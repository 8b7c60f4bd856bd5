"""The decision: a set of sources turned into a `RoutingDecision` (allocations per line, nodes,
transfers into a pickup store, unassigned quantities with reasons, rating results, totals)."""

from __future__ import annotations

import datetime as dt

from . import delivery
from .candidates import Candidate
from .problem import Problem
from .ratings import Taken, rating_results
from .search import fill
from .types import (
    COLLECT,
    FENCE_COMPLETE_STOCK,
    Allocation,
    FulfillmentNode,
    Money,
    RoutingDecision,
    Transfer,
    TransferTimeLine,
    UnassignedQuantity,
)


def build_decision(problem: Problem, members: list[Candidate], search: str) -> RoutingDecision:
    taken_by_article = [
        fill(problem, members, article_index)[0] for article_index in range(len(problem.articles))
    ]
    allocations, unassigned = _assign_lines(problem, taken_by_article)
    # Sources that ended up supplying nothing are dropped (they would only add penalties).
    used = [c for c in members if c.facility.facility_id in allocations]
    used.sort(key=lambda c: (not c.is_pickup, c.rank))
    taken = [
        Taken(c, problem.articles[a], units)
        for a, pairs in enumerate(taken_by_article)
        for c, units in pairs
    ]
    ratings = rating_results(problem, used, taken)
    nodes = []
    transfers = []
    for candidate in used:
        facility_allocations = tuple(allocations[candidate.facility.facility_id])
        nodes.append(_node(candidate, facility_allocations))
        if problem.method == COLLECT and not candidate.is_pickup:
            transfers.append(_transfer(problem, candidate, facility_allocations))
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
        total_penalty=round(sum(r.penalty for r in ratings), 6),
        total_costs=total_costs,
        estimated_delivery_date=estimated_date,
        min_delivery_days=min_days,
        max_delivery_days=max_days,
        collect_target_time=collect_target,
        pickup_facility=problem.pickup,
        excluded_facilities=dict(problem.excluded),
        search=search,
        pickup_refusal=problem.failure_reason,
    )


def _node(candidate: Candidate, allocations: tuple[Allocation, ...]) -> FulfillmentNode:
    distance = candidate.distance_km
    return FulfillmentNode(
        facility=candidate.facility,
        allocations=allocations,
        carrier=candidate.carrier,
        estimate=candidate.estimate,
        distance_km=None if distance is None else round(distance, 3),
        is_pickup_location=candidate.is_pickup,
    )


def _transfer(
    problem: Problem, candidate: Candidate, allocations: tuple[Allocation, ...]
) -> Transfer:
    """A collect's source other than the pickup store: its stock travels there."""
    estimate = candidate.estimate
    pickup_zone = delivery.zone(problem.pickup.timezone)
    return Transfer(
        source_facility_id=candidate.facility.facility_id,
        target_facility_id=problem.pickup.facility_id,
        allocations=allocations,
        carrier=candidate.carrier,
        time_line=TransferTimeLine(
            calculation_start_point=problem.request.now,
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
                candidate, units_left = source
                if need == 0:
                    break
                if units_left == 0:
                    continue
                take = min(need, units_left)
                source[1] = units_left - take
                need -= take
                facility_id = candidate.facility.facility_id
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
