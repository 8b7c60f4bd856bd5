"""Property tests of the routing engine on small random networks."""

import dataclasses
import itertools
import math
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing import search, solve, solve_options
from routing.problem import build_problem
from routing.search import evaluate, optimise, rank_candidates
from routing.types import (
    ONLINE,
    PICKUP,
    SHIP_FROM_STORE,
    STORE,
    WAREHOUSE,
    CollectDestination,
    OrderLine,
    RoutingConfiguration,
    RoutingRequest,
    ShippingDestination,
    default_ratings,
)

from .builders import MONDAY_MORNING, dhl_de, postnl, store

ARTICLES = ("A", "B", "C")
PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def facilities(draw, count):
    result = []
    for index in range(count):
        location_type = draw(st.sampled_from((STORE, STORE, WAREHOUSE)))
        services = draw(
            st.sampled_from(((SHIP_FROM_STORE, PICKUP), (SHIP_FROM_STORE, PICKUP), (PICKUP,), ()))
        )
        connections = draw(
            st.sampled_from(((postnl(),), (postnl(targets={"SHIP_TO_STORE"}),), (dhl_de(),), ()))
        )
        country = "DE" if connections and connections[0].carrier_key == "DHL" else "NL"
        result.append(
            store(
                f"f{index}",
                draw(st.floats(50.0, 54.0)),
                draw(st.floats(4.0, 8.0)),
                services=services,
                location_type=location_type,
                status=draw(st.sampled_from((ONLINE, ONLINE, ONLINE, "SUSPENDED"))),
                remaining_capacity=draw(st.sampled_from((None, None, 0, 3))),
                carrier_connections=connections,
                country=country,
                fulfillment_process_buffer=draw(st.sampled_from((60, 240))),
            )
        )
    return tuple(result)


@st.composite
def requests(draw, *, max_facilities=6, collect=None):
    count = draw(st.integers(1, max_facilities))
    network = draw(facilities(count))
    lines = tuple(
        OrderLine(
            f"line-{index}",
            draw(st.sampled_from(ARTICLES)),
            draw(st.integers(1, 6)),
            draw(st.booleans()),
        )
        for index in range(draw(st.integers(1, 4)))
    )
    availability = {
        (facility.facility_id, article): draw(st.integers(0, 8))
        for facility in network
        for article in ARTICLES
        if draw(st.booleans())
    }
    is_collect = draw(st.booleans()) if collect is None else collect
    if is_collect:
        destination = CollectDestination(draw(st.sampled_from(network)).facility_id)
    else:
        with_coordinates = draw(st.booleans())
        destination = ShippingDestination(
            draw(st.sampled_from(("NL", "NL", "DE"))),
            52.37 if with_coordinates else None,
            4.89 if with_coordinates else None,
        )
    ratings = default_ratings()
    for name in ratings:
        if draw(st.integers(0, 4)) == 0:
            ratings[name] = dataclasses.replace(ratings[name], active=not ratings[name].active)
    preselected = frozenset()
    if draw(st.integers(0, 3)) == 0:
        preselected = frozenset(f.facility_id for f in network if draw(st.booleans()))
    return RoutingRequest(
        lines=lines,
        destination=destination,
        facilities=network,
        availability=availability,
        now=MONDAY_MORNING,
        configuration=RoutingConfiguration(
            ratings=ratings, max_split_count=draw(st.integers(1, 4))
        ),
        carrier_product_category=draw(st.sampled_from((None, None, "STANDARD", "EXPRESS"))),
        preselected_facility_ids=preselected if not is_collect else frozenset(),
        supplying_facility_ids=preselected if is_collect else frozenset(),
    )


def eligible(request, facility):
    """The fences, written out independently of the engine."""
    collect = isinstance(request.destination, CollectDestination)
    pickup_id = request.destination.facility_id if collect else None
    if facility.status != ONLINE:
        return False
    if facility.remaining_capacity is not None and facility.remaining_capacity <= 0:
        return False
    if facility.facility_id == pickup_id:
        return True
    allowed = request.supplying_facility_ids if collect else request.preselected_facility_ids
    if allowed and facility.facility_id not in allowed:
        return False
    if facility.location_type == STORE and SHIP_FROM_STORE not in facility.services:
        return False
    if collect:
        pickup = next(f for f in request.facilities if f.facility_id == pickup_id)
        country, target = pickup.country, "SHIP_TO_STORE"
    else:
        country, target = request.destination.country, "SHIP_TO_CUSTOMER"
    for connection in facility.carrier_connections:
        if connection.valid_delivery_targets and target not in connection.valid_delivery_targets:
            continue
        for service in connection.services:
            if (
                service.source_country == facility.country
                and country in service.destination_countries
                and request.carrier_product_category in (None, service.product_category)
            ):
                return True
    return False


def pickup_usable(request):
    if not isinstance(request.destination, CollectDestination):
        return True
    pickup = next(f for f in request.facilities if f.facility_id == request.destination.facility_id)
    return pickup.status == ONLINE and PICKUP in pickup.services


def objective(request):
    problem = build_problem(request)
    members, _ = optimise(problem, request.resource_investment)
    return evaluate(problem, members)


@PROPERTY_SETTINGS
@given(requests())
def test_never_more_assigned_than_available_and_quantities_add_up(request):
    decision = solve(request)
    for (facility_id, article), units in decision.reserved_quantities().items():
        assert units <= request.availability.get((facility_id, article), 0)
    for line in request.lines:
        assigned = sum(a.quantity for a in decision.allocations if a.line_id == line.line_id)
        missing = sum(u.quantity for u in decision.unassigned if u.line_id == line.line_id)
        assert assigned + missing == line.quantity
        assert all(
            u.backordered == line.allows_backorder
            for u in decision.unassigned
            if u.line_id == line.line_id
        )


@PROPERTY_SETTINGS
@given(requests(), st.sampled_from((0.0, 0.3, 1.0)))
def test_fences_are_never_violated(request, level):
    request = dataclasses.replace(request, resource_investment=level)
    decision = solve(request)
    assert len(decision.nodes) <= request.configuration.max_split_count
    if not pickup_usable(request):
        assert decision.nodes == ()
    for node in decision.nodes:
        assert eligible(request, node.facility), node.facility
        if node.carrier and request.carrier_product_category:
            assert node.carrier.product_category == request.carrier_product_category
    if request.configuration.max_split_count == 1 and decision.nodes:
        # Splitting is off: the one node holds the complete cart.
        node = decision.nodes[0]
        for article in {line.tenant_article_id for line in request.lines}:
            needed = sum(x.quantity for x in request.lines if x.tenant_article_id == article)
            assert request.availability.get((node.facility_id, article), 0) >= needed


@PROPERTY_SETTINGS
@given(requests(), st.sampled_from((0.0, 1.0)))
def test_every_sourceable_unit_is_assigned_when_splits_do_not_bind(request, level):
    request = dataclasses.replace(
        request,
        resource_investment=level,
        configuration=dataclasses.replace(
            request.configuration, max_split_count=max(len(request.facilities), 2)
        ),
    )
    decision = solve(request)
    if not pickup_usable(request):
        return
    for article in ARTICLES:
        demand = sum(line.quantity for line in request.lines if line.tenant_article_id == article)
        supply = sum(
            request.availability.get((facility.facility_id, article), 0)
            for facility in request.facilities
            if eligible(request, facility)
        )
        assigned = sum(a.quantity for a in decision.allocations if a.tenant_article_id == article)
        assert assigned == min(demand, supply)


@PROPERTY_SETTINGS
@given(requests())
def test_exact_search_is_never_worse_than_greedy_and_matches_brute_force(request):
    greedy = objective(dataclasses.replace(request, resource_investment=0.0))
    half = objective(dataclasses.replace(request, resource_investment=0.5))
    exact = objective(dataclasses.replace(request, resource_investment=1.0))
    assert exact <= half + 1e-9 <= greedy + 2e-9

    problem = build_problem(request)
    rank_candidates(problem)
    best = evaluate(problem, [])
    for size in range(1, problem.max_sources + 1):
        for members in itertools.combinations(problem.candidates, size):
            best = min(best, evaluate(problem, list(members)))
    assert abs(exact - best) < 1e-6


@PROPERTY_SETTINGS
@given(requests(), st.sampled_from((0.0, 0.5, 1.0)))
def test_same_input_same_output(request, level):
    request = dataclasses.replace(request, resource_investment=level)
    first = solve(request)
    second = solve(request)
    assert first == second
    # Facility order in the input does not matter either.
    shuffled = dataclasses.replace(request, facilities=tuple(reversed(request.facilities)))
    assert solve(shuffled).reserved_quantities() == first.reserved_quantities()
    assert solve(shuffled).total_penalty == first.total_penalty


@PROPERTY_SETTINGS
@given(requests())
def test_rating_results_add_up_to_the_total_penalty(request):
    decision = solve(request)
    assert abs(sum(r.penalty for r in decision.rating_results) - decision.total_penalty) < 1e-5
    for result in decision.rating_results:
        assert 0 <= result.penalty <= result.max_penalty + 1e-9
        assert result.explanation


@PROPERTY_SETTINGS
@given(requests(), st.sampled_from((0.0, 1.0)), st.integers(2, 4))
def test_alternatives_follow_the_best_option_and_respect_fences_and_stock(request, level, count):
    request = dataclasses.replace(request, resource_investment=level)
    options = solve_options(request, count)
    assert options[0] == solve(request)
    assert 1 <= len(options) <= count
    used_sets = [frozenset(node.facility_id for node in option.nodes) for option in options]
    assert len(set(used_sets)) == len(used_sets)
    for option in options[1:]:
        assert option.nodes
        assert len(option.nodes) <= request.configuration.max_split_count
        for node in option.nodes:
            assert eligible(request, node.facility)
        for (facility_id, article), units in option.reserved_quantities().items():
            assert units <= request.availability.get((facility_id, article), 0)


def random_network_request(seed, facility_count=40, line_count=6):
    rng = random.Random(seed)
    network = tuple(
        store(
            f"f{index:02d}",
            rng.uniform(50.5, 53.5),
            rng.uniform(4.0, 7.5),
            location_type=STORE if index % 8 else WAREHOUSE,
            carrier_connections=((postnl(cost=rng.choice((3.95, 4.95, 6.95))),)),
        )
        for index in range(facility_count)
    )
    articles = [f"ART-{index}" for index in range(line_count)]
    availability = {
        (facility.facility_id, article): rng.randint(1, 12)
        for facility in network
        for article in articles
        if rng.random() < 0.4
    }
    return RoutingRequest(
        lines=tuple(
            OrderLine(f"line-{i}", article, rng.randint(1, 8)) for i, article in enumerate(articles)
        ),
        destination=ShippingDestination("NL", 52.37, 4.89),
        facilities=network,
        availability=availability,
        now=MONDAY_MORNING,
    )


def test_higher_levels_are_never_worse_and_stay_deterministic_when_the_budget_runs_out(
    monkeypatch,
):
    monkeypatch.setattr(search, "FULL_SEARCH_WORK_UNITS", 3_000)
    exhausted = 0
    for seed in range(12):
        request = random_network_request(seed)
        previous = math.inf
        for level in (0.0, 0.1, 0.3, 0.6, 1.0):
            leveled = dataclasses.replace(request, resource_investment=level)
            value = objective(leveled)
            assert value <= previous + 1e-9
            previous = value
            first, second = solve(leveled), solve(leveled)
            assert first == second
            exhausted += first.search == "exact (budget exhausted)"
    assert exhausted  # the small budget really did run out on some instances


def test_on_a_slow_machine_the_time_limit_stops_the_search_never_worse_than_greedy(monkeypatch):
    # The work budget is calibrated for a normal machine; simulate one far slower than that by
    # shrinking the time budget instead, so that the wall-clock limit has to stop the search.
    monkeypatch.setattr(search, "SOLVE_SECONDS_AT_FULL_INVESTMENT", 0.0)
    monkeypatch.setattr(search, "SOLVE_OVERRUN_SECONDS", 0.0)
    request = random_network_request(3, facility_count=120, line_count=10)
    greedy = dataclasses.replace(request, resource_investment=0.0)
    exact = dataclasses.replace(request, resource_investment=1.0)

    decision = solve(exact)

    assert decision.search == "exact (time limit)"
    assert objective(exact) <= objective(greedy) + 1e-9
