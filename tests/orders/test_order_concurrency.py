"""Concurrent writers against PostgreSQL with real threads: the order's row lock and version
decide, so exactly one writer wins and nothing is lost."""

import threading

import pytest
from django.db import connection, connections

from orders.models import Order, OrderStatus
from tests.conftest import make_token_client
from tests.orders.factories import order_with_lines

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking needs PostgreSQL"),
]

THREADS = 10


def run_concurrently(request_for_thread):
    """Start THREADS requests at the same moment; return their responses."""
    barrier = threading.Barrier(THREADS)
    responses = [None] * THREADS

    def worker(index):
        try:
            barrier.wait()
            responses[index] = request_for_thread(index)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def test_ten_patches_with_the_same_version_one_wins_the_rest_get_409():
    order = order_with_lines(1)
    client = make_token_client("writer")

    responses = run_concurrently(
        lambda i: client.patch(
            f"/api/orders/{order.id}",
            {"version": 1, "customAttributes": {"writer": i}, "comment": f"writer {i}"},
            format="json",
        )
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (THREADS - 1)
    winner = next(r.json() for r in responses if r.status_code == 200)
    for loser in (r for r in responses if r.status_code == 409):
        assert loser.json()[0]["version"] == 2 and loser.json()[0]["requestVersion"] == 1
    stored = Order.objects.get()
    assert stored.version == 2
    assert stored.custom_attributes == winner["customAttributes"]
    assert len(stored.update_details) == 1


def test_concurrent_creates_with_one_tenant_order_id_create_one_order(example_order):
    client = make_token_client("shop")

    responses = run_concurrently(lambda i: client.post("/api/orders", example_order, format="json"))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [400] * (THREADS - 1)
    assert Order.objects.filter(tenant_order_id="R456728546").count() == 1


def test_concurrent_cancel_and_unlock_apply_once():
    order = order_with_lines(1, status=OrderStatus.LOCKED)
    client = make_token_client("support")

    responses = run_concurrently(
        lambda i: client.post(
            f"/api/orders/{order.id}/actions",
            {"name": "CANCEL" if i % 2 else "UNLOCK", "version": 1},
            format="json",
        )
    )

    assert sorted(r.status_code for r in responses) == [200] + [409] * (THREADS - 1)
    assert Order.objects.get().version == 2
