"""The problem the search solves, built from a `RoutingRequest`: the cart's articles and demand,
the weights, and the candidates (facilities that pass the fences, routing/fences.py, prepared
by routing/candidates.py).

Cost: preparing the candidates (fences, carrier choice, distance, per-unit penalties) is most of
a level-0 solve. Every facility stocking part of the cart goes through the fences and the carrier
choice (shared by facilities with the same schedule, country and connections); the rest of the
preparation is done at level 0 only for the candidates the greedy reads (`LazyCandidates`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import delivery, fences
from .candidates import (
    Candidate,
    LazyCandidates,
    can_build_lazily,
    missing_units,
    preparation_context,
    prepare,
)
from .ratings import Weights, set_weights, unit_weights
from .routes import Destination, Routes
from .types import (
    COLLECT,
    FENCE_CARRIER,
    SHIP_TO_CUSTOMER,
    SHIP_TO_STORE,
    SHIPPING,
    CollectDestination,
    Facility,
    OrderLine,
    RoutingRequest,
)


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
    # Stock rows (see `fences.FenceScope.stock`) of facilities that passed the fences but were
    # never built into `candidates` because the greedy did not reach them (`greedy_only=True`);
    # they still count as eligible stock when explaining a shortage.
    pruned: list[list[int]] = field(default_factory=list)
    # Level 0 only: the candidates not built yet, built group by group as the greedy reads them.
    lazy: LazyCandidates | None = None


def build_problem(request: RoutingRequest, *, greedy_only: bool = False) -> Problem:
    """The candidates (facilities that pass the fences) with everything the search needs.

    `greedy_only`: the problem is only for `greedy` (resource investment 0), which reads the
    best-ranked candidates only: `candidates` is then built as the greedy reads it (see
    `LazyCandidates`), and `optimise` builds the rest if it needs more. The greedy's answer is
    the same either way."""
    config = request.configuration
    articles, demand, index_of = _cart(request.lines)
    max_sources = max(1, int(config.max_split_count))
    is_collect = isinstance(request.destination, CollectDestination)
    problem = Problem(
        request=request,
        method=COLLECT if is_collect else SHIPPING,
        articles=articles,
        demand=demand,
        total_units=sum(demand),
        candidates=[],
        weights=set_weights(config, max_sources, is_collect),
        max_sources=max_sources,
        pickup=None,
    )
    if not articles:
        return problem
    destination = _destination(request, problem)
    if destination is None:
        return problem

    scope = fences.FenceScope(
        demand=demand,
        stock=_stock_rows(request, demand, index_of),
        pickup_id=destination.pickup.facility_id if destination.pickup is not None else None,
        allowed_sources=destination.allowed_sources,
        max_sources=max_sources,
        destination_country=destination.country,
    )
    routes = Routes(request, destination, problem.weights, config.fence_active(FENCE_CARRIER))
    eligible = fences.eligible(request, scope, routes, problem.excluded)
    latitude, longitude = destination.latitude, destination.longitude
    context = preparation_context(
        demand, problem.weights.big, latitude, longitude, unit_weights(config)
    )
    if (
        greedy_only
        and eligible
        and can_build_lazily(eligible, problem.weights, context, latitude, longitude)
    ):
        eligible.sort(key=missing_units)
        problem.lazy = LazyCandidates(problem, eligible, context)
    else:
        problem.candidates = prepare(eligible, context)
    return problem


def _cart(lines: tuple[OrderLine, ...]) -> tuple[list[str], list[int], dict[str, int]]:
    """The cart's articles in order of first appearance, the units wanted of each, and each
    article's index."""
    articles: list[str] = []
    demand: list[int] = []
    index_of: dict[str, int] = {}
    for line in lines:
        if line.quantity <= 0:
            continue
        if line.tenant_article_id not in index_of:
            index_of[line.tenant_article_id] = len(articles)
            articles.append(line.tenant_article_id)
            demand.append(0)
        demand[index_of[line.tenant_article_id]] += line.quantity
    return articles, demand, index_of


def _destination(request: RoutingRequest, problem: Problem) -> Destination | None:
    """Where the units go; None (with `problem.failure_reason`) when the pickup store of a
    collect cannot serve it."""
    if not isinstance(request.destination, CollectDestination):
        address = request.destination
        return Destination(
            address.latitude,
            address.longitude,
            address.country,
            SHIP_TO_CUSTOMER,
            request.preselected_facility_ids,
            None,
            address.subdivision,
            address.public_holidays,
        )
    pickup = next(
        (f for f in request.facilities if f.facility_id == request.destination.facility_id),
        None,
    )
    problem.pickup = pickup
    if pickup is None:
        problem.failure_reason = "The pickup facility is unknown."
        return None
    problem.failure_reason = fences.pickup_refusal(request, pickup)
    if problem.failure_reason is None and delivery.next_picking_start(pickup, request.now) is None:
        problem.failure_reason = "The pickup facility has no picking time ahead."
    if problem.failure_reason:
        return None
    return Destination(
        pickup.latitude,
        pickup.longitude,
        pickup.country,
        SHIP_TO_STORE,
        request.supplying_facility_ids,
        pickup,
        pickup.subdivision,
        pickup.closing_days,  # its own and its region's public holidays
    )


def _stock_rows(
    request: RoutingRequest, demand: list[int], index_of: dict[str, int]
) -> dict[str, list[int]]:
    """Stock row per facility: units available of each cart article, then the units of the cart
    it cannot give (demand minus what it holds, capped per article). Facilities absent stock
    nothing of the cart."""
    availability = request.availability
    article_count = len(demand)
    total_units = sum(demand)
    stock: dict[str, list[int]] = {}
    if len(availability) <= len(request.facilities) * article_count:
        row_of = stock.get
        article_at = index_of.get
        for (facility_id, article), units in availability.items():
            article_index = article_at(article)
            if article_index is not None and units > 0:
                row = row_of(facility_id)
                if row is None:
                    row = stock[facility_id] = [0] * article_count
                    row.append(total_units)
                row[article_index] = units
                need = demand[article_index]
                row[article_count] -= units if units < need else need
        return stock
    articles = list(index_of)
    for facility in request.facilities:
        row = [availability.get((facility.facility_id, article), 0) for article in articles]
        if any(units > 0 for units in row):
            row = [max(units, 0) for units in row]
            missing = total_units
            for units, need in zip(row, demand, strict=True):
                missing -= units if units < need else need
            row.append(missing)
            stock[facility.facility_id] = row
    return stock
