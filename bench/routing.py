"""Routing engine benchmark (pure Python, no database).

    .venv/bin/python bench/routing.py [--repeat 30] [--seed 7]

Prints solve-time p50/p99/max at resource investment 0, 0.5 and 1 for 1, 3 and 10 lines over
10, 100 and 1,000 synthetic facilities (time of `routing.solve` on a prebuilt request), and the
optimality gap of each level against brute force on instances small enough for it. With 30
instances per cell, p99 is the slowest instance. The load average is printed before and after
the timings (the machine is shared).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import itertools
import math
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from routing import solve  # noqa: E402
from routing.problem import build_problem  # noqa: E402
from routing.search import evaluate, optimise, rank_candidates  # noqa: E402
from routing.types import (  # noqa: E402
    PICKUP,
    SHIP_FROM_STORE,
    STORE,
    WAREHOUSE,
    CarrierConnection,
    CarrierService,
    Facility,
    OrderLine,
    PickingWindow,
    RoutingConfiguration,
    RoutingRequest,
    ShippingDestination,
)

NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)  # a Monday morning
WEEK = tuple((PickingWindow(dt.time(8), dt.time(20)),) for _ in range(6)) + ((),)
SHORT_WEEK = tuple((PickingWindow(dt.time(10), dt.time(18)),) for _ in range(5)) + ((), ())


def synthetic_request(
    facility_count: int, line_count: int, seed: int, *, level=0.0, max_split_count=3
):
    rng = random.Random(seed)
    carriers = [
        CarrierConnection(
            "carrier-a",
            "POSTNL",
            "PostNL",
            cutoff_hour=17,
            services=(
                CarrierService("NL", frozenset({"NL"}), "STANDARD", 1, 1, 4.95, "EUR"),
                CarrierService("DE", frozenset({"NL"}), "STANDARD", 2, 3, 7.95, "EUR"),
            ),
        ),
        CarrierConnection(
            "carrier-b",
            "DHL",
            "DHL",
            cutoff_hour=15,
            services=(
                CarrierService("NL", frozenset({"NL", "DE"}), "STANDARD", 1, 2, 3.95, "EUR"),
                CarrierService("DE", frozenset({"NL", "DE"}), "STANDARD", 1, 2, 5.50, "EUR"),
            ),
        ),
    ]
    # Like the adapter, facilities with the same connections share one tuple.
    connection_sets = [(carriers[0], carriers[1])] * 3 + [(carriers[0],), (carriers[1],), ()]
    articles = [f"ART-{i:04d}" for i in range(max(line_count * 3, 10))]
    lines = tuple(
        OrderLine(f"line-{i}", articles[i], rng.choice((1, 1, 2, 3, 5, 10)))
        for i in range(line_count)
    )
    facilities = []
    availability = {}
    for i in range(facility_count):
        warehouse = i % 25 == 0
        country = "NL" if rng.random() < 0.6 else "DE"
        facility = Facility(
            facility_id=f"fac-{i:05d}",
            name=f"Facility {i}",
            location_type=WAREHOUSE if warehouse else STORE,
            services=frozenset({SHIP_FROM_STORE, PICKUP}) if rng.random() < 0.9 else frozenset(),
            latitude=50.5 + rng.random() * 3,
            longitude=4.0 + rng.random() * 5,
            country=country,
            timezone="Europe/Amsterdam",
            picking_times=WEEK if rng.random() < 0.7 else SHORT_WEEK,
            fulfillment_process_buffer=rng.choice((120, 240)),
            remaining_capacity=None if rng.random() < 0.95 else 0,
            carrier_connections=connection_sets[rng.randrange(len(connection_sets))],
        )
        facilities.append(facility)
        for line in lines:
            if warehouse:
                if rng.random() < 0.8:
                    availability[(facility.facility_id, line.tenant_article_id)] = rng.randint(
                        5, 200
                    )
            elif rng.random() < 0.35:
                availability[(facility.facility_id, line.tenant_article_id)] = rng.randint(1, 8)
    return RoutingRequest(
        lines=lines,
        destination=ShippingDestination("NL", 52.37, 4.89, "1052 XM"),
        facilities=tuple(facilities),
        availability=availability,
        now=NOW,
        configuration=RoutingConfiguration(max_split_count=max_split_count),
        resource_investment=level,
    )


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: the machine is shared, so timings need them."""
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def brute_force(request) -> float:
    """Smallest objective over every facility set of at most max_split_count candidates."""
    problem = build_problem(request)
    rank_candidates(problem)
    best = evaluate(problem, [])
    for size in range(1, problem.max_sources + 1):
        for members in itertools.combinations(problem.candidates, size):
            best = min(best, evaluate(problem, list(members)))
    return best


def objective(request) -> float:
    problem = build_problem(request)
    members, _ = optimise(problem, request.resource_investment)
    return evaluate(problem, members)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    print(f"solve time in ms over {args.repeat} instances per cell: wall p50/p99/max, cpu p50/p99")
    print("(cpu = process time, less sensitive to other processes on the machine)")
    print(f"load average at start: {load_average()}")
    budgets = {0.0: 0.0, 0.5: 125.0, 1.0: 250.0}
    worst_over_budget = dict.fromkeys(budgets, -math.inf)
    worst_cpu_over_budget = dict.fromkeys(budgets, -math.inf)
    for line_count in (1, 3, 10):
        for facility_count in (10, 100, 1000):
            for level in budgets:
                wall, cpu = [], []
                for repeat in range(args.repeat):
                    request = synthetic_request(
                        facility_count, line_count, args.seed * 1000 + repeat, level=level
                    )
                    started_wall, started_cpu = time.perf_counter(), time.process_time()
                    solve(request)
                    wall.append((time.perf_counter() - started_wall) * 1000)
                    cpu.append((time.process_time() - started_cpu) * 1000)
                worst_over_budget[level] = max(worst_over_budget[level], max(wall) - budgets[level])
                worst_cpu_over_budget[level] = max(
                    worst_cpu_over_budget[level], max(cpu) - budgets[level]
                )
                print(
                    f"lines {line_count:>2} facilities {facility_count:>4} level {level:<3} | "
                    f"wall {percentile(wall, 0.5):7.2f} {percentile(wall, 0.99):7.2f} "
                    f"{max(wall):7.2f} | cpu {percentile(cpu, 0.5):7.2f} "
                    f"{percentile(cpu, 0.99):7.2f}"
                )
    for level, over in worst_over_budget.items():
        print(
            f"level {level}: slowest solve minus the level's budget ({budgets[level]:.0f} ms): "
            f"wall {over:+.1f} ms, cpu {worst_cpu_over_budget[level]:+.1f} ms"
        )
    print(f"load average after the timings: {load_average()}")

    print()
    print("optimality gap against brute force (objective incl. unassigned units)")
    print(f"{'lines':>5} {'facilities':>10} {'split':>5} | instances | worse than optimum at level")
    for line_count, facility_count, split in ((1, 10, 3), (3, 10, 3), (3, 30, 3), (10, 30, 2)):
        worse = {0.0: 0, 0.5: 0, 1.0: 0}
        gaps = {0.0: 0.0, 0.5: 0.0, 1.0: 0.0}
        instances = 20
        for repeat in range(instances):
            base = synthetic_request(
                facility_count, line_count, args.seed * 7919 + repeat, max_split_count=split
            )
            optimum = brute_force(base)
            for level in worse:
                value = objective(dataclasses.replace(base, resource_investment=level))
                if value > optimum + 1e-6:
                    worse[level] += 1
                    gaps[level] = max(gaps[level], value - optimum)
        summary = ", ".join(
            f"{level}: {worse[level]} (max gap {gaps[level]:.2f})" for level in worse
        )
        print(f"{line_count:>5} {facility_count:>10} {split:>5} | {instances:>9} | {summary}")


if __name__ == "__main__":
    main()
