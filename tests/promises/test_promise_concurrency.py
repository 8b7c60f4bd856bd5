"""Real threads against PostgreSQL: no oversell, one reservation per idempotency key."""

import threading
import uuid

import pytest
from django.db import connection

from inventory.models import Reservation
from orders.models import Order, OrderStatus
from tests.conftest import make_token_client
from tests.promises.helpers import available, example_promise, small_network

URL = "/api/promises/deliverypromise"


def run_concurrently(count, request):
    """Start `count` threads that each call `request(index)`, released together."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def worker(index):
        try:
            barrier.wait()
            results[index] = request(index)
        except Exception as exc:  # pragma: no cover - surfaced by the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_forty_concurrent_promises_for_five_units_never_oversell():
    network = small_network({"HOT-1": 5})
    client = make_token_client("shop")
    body = example_promise([("HOT-1", 1)])

    results = run_concurrently(40, lambda _: client.post(URL, body, format="json"))

    statuses = sorted(getattr(result, "status_code", result) for result in results)
    assert statuses.count(201) == 5, statuses
    assert statuses.count(400) == 35, statuses
    for result in results:
        if result.status_code == 400:
            assert "HOT-1: requested 1, available 0" in result.json()[0]["description"]
    stock = network["stocks"]["HOT-1"]
    assert available(stock) == 0
    assert sum(reservation.quantity for reservation in Reservation.objects.all()) == 5
    # The losers left no order behind.
    assert Order.objects.count() == 5
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.PROMISED}


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_retries_under_one_idempotency_key_reserve_once():
    network = small_network({"HOT-1": 5})
    client = make_token_client("shop")
    body = example_promise([("HOT-1", 1)])
    key = str(uuid.uuid4())

    results = run_concurrently(
        20, lambda _: client.post(URL, body, format="json", headers={"Idempotency-Key": key})
    )

    statuses = [getattr(result, "status_code", result) for result in results]
    assert set(statuses) <= {201, 409}, statuses
    assert 201 in statuses
    created = {result.json()["orderRef"] for result in results if result.status_code == 201}
    assert len(created) == 1  # every 201 is the same promise, replayed
    assert Order.objects.count() == 1
    assert Reservation.objects.count() == 1
    assert available(network["stocks"]["HOT-1"]) == 4
    # Once done, a retry replays it.
    replay = client.post(URL, body, format="json", headers={"Idempotency-Key": key})
    assert replay.status_code == 201
    assert replay.json()["orderRef"] in created
