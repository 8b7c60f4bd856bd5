"""A stored value Python cannot hold loads as a placeholder: its row stays readable enough for
lists and the admin, and only what uses the value itself fails, with a clear error."""

import pytest

from config.unreadable import PLACEHOLDER, UnreadableValue, UnreadableValueError
from orders.models import Order
from tests.orders.factories import OrderFactory, OrderLineItemFactory
from tests.unreadable import UNREADABLE_TIMESTAMP, plant_unreadable_timestamp

pytestmark = pytest.mark.django_db


@pytest.fixture
def damaged_order():
    order = OrderLineItemFactory(order=OrderFactory(tenant_order_id="DAMAGED")).order
    plant_unreadable_timestamp(order, "order_date")
    return order


def test_the_row_loads_with_a_placeholder_for_the_damaged_value(damaged_order):
    order = Order.objects.get(pk=damaged_order.pk)

    assert isinstance(order.order_date, UnreadableValue)
    assert str(order.order_date) == PLACEHOLDER
    assert order.tenant_order_id == "DAMAGED"
    with pytest.raises(UnreadableValueError, match="cannot be read"):
        order.order_date.isoformat()
    with pytest.raises(UnreadableValueError):
        order.order_date < order.created  # noqa: B015
    assert not hasattr(order.order_date, "resolve_expression")


def test_get_of_the_damaged_order_is_an_api_error_naming_the_problem(api_client, damaged_order):
    response = api_client.get(f"/api/orders/{damaged_order.pk}")

    assert response.status_code == 500
    [error] = response.json()
    assert error["summary"] == "Stored data of this entity cannot be rendered."
    assert UNREADABLE_TIMESTAMP[_vendor()] in error["description"]


def test_list_and_search_leave_the_damaged_order_out_and_answer_for_the_others(
    api_client, damaged_order
):
    others = {str(OrderFactory(tenant_order_id=f"OK-{n}").pk) for n in range(3)}

    listed = api_client.get("/api/orders")
    searched = api_client.post("/api/orders/search", {"query": {}}, format="json")
    by_status = api_client.post(
        "/api/orders/search",
        {"query": {"status": {"eq": "OPEN"}}, "sort": [{"orderDate": "DESC"}]},
        format="json",
    )

    assert listed.status_code == 200
    assert {order["id"] for order in listed.json()["orders"]} == others
    for response in (searched, by_status):
        assert response.status_code == 200, response.content
        assert {order["id"] for order in response.json()["orders"]} == others


def test_deeply_nested_stored_json_still_renders(api_client):
    nested = {}
    for _ in range(300):  # deeper than orjson renders
        nested = {"a": nested}
    order = OrderFactory(custom_attributes=nested)

    response = api_client.get(f"/api/orders/{order.pk}")

    assert response.status_code == 200
    assert response.json()["customAttributes"] == nested


def _vendor():
    from django.db import connection

    return connection.vendor
