"""Level 0 builds only the candidates the greedy reads (`build_problem(greedy_only=True)`).
Its decision must be exactly the greedy's decision on the full candidate list."""

import dataclasses
import datetime as dt
import random

import pytest

from routing import solve
from routing.decision import build_decision
from routing.problem import build_problem
from routing.search import optimise
from routing.types import (
    PICKUP,
    SHIP_FROM_STORE,
    STORE,
    WAREHOUSE,
    CarrierConnection,
    CarrierService,
    CollectDestination,
    OrderLine,
    RoutingConfiguration,
    RoutingRequest,
    ShippingDestination,
    default_ratings,
)

from .builders import MONDAY_MORNING, WEEK, store, week

POSTNL = CarrierConnection(
    "carrier-postnl",
    "POSTNL",
    "PostNL",
    cutoff_hour=17,
    services=(
        CarrierService("NL", frozenset({"NL"}), "STANDARD", 1, 1, 4.95, "EUR"),
        CarrierService("DE", frozenset({"NL"}), "STANDARD", 2, 3, 7.95, "EUR"),
    ),
)
DHL = CarrierConnection(
    "carrier-dhl",
    "DHL",
    "DHL",
    cutoff_hour=15,
    valid_delivery_targets=frozenset({"SHIP_TO_CUSTOMER"}),
    services=(CarrierService("DE", frozenset({"NL", "DE"}), "STANDARD", 1, 2, 5.50, "EUR"),),
)
CONNECTIONS = ((POSTNL, DHL), (POSTNL, DHL), (POSTNL,), (DHL,), ())
SCHEDULES = (WEEK, week(10, 18, 5))


def network_request(seed):
    """A few hundred facilities, mostly stores holding little, so that most candidates cannot be
    reached by the greedy; sometimes a shortage, a collect, one source only, other ratings."""
    rng = random.Random(seed)
    articles = [f"A{index}" for index in range(rng.randint(1, 6))]
    lines = tuple(
        OrderLine(
            f"line-{index}",
            rng.choice(articles),
            rng.choice((1, 2, 3, 5, 10, 80)),
            rng.random() < 0.3,
        )
        for index in range(rng.randint(1, 8))
    )
    facilities = []
    availability = {}
    for index in range(rng.randint(100, 600)):
        is_warehouse = index % 25 == 0
        facility = store(
            f"f{index:04d}",
            50.5 + rng.random() * 3,
            4.0 + rng.random() * 5,
            services=(SHIP_FROM_STORE, PICKUP) if rng.random() < 0.9 else (),
            location_type=WAREHOUSE if is_warehouse else STORE,
            country="NL" if rng.random() < 0.6 else "DE",
            picking_times=rng.choice(SCHEDULES),
            fulfillment_process_buffer=rng.choice((120, 240)),
            remaining_capacity=rng.choice((None,) * 18 + (0, 2)),
            carrier_connections=rng.choice(CONNECTIONS),
        )
        facilities.append(facility)
        for article in articles:
            if rng.random() < (0.8 if is_warehouse else 0.35):
                high = 200 if is_warehouse else 8
                availability[(facility.facility_id, article)] = rng.randint(1, high)
    ratings = default_ratings()
    for name in ratings:
        if rng.random() < 0.15:
            ratings[name] = dataclasses.replace(ratings[name], active=not ratings[name].active)
    if rng.random() < 0.2:
        destination = CollectDestination(rng.choice(facilities).facility_id)
    else:
        destination = ShippingDestination("NL", 52.37, 4.89)
    return RoutingRequest(
        lines=lines,
        destination=destination,
        facilities=tuple(facilities),
        availability=availability,
        now=MONDAY_MORNING + dt.timedelta(hours=rng.choice((0, 9, 30))),
        configuration=RoutingConfiguration(ratings=ratings, max_split_count=rng.randint(1, 4)),
        preferred_carrier_keys=frozenset({"DHL"}) if rng.random() < 0.2 else frozenset(),
    )


def test_level_0_decides_exactly_as_the_greedy_on_every_candidate():
    pruned = 0
    for seed in range(120):
        request = network_request(seed)
        full = build_problem(request)
        if full.failure_reason:
            full.candidates = []
        members, search = optimise(full, 0.0)
        assert solve(request) == build_decision(full, members, search), seed
        lazy = build_problem(request, greedy_only=True)
        assert optimise(lazy, 0.0) == (members, search)
        pruned += len(lazy.pruned)
    assert pruned > 5_000  # the shortcut is exercised, not only the fallback


@pytest.mark.parametrize("seed", range(3))
def test_bench_sized_network_level_0_matches_the_full_greedy(seed):
    request = dataclasses.replace(
        network_request(1000 + seed),
        lines=tuple(OrderLine(f"l{i}", f"A{i % 3}", 1 + i % 4) for i in range(3)),
    )
    full = build_problem(request)
    members, search = optimise(full, 0.0)
    assert solve(request) == build_decision(full, members, search)


def test_a_level_0_problem_still_gives_the_exact_search_every_candidate():
    request = network_request(7)
    full = build_problem(request)
    lazy = build_problem(request, greedy_only=True)
    assert optimise(lazy, 1.0) == optimise(full, 1.0)
    assert [c.facility.facility_id for c in lazy.candidates] == [
        c.facility.facility_id for c in full.candidates
    ]
    assert lazy.pruned == []


def test_requests_outside_the_ranking_argument_build_every_candidate():
    base = network_request(3)
    base = dataclasses.replace(
        base, configuration=dataclasses.replace(base.configuration, max_split_count=3)
    )
    assert build_problem(base, greedy_only=True).lazy is not None
    ratings = default_ratings()
    ratings["deliveryCosts"] = dataclasses.replace(ratings["deliveryCosts"], max_penalty=-50.0)
    negative = dataclasses.replace(
        base, configuration=dataclasses.replace(base.configuration, ratings=ratings)
    )
    nan_destination = dataclasses.replace(
        base, destination=ShippingDestination("NL", float("nan"), 4.89)
    )
    fractional = dataclasses.replace(
        base, availability={key: units - 0.5 for key, units in base.availability.items()}
    )
    halves = dataclasses.replace(base, availability=dict.fromkeys(base.availability, 0.5))
    assert optimise(build_problem(fractional, greedy_only=True), 0.0) == (
        optimise(build_problem(fractional), 0.0)
    )
    for request in (negative, nan_destination, halves):
        problem = build_problem(request, greedy_only=True)
        assert problem.lazy is None
        full = build_problem(request)
        assert [c.facility.facility_id for c in problem.candidates] == [
            c.facility.facility_id for c in full.candidates
        ]
