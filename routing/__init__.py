"""Routing engine (pure Python, no Django): `solve(request) -> RoutingDecision`, and
`solve_options(request, count)` for the best decision plus ranked alternatives.

See routing/types.py for the input and output, routing/engine.py for the entry points and where
each part of a solve lives, routing/delivery.py for delivery-time estimates.
"""

from .engine import solve, solve_options
from .types import RoutingDecision, RoutingRequest

__all__ = ["RoutingDecision", "RoutingRequest", "solve", "solve_options"]
