"""The Prometheus metrics the processes count as they work (prometheus-client).

With PROMETHEUS_MULTIPROC_DIR set in the environment before the process starts, every process
(gunicorn workers, Celery workers, management commands) writes its values to files there and a
scrape adds them up (prometheus-client's multiprocess mode; gunicorn.conf.py empties the folder
at start and tells the library when a worker exits). Without it, each process counts in memory.

Figures read from the database (reservations held, outbox backlog, replica lag) are not counted
here: config/metrics_endpoint.py computes them when scraped. Every label has a bounded set of
values; nothing about a consumer is ever a label.
"""

import contextlib
import os
import time

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_DURATION = Histogram(
    "doms_http_request_duration_seconds",
    "Time from the request reaching Django to its response, by URL pattern and status.",
    ["route", "method", "status"],
)
PROMISES_CREATED = Counter("doms_promises_created", "Delivery promises made (committed).")
PROMISES_REFUSED = Counter(
    "doms_promises_refused",
    "Delivery promises refused by the checkout, by reason.",
    ["reason"],
)
PROMISES_CONFIRMED = Counter("doms_promises_confirmed", "Promises confirmed (CONFIRM_PROMISE).")
PROMISES_EXTENDED = Counter("doms_promises_extended", "Promises extended (EXTEND_PROMISE).")
PROMISES_EXPIRED = Counter("doms_promises_expired", "Promises cancelled by the expiry sweep.")
EXPIRY_SWEEP_DURATION = Histogram(
    "doms_expiry_sweep_duration_seconds",
    "Duration of one expiry sweep (all its batches).",
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
)
EXPIRY_SWEEP_BATCHES = Counter(
    "doms_expiry_sweep_batches", "Batches (one transaction each) run by expiry sweeps."
)
WEBHOOK_DELIVERIES = Counter(
    "doms_webhook_deliveries",
    "Webhook delivery attempts by outcome: delivered, retry_scheduled, failed (gave up).",
    ["outcome"],
)
ROUTING_SOLVE_DURATION = Histogram(
    "doms_routing_solve_seconds",
    "Routing engine time per request, by operation and resourceInvestment level (0.0 to 1.0).",
    ["operation", "level"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

REFUSAL_REASONS = ("insufficient_stock", "daily_capacity_reached", "invalid_request")
WEBHOOK_OUTCOMES = ("delivered", "retry_scheduled", "failed")
# Every label value exists from the start, so a dashboard sees 0 rather than no series.
for _reason in REFUSAL_REASONS:
    PROMISES_REFUSED.labels(_reason)
for _outcome in WEBHOOK_OUTCOMES:
    WEBHOOK_DELIVERIES.labels(_outcome)


def observe_request(route, method, status, seconds):
    method = method if method in HTTP_METHODS else "other"
    REQUEST_DURATION.labels(route, method, str(status)).observe(seconds)


def resource_investment_label(level):
    """One decimal: clients may send any number between 0 and 1, a label must stay bounded."""
    return f"{min(max(float(level or 0.0), 0.0), 1.0):.1f}"


@contextlib.contextmanager
def routing_solve_timer(operation, level):
    started = time.perf_counter()
    try:
        yield
    finally:
        ROUTING_SOLVE_DURATION.labels(operation, resource_investment_label(level)).observe(
            time.perf_counter() - started
        )


def multiprocess_mode():
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class _ThisProcess:
    """The default registry (this process's metrics) as one collector of another registry."""

    def collect(self):
        return REGISTRY.collect()


def process_registry():
    """A registry of what the processes counted: every process of the multiprocess folder, or
    this one's."""
    registry = CollectorRegistry()
    if multiprocess_mode():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    return registry
