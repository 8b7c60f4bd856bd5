"""With the Celery broker down the API still answers; once it is back the events arrive.

Runs its own throw-away redis-server on a free port (the shared Redis on 6379 is never
touched) and a real Celery worker thread consuming from it.
"""

import json
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.db import connection

from config.celery import app as celery_app
from events.models import Delivery, DeliveryStatus, OutboxEvent
from tests.conftest import make_token_client
from tests.events.conftest import signature_is_valid
from tests.events.factories import SubscriptionFactory
from tests.events.receiver import WebhookReceiver
from tests.orders.conftest import DOCUMENT_EXAMPLE_ORDER

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs the redis-server binary"
)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisProcess:
    def __init__(self, port):
        self.port = port
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@contextmanager
def celery_broker(url):
    """Point the project's Celery app at `url` (new connections and producer pools)."""

    def reset_pools():
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = url
    reset_pools()
    try:
        yield
    finally:
        reset_pools()
        celery_app.conf.broker_url = previous


@pytest.fixture
def own_redis():
    server = RedisProcess(free_port())
    server.start()
    try:
        with celery_broker(f"redis://127.0.0.1:{server.port}/0"):
            yield server
    finally:
        if server.process.poll() is None:
            server.stop()


def create_order(client, tenant_order_id):
    body = {**DOCUMENT_EXAMPLE_ORDER, "tenantOrderId": tenant_order_id}
    response = client.post("/api/orders", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.django_db(transaction=True)
def test_events_recorded_while_the_broker_is_down_arrive_after_it_is_back(own_redis, settings):
    settings.EVENTS_ENQUEUE_AFTER_COMMIT = True
    client = make_token_client("shop")
    with WebhookReceiver() as receiver:
        subscription = SubscriptionFactory(callback_url=receiver.url)
        own_redis.stop()

        started = time.monotonic()
        during_outage = create_order(client, "WEB-OUTAGE")
        assert time.monotonic() - started < 3  # the failed enqueue is quick and swallowed
        [event] = OutboxEvent.objects.all()
        assert event.payload["id"] == during_outage["id"]
        assert receiver.requests == []

        own_redis.start()
        # Beat's next tick enqueues the periodic task; a real worker consumes it.
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=20):
            celery_app.send_task("events.tasks.deliver_pending_events")
            [request] = receiver.wait_for(1, timeout=20)
            # And with the broker up, a new event goes out right after its commit.
            after_outage = create_order(client, "WEB-AFTER")
            requests = receiver.wait_for(2, timeout=20)
        connection.close()

    payloads = [json.loads(r.body)["payload"] for r in requests]
    assert [payload["id"] for payload in payloads] == [during_outage["id"], after_outage["id"]]
    assert all(signature_is_valid(subscription.signing_secret, r) for r in requests)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
