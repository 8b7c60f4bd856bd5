"""The races of issue 19, reproduced with real transactions against PostgreSQL: a second
connection holds a lock while the request under test waits on it."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from config import clock
from inventory.models import Reservation, Stock
from inventory.selectors.availability import active_reservations
from orders.models import Order, OrderStatus
from tests.conftest import make_token_client
from tests.database import (
    Background,
    postgresql_only,
    second_connection,
    wait_until_waiting_on_a_lock,
)
from tests.promises.helpers import example_promise, small_network
from tests.promises.test_daily_capacity import orders_today
from tests.promises.test_promise_concurrency import run_concurrently

URL = "/api/promises/deliverypromise"
ORDER_TABLE = Order._meta.db_table
STOCK_TABLE = Stock._meta.db_table

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


def last_unit_promise(client):
    response = client.post(URL, example_promise([("LAST-1", 1)]), format="json")
    assert response.status_code == 201, response.json()
    return response.json()["orderRef"]


@pytest.mark.parametrize("action", ["CONFIRM_PROMISE", "EXTEND_PROMISE"])
def test_an_action_that_got_the_order_lock_after_valid_until_is_refused(action):
    network = small_network({"LAST-1": 1})
    shop, actions = make_token_client("shop"), make_token_client("shop-actions")
    with clock.frozen_at(timezone.now()):
        order_id = last_unit_promise(shop)
    valid_until = Order.objects.get(id=order_id).promise_valid_until

    with second_connection() as holder:
        # Stands for any delay between the action's arrival and its locks.
        holder.execute(f"SELECT id FROM {ORDER_TABLE} WHERE id = %s FOR UPDATE", [order_id])
        with clock.frozen_at(valid_until - timedelta(seconds=1)):
            pending = Background(
                lambda: actions.post(
                    f"/api/orders/{order_id}/actions", {"name": action, "version": 1}, format="json"
                )
            )
            wait_until_waiting_on_a_lock(ORDER_TABLE)
        with clock.frozen_at(valid_until + timedelta(seconds=1)):
            # The promise has expired: its unit is free for the next checkout.
            second = shop.post(URL, example_promise([("LAST-1", 1)]), format="json")
            holder.commit()
            response = pending.result()
            held = sum(active_reservations(clock.now()).values_list("quantity", flat=True))

    assert second.status_code == 201, second.json()
    assert response.status_code == 404, response.json()
    assert response.json()[0]["summary"] == "Order not found or expired."
    assert held == network["stocks"]["LAST-1"].value == 1  # nothing oversold
    assert Order.objects.get(id=order_id).status == OrderStatus.PROMISED  # for the sweep


def test_forty_concurrent_promises_at_a_store_with_capacity_thirty_accept_thirty():
    network = small_network({"CAP-1": 100})
    store = network["store"]
    store.daily_order_capacity = 30
    store.save()
    client = make_token_client("shop")

    results = run_concurrently(
        40, lambda _: client.post(URL, example_promise([("CAP-1", 1)]), format="json")
    )

    statuses = sorted(getattr(result, "status_code", result) for result in results)
    assert statuses.count(201) == 30, statuses
    assert statuses.count(400) == 10, statuses
    assert orders_today(store) == 30
    assert Order.objects.count() == 30
    assert Reservation.objects.filter(facility=store).count() == 30


def test_a_retry_after_the_connection_died_mid_request_is_processed():
    network = small_network({"LAST-1": 1})
    client = make_token_client("shop")
    stock = network["stocks"]["LAST-1"]
    key = str(uuid.uuid4())

    def promise():
        return client.post(
            URL, example_promise([("LAST-1", 1)]), format="json", headers={"Idempotency-Key": key}
        )

    with second_connection() as holder:
        holder.execute(f"SELECT id FROM {STOCK_TABLE} WHERE id = %s FOR UPDATE", [stock.id])
        pending = Background(promise)
        # The request's connection dies while it waits; so does the one it retries on by itself.
        for _ in range(2):
            backend = wait_until_waiting_on_a_lock(STOCK_TABLE)
            holder.execute("SELECT pg_terminate_backend(%s)", [backend])
        failed = pending.result()
        holder.rollback()

    assert failed.status_code == 503, failed.json()
    assert failed["Retry-After"]
    # The client retries with the same key: processed, not "still in progress".
    retry = promise()
    assert retry.status_code == 201, retry.json()
    assert promise().json() == retry.json()  # and from then on replayed
    assert Order.objects.count() == 1
    assert Reservation.objects.count() == 1


def test_a_request_whose_connection_died_once_is_retried_by_the_server():
    network = small_network({"LAST-1": 1})
    client = make_token_client("shop")
    stock = network["stocks"]["LAST-1"]

    with second_connection() as holder:
        holder.execute(f"SELECT id FROM {STOCK_TABLE} WHERE id = %s FOR UPDATE", [stock.id])
        pending = Background(
            lambda: client.post(
                URL,
                example_promise([("LAST-1", 1)]),
                format="json",
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
        )
        first = wait_until_waiting_on_a_lock(STOCK_TABLE)
        holder.execute("SELECT pg_terminate_backend(%s)", [first])
        assert wait_until_waiting_on_a_lock(STOCK_TABLE) != first  # the retry, reconnected
        holder.rollback()
        response = pending.result()

    assert response.status_code == 201, response.json()
    assert Order.objects.count() == 1
    assert Reservation.objects.count() == 1
