"""Re-routing PATCHes racing new promises for the same article, in real threads on PostgreSQL:
the stock is never oversold and a refused PATCH leaves its order exactly as it was."""

import pytest

from inventory.models import Reservation, Stock
from orders.models import Order, OrderModificationConfiguration
from tests.conftest import make_token_client
from tests.database import postgresql_only
from tests.promises.helpers import example_promise, small_network
from tests.promises.test_mixed_concurrency import oversold_stocks
from tests.promises.test_promise_concurrency import run_concurrently

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

PROMISE_URL = "/api/promises/deliverypromise"


def held_by(order_id):
    return sum(
        Reservation.objects.filter(order_line_item__order_id=order_id).values_list(
            "quantity", flat=True
        )
    )


def test_twenty_threads_patching_and_promising_the_same_article_never_oversell():
    small_network({"HOT-1": 8}, warehouse_articles={"HOT-1": 6})
    OrderModificationConfiguration.objects.update_or_create(
        pk=1, defaults={"allow_order_line_item_modification": True}
    )
    client = make_token_client("shop")
    promised = []
    for _ in range(10):
        response = client.post(PROMISE_URL, example_promise([("HOT-1", 1)]), format="json")
        assert response.status_code == 201, response.content
        promised.append(client.get(f"/api/orders/{response.json()['orderRef']}").json())

    def request(index):
        if index % 2 == 0:  # ten PATCHes, each asking 1 → 3 for its own promise
            order = promised[index // 2]
            body = {
                "version": 1,
                "orderLineItems": [{"id": order["orderLineItems"][0]["id"], "quantity": 3}],
            }
            return client.patch(f"/api/orders/{order['id']}", body, format="json")
        return client.post(PROMISE_URL, example_promise([("HOT-1", 2)]), format="json")

    results = run_concurrently(20, request)

    statuses = [getattr(result, "status_code", result) for result in results]
    assert set(statuses) <= {200, 201, 400}, statuses
    assert oversold_stocks() == []
    total = sum(Stock.objects.filter(tenant_article_id="HOT-1").values_list("value", flat=True))
    assert total == 14
    for index, order in enumerate(promised):
        stored = Order.objects.get(id=order["id"])
        if statuses[index * 2] == 200:
            assert (stored.version, held_by(order["id"])) == (2, 3)
        else:
            assert "HOT-1" in results[index * 2].json()[0]["description"]
            assert (stored.version, held_by(order["id"])) == (1, 1)
    # Every promise made holds exactly what it promised, and the units held add up.
    promises_made = [index for index in range(1, 20, 2) if statuses[index] == 201]
    for index in promises_made:
        assert held_by(results[index].json()["orderRef"]) == 2
    patched = statuses[0::2].count(200)
    held = sum(Reservation.objects.values_list("quantity", flat=True))
    assert held == 10 + 2 * patched + 2 * len(promises_made) <= total
