"""A promise keeps its routing decision, so staff can see later why it went where it went."""

import pytest

from orders.models import Order
from tests.admin_helpers import staff_client
from tests.promises.helpers import example_promise, small_network

pytestmark = pytest.mark.django_db


def test_the_order_page_of_a_real_promise_shows_its_rating_breakdown(api_client):
    small_network()
    response = api_client.post("/api/promises/deliverypromise", example_promise(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()

    order = Order.objects.get(id=body["orderRef"])
    assert order.extra["sourcingOption"] == body["sourcingOption"]

    page = staff_client(superuser=True).get(f"/admin/orders/order/{order.id}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "No routing decision stored" not in html
    for rating in body["sourcingOption"]["ratingResults"]:
        assert rating["name"] in html


def test_the_stored_decision_does_not_leak_into_the_order_wire_body(api_client):
    small_network()
    created = api_client.post("/api/promises/deliverypromise", example_promise(), format="json")
    order = api_client.get(f"/api/orders/{created.json()['orderRef']}").json()
    assert "sourcingOption" not in order
