"""GET /metrics: protected by its own token, and the counters move with what the service does.
(The same under gunicorn, added up over two workers: tests/config/test_gunicorn.py.)"""

from datetime import timedelta
from unittest import mock

import pytest
import requests
from django.utils import timezone

from config import clock
from config.celery import serve_worker_metrics
from events import services
from events.delivery import AttemptOutcome, deliver_pending
from events.models import EventName
from promises.services import release_expired_promises
from tests.config.gunicorn_server import free_port
from tests.config.scrape import TOKEN, moved, parse_scrape, sample
from tests.events.factories import SubscriptionFactory
from tests.promises.helpers import example_promise, small_network

pytestmark = pytest.mark.django_db

PROMISE_URL = "/api/promises/deliverypromise"


@pytest.fixture(autouse=True)
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.EVENTS_ENQUEUE_AFTER_COMMIT = False


def scrape(client):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return parse_scrape(response.content.decode())


def test_the_scrape_needs_its_own_token(client, api_client, settings):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    # An API token is not a metrics token.
    assert api_client.get("/metrics").status_code == 401
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_a_promise_moves_the_checkout_counters(
    client, api_client, django_capture_on_commit_callbacks
):
    small_network()
    before = scrape(client)

    with django_capture_on_commit_callbacks(execute=True):
        promised = api_client.post(PROMISE_URL, example_promise(), format="json")
        refused = api_client.post(
            PROMISE_URL, example_promise([("TSHIRT-W-2468", 500)]), format="json"
        )
    assert (promised.status_code, refused.status_code) == (201, 400)

    after = scrape(client)

    def moved_by(name, **labels):
        return moved(before, after, name, **labels)

    assert moved_by("doms_promises_created_total") == 1
    assert moved_by("doms_promises_refused_total", reason="insufficient_stock") == 1
    assert moved_by("doms_routing_solve_seconds_count", operation="promise", level="0.0") == 2
    route = {"route": "api/promises/deliverypromise", "method": "POST"}
    assert moved_by("doms_http_request_duration_seconds_count", **route, status="201") == 1
    assert moved_by("doms_http_request_duration_seconds_count", **route, status="400") == 1
    # Read from the database when scraped: the promise holds three lines' stock.
    assert sample(after, "doms_promises_active") == 1
    assert sample(after, "doms_reservations_active") == 3
    assert sample(after, "doms_database_up") == 1


def test_confirm_extend_and_expiry_are_counted(
    client, api_client, django_capture_on_commit_callbacks
):
    small_network()
    before = scrape(client)
    with django_capture_on_commit_callbacks(execute=True):
        first = api_client.post(PROMISE_URL, example_promise(), format="json").json()
        second = api_client.post(PROMISE_URL, example_promise([("JEANS-B-2605", 1)]), format="json")
        third = api_client.post(PROMISE_URL, example_promise([("SNEAK-W-4891", 1)]), format="json")
        for order_ref, action in (
            (first["orderRef"], "CONFIRM_PROMISE"),
            (second.json()["orderRef"], "EXTEND_PROMISE"),
        ):
            response = api_client.post(
                f"/api/orders/{order_ref}/actions", {"name": action, "version": 1}, format="json"
            )
            assert response.status_code == 200, response.content
    assert third.status_code == 201
    with clock.frozen_at(timezone.now() + timedelta(days=2)):
        assert release_expired_promises() == 2  # the extended one and the untouched one
    after = scrape(client)

    def moved_by(name, **labels):
        return moved(before, after, name, **labels)

    assert moved_by("doms_promises_confirmed_total") == 1
    assert moved_by("doms_promises_extended_total") == 1
    assert moved_by("doms_promises_expired_total") == 2
    assert moved_by("doms_expiry_sweep_batches_total") == 1
    assert moved_by("doms_expiry_sweep_duration_seconds_count") == 1
    assert sample(after, "doms_promises_active") == 0


def test_webhook_outcomes_and_the_outbox_backlog(client):
    SubscriptionFactory(event=EventName.ORDER_CREATED)
    services.record_event(EventName.ORDER_CREATED, {"id": "1"})
    waiting = scrape(client)
    assert sample(waiting, "doms_outbox_events_waiting") == 1
    assert sample(waiting, "doms_outbox_oldest_undelivered_age_seconds") >= 0

    failing = AttemptOutcome(False, 500, "HTTP 500", 3)
    with mock.patch("events.delivery.post_webhook", return_value=failing):
        deliver_pending()
    retrying = scrape(client)
    assert sample(retrying, "doms_outbox_events_waiting") == 0
    assert sample(retrying, "doms_webhook_deliveries_pending") == 1
    assert moved(waiting, retrying, "doms_webhook_deliveries_total", outcome="retry_scheduled") == 1

    with (
        clock.frozen_at(timezone.now() + timedelta(days=1)),
        mock.patch("events.delivery.post_webhook", return_value=AttemptOutcome(True, 200, "", 3)),
    ):
        deliver_pending(now=clock.now())
    delivered = scrape(client)
    assert sample(delivered, "doms_webhook_deliveries_pending") == 0
    assert sample(delivered, "doms_outbox_oldest_undelivered_age_seconds") == 0
    assert moved(retrying, delivered, "doms_webhook_deliveries_total", outcome="delivered") == 1


def test_a_celery_worker_serves_its_own_counters_on_an_internal_port(monkeypatch):
    port = free_port()
    monkeypatch.setenv("WORKER_METRICS_PORT", str(port))
    serve_worker_metrics()

    def served():
        response = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
        return parse_scrape(response.text)

    before = served()
    release_expired_promises()  # what beat has the worker run every minute
    after = served()
    for name in ("doms_expiry_sweep_duration_seconds_count", "doms_expiry_sweep_batches_total"):
        assert moved(before, after, name) == 1
