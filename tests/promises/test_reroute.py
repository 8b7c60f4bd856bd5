"""When the routed stock is taken between routing and reserving, the cart is routed once more."""

from unittest import mock

import pytest

from inventory.models import Reservation
from orders.models import Order
from promises import placement
from tests.promises.helpers import example_promise, promised_order, small_network, stocked_article

pytestmark = pytest.mark.django_db


def steal_after_routing(stocks_to_take, rounds):
    """Wrap placement.route: after each of the first `rounds` routings, another checkout takes
    the stock the engine just chose."""
    original = placement.route
    calls = []

    def route(data, now, snapshot, **options):
        routing_request, decision = original(data, now, snapshot, **options)
        calls.append(decision)
        if len(calls) <= rounds:
            for allocation in decision.allocations:
                promised_order(stocks_to_take[allocation.facility_id], allocation.quantity)
        return routing_request, decision

    return mock.patch.object(placement, "route", side_effect=route), calls


def test_lost_race_is_routed_again_to_the_remaining_stock(api_client):
    network = small_network({"HOT-1": 1})
    warehouse_stock = stocked_article("HOT-1", 1, facility=network["warehouse"])
    stocks = {
        str(network["store"].id): network["stocks"]["HOT-1"],
        str(network["warehouse"].id): warehouse_stock,
    }
    patch, calls = steal_after_routing(stocks, rounds=1)

    with patch:
        response = api_client.post(
            "/api/promises/deliverypromise", example_promise([("HOT-1", 1)]), format="json"
        )

    assert response.status_code == 201, response.json()
    assert len(calls) == 2
    first, second = (decision.allocations[0].facility_id for decision in calls)
    assert first != second
    order = Order.objects.get(id=response.json()["orderRef"])
    [reservation] = Reservation.objects.filter(order_line_item__order=order)
    assert str(reservation.facility_id) == second


def test_second_lost_race_is_400_and_leaves_nothing(api_client):
    network = small_network({"HOT-1": 1})
    warehouse_stock = stocked_article("HOT-1", 1, facility=network["warehouse"])
    stocks = {
        str(network["store"].id): network["stocks"]["HOT-1"],
        str(network["warehouse"].id): warehouse_stock,
    }
    patch, calls = steal_after_routing(stocks, rounds=2)

    with patch:
        response = api_client.post(
            "/api/promises/deliverypromise", example_promise([("HOT-1", 1)]), format="json"
        )

    assert response.status_code == 400
    assert len(calls) == 2
    assert "HOT-1: requested 1, available 0" in response.json()[0]["description"]
    # Only the two stealing checkouts hold stock; the refused promise left no order.
    assert Order.objects.count() == 2
