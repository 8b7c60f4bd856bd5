"""GET /metrics: the Prometheus scrape, behind its own bearer token (METRICS_TOKEN).

The counters and histograms of config/metrics.py, added up over every process that wrote to
PROMETHEUS_MULTIPROC_DIR (or this process's own, without it), and a few figures read from the
database at scrape time, each from an index so a scrape stays cheap whatever the history.
Without METRICS_TOKEN the endpoint does not exist (404).
"""

import hmac
import logging

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpResponse, HttpResponseNotFound
from prometheus_client import generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from config import clock, db_router, metrics
from events.selectors import outbox_backlog
from orders.selectors import promises_holding_stock

logger = logging.getLogger(__name__)


def _gauge(name, documentation, value):
    family = GaugeMetricFamily(name, documentation)
    family.add_metric([], value)
    return family


class DatabaseCollector:
    """Figures that live in the database, read when scraped (on the primary)."""

    def collect(self):
        now = clock.now()
        try:
            promises, reservations = promises_holding_stock(now)
            backlog = outbox_backlog()
            replica_lag = _replica_lag_bytes()
        except DatabaseError as error:
            logger.warning("Metrics: the database did not answer: %s", error)
            yield _gauge("doms_database_up", "Whether the scrape could read the database.", 0)
            return
        yield _gauge("doms_database_up", "Whether the scrape could read the database.", 1)
        yield _gauge(
            "doms_promises_active", "PROMISED orders whose validUntil is still ahead.", promises
        )
        yield _gauge(
            "doms_reservations_active",
            "Reservations holding stock for live promises (confirmed orders' are not counted).",
            reservations,
        )
        yield _gauge(
            "doms_outbox_events_waiting",
            "Events recorded but not yet fanned out into webhook deliveries.",
            backlog.events_waiting,
        )
        yield _gauge(
            "doms_webhook_deliveries_pending",
            "Webhook deliveries waiting for a first attempt or a retry.",
            backlog.deliveries_pending,
        )
        age = (
            (now - backlog.oldest_undelivered).total_seconds() if backlog.oldest_undelivered else 0
        )
        yield _gauge(
            "doms_outbox_oldest_undelivered_age_seconds",
            "Age of the oldest event not yet delivered to every subscriber (0: none waiting).",
            max(age, 0.0),
        )
        if replica_lag is not None:
            yield _gauge(
                "doms_replica_lag_bytes",
                "WAL the read replica has yet to replay (-1: the replica does not answer).",
                replica_lag,
            )


def _replica_lag_bytes():
    if not db_router.replica_configured():
        return None
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        [primary_position] = cursor.fetchone()
    try:
        with connections[db_router.REPLICA_ALIAS].cursor() as cursor:
            cursor.execute(
                "SELECT pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn())", [primary_position]
            )
            [lag] = cursor.fetchone()
    except DatabaseError:
        return -1
    return max(float(lag or 0), 0.0)


def scrape_registry():
    registry = metrics.process_registry()
    registry.register(DatabaseCollector())
    return registry


def _authorized(request):
    supplied = request.headers.get("Authorization", "")
    expected = f"Bearer {settings.METRICS_TOKEN}"
    return hmac.compare_digest(supplied.encode(), expected.encode())


def metrics_view(request):
    if not settings.METRICS_TOKEN:
        return HttpResponseNotFound(
            "Metrics are off: set METRICS_TOKEN.", content_type="text/plain"
        )
    if not _authorized(request):
        response = HttpResponse("A valid bearer token is required.", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
