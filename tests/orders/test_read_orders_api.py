import uuid

import pytest

from tests.conftest import make_token_client
from tests.orders.factories import OrderFactory, order_with_lines
from tests.orders.helpers import assert_api_error, assert_matches_contract

pytestmark = pytest.mark.django_db


def test_get_order_returns_the_full_order(api_client):
    order = order_with_lines(2, 5, custom_attributes={"gift": True})

    response = api_client.get(f"/api/orders/{order.id}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(order.id)
    assert body["customAttributes"] == {"gift": True}
    assert [line["quantity"] for line in body["orderLineItems"]] == [2, 5]
    assert_matches_contract(body, "Order")


@pytest.mark.parametrize("order_id", [str(uuid.uuid4()), "not-a-uuid", "LGMl2DuvPnfPoSHhYFOm"])
def test_unknown_order_is_a_404_api_error(api_client, order_id):
    assert_api_error(api_client.get(f"/api/orders/{order_id}"), 404)


def test_list_returns_stripped_orders_newest_first_with_total(api_client):
    older = order_with_lines(1, tenant_order_id="A")
    newer = order_with_lines(3, tenant_order_id="B")
    newer.order_date = older.order_date.replace(year=older.order_date.year + 1)
    newer.save()

    body = api_client.get("/api/orders").json()

    assert body["total"] == 2
    assert [order["id"] for order in body["orders"]] == [str(newer.id), str(older.id)]
    assert body["orders"][0]["orderLineItems"] == [{"quantity": 3, "title": "Article"}]
    assert_matches_contract(body, "StrippedOrders")


def test_list_filters_by_tenant_order_id_and_consumer_id(api_client):
    wanted = OrderFactory(tenant_order_id="R1", consumer_id="C1")
    OrderFactory(tenant_order_id="R2", consumer_id="C1")
    OrderFactory(tenant_order_id="R3", consumer_id="C2")

    by_tenant = api_client.get("/api/orders", {"tenantOrderId": "R1"}).json()
    by_consumer = api_client.get("/api/orders", {"consumerId": "C1"}).json()
    both = api_client.get("/api/orders", {"consumerId": "C1", "tenantOrderId": "R2"}).json()

    assert [o["id"] for o in by_tenant["orders"]] == [str(wanted.id)]
    assert by_consumer["total"] == 2
    assert both["total"] == 1 and both["orders"][0]["tenantOrderId"] == "R2"


def test_list_pages_with_size_and_start_after_id(api_client):
    orders = [OrderFactory() for _ in range(7)]  # the factory makes each one older
    seen = []
    start_after = None
    while True:
        params = {"size": 3, **({"startAfterId": start_after} if start_after else {})}
        body = api_client.get("/api/orders", params).json()
        assert body["total"] == 7
        if not body["orders"]:
            break
        seen += [order["id"] for order in body["orders"]]
        start_after = body["orders"][-1]["id"]
    assert seen == [str(order.id) for order in orders]


def test_list_size_defaults_to_25(api_client):
    OrderFactory.create_batch(27)
    body = api_client.get("/api/orders").json()
    assert len(body["orders"]) == 25 and body["total"] == 27


@pytest.mark.parametrize(
    "params",
    [
        {"size": 0},
        {"size": 251},
        {"size": "ten"},
        {"startAfterId": str(uuid.uuid4())},
        {"colour": "red"},
    ],
)
def test_list_rejects_bad_parameters(api_client, params):
    assert_api_error(api_client.get("/api/orders", params), 400)


def test_list_costs_a_fixed_number_of_queries(api_client, django_assert_max_num_queries):
    for _ in range(30):
        order_with_lines(1, 2, 3)
    # auth (token + permissions) + count + page + line items
    with django_assert_max_num_queries(7):
        body = api_client.get("/api/orders", {"size": 30}).json()
    assert len(body["orders"]) == 30


def test_get_needs_view_permission():
    order = OrderFactory()
    outsider = make_token_client("no-rights", permissions=[])
    assert_api_error(outsider.get(f"/api/orders/{order.id}"), 403)
    assert_api_error(outsider.get("/api/orders"), 403)


def test_read_only_user_can_read_but_not_write(read_only_client, example_order):
    order = OrderFactory()
    assert read_only_client.get(f"/api/orders/{order.id}").status_code == 200
    assert_api_error(read_only_client.post("/api/orders", example_order, format="json"), 403)
    assert_api_error(
        read_only_client.patch(
            f"/api/orders/{order.id}", {"version": 1, "comment": "x"}, format="json"
        ),
        403,
    )
    assert_api_error(
        read_only_client.post(
            f"/api/orders/{order.id}/actions", {"name": "CANCEL", "version": 1}, format="json"
        ),
        403,
    )
