"""The search: evaluating a set of sources, the greedy, and depth-first branch and bound.

Given a set S of sources, each article's demand is filled from S's facilities in increasing
per-unit penalty (optimal for a fixed S: per article it is a fractional knapsack whose greedy
answer is integral). The objective is the sum of the rating penalties plus `BIG` per unit left
unassigned. Monotone per-set terms and an optimistic fill give the branch-and-bound lower bound.

Determinism: candidates are ranked by (stand-alone objective, facility id); the search runs in
that order and its budget counts work units, not wall-clock time, so the same input always gives
the same output and a larger budget only continues the smaller one's search. A wall-clock limit
(the level's time budget plus SOLVE_OVERRUN_SECONDS) backs the work units up: only on a machine
too slow or loaded for the calibration does it stop a search early, and the decision says so.
"""

from __future__ import annotations

import math
import time
from typing import NamedTuple

from .candidates import Candidate, rank_key
from .problem import Problem

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


class Evaluated(NamedTuple):
    """A set of sources the search looked at (for alternatives)."""

    value: float  # objective
    ranks: tuple[int, ...]  # its candidates' ranks


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


def rank_candidates(problem: Problem) -> None:
    problem.candidates.sort(key=rank_key)
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
        step_value = step_candidate = None
        for candidate in pool:
            value = evaluate(problem, [*chosen, candidate])
            if step_value is None or value < step_value - EPSILON:
                step_value, step_candidate = value, candidate
        if step_value is None or step_value >= best - EPSILON:
            break
        best = step_value
        chosen.append(step_candidate)
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
        evaluated: list[Evaluated] | None = None,
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
        # When alternatives are wanted: every set the search evaluated.
        self.evaluated = evaluated
        self._suffixes()

    def _suffixes(self) -> None:
        """Per article, over candidates[i:]: the cheapest unit cost, and the k largest stocks."""
        candidates = self.problem.candidates
        count = len(candidates)
        article_count = len(self.problem.articles)
        k = self.problem.max_sources
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
                self.evaluated.append(Evaluated(value, tuple(c.rank for c in extended)))
            if value < self.best_value - EPSILON:
                self.best_value = value
                self.best = extended
            if len(extended) < self.problem.max_sources:
                self._expand(extended, index + 1)
                if self.exhausted:
                    return


def optimise(
    problem: Problem,
    level: float,
    evaluated: list[Evaluated] | None = None,
    started: float | None = None,
) -> tuple[list[Candidate], str]:
    """The best facility set and how it was found. With `evaluated` (a list), every set looked
    at is appended to it, for alternatives. `started` (perf_counter) is when the solve began,
    for its wall-clock limit."""
    if problem.lazy is not None and (level > 0 or evaluated is not None):
        while problem.lazy.extend():  # the search and alternatives need every candidate
            pass
        problem.lazy.finish()
    if problem.lazy is None:
        rank_candidates(problem)
    chosen, value = greedy(problem)
    if evaluated is not None:
        evaluated.append(Evaluated(value, tuple(c.rank for c in chosen)))
        evaluated.extend(Evaluated(c.standalone, (c.rank,)) for c in problem.candidates)
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
