"""POST /api/orders routes and reserves like a promise; what the network cannot serve is still
accepted, marked NOT_ROUTED (issue 13, point 1)."""

import pytest

from inventory.models import Reservation
from orders.models import Order, OrderStatus, RoutingStatus
from orders.routing_marks import NOT_ROUTED_TAG
from tests.orders.helpers import assert_api_error, assert_matches_contract
from tests.promises.helpers import available, example_promise, small_network

pytestmark = pytest.mark.django_db

URL = "/api/orders"


def plain_order(lines, **overrides):
    """The documents' example order for POST /api/orders."""
    return example_promise(lines, **overrides)


def reservations_of(order_id):
    return list(Reservation.objects.filter(order_line_item__order_id=order_id).order_by("quantity"))


def test_a_plain_order_holds_its_stock_permanently_and_says_where_it_goes(api_client):
    network = small_network()

    response = api_client.post(URL, plain_order(None), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "OPEN"
    assert "tags" not in body and "statusReasons" not in body
    assert body["deliveryPreferences"]["estimatedDeliveryDate"].endswith("T00:00:00.000Z")
    (created,) = body["updateDetails"]
    assert created["changes"]["action"] == "CREATE"
    assert created["changes"]["routing"]["from"] is None
    assert created["changes"]["routing"]["to"]["facilities"] == ["AMS-01"]
    assert created["changes"]["routing"]["to"]["carriers"] == ["POSTNL"]
    assert "user" not in created  # actorAnonymization is on by default
    assert_matches_contract(body, "Order")
    reserved = reservations_of(body["id"])
    assert sorted((r.tenant_article_id, r.quantity) for r in reserved) == [
        ("JEANS-B-2605", 3),
        ("SNEAK-W-4891", 1),
        ("TSHIRT-W-2468", 10),
    ]
    assert all(reservation.valid_until is None for reservation in reserved)
    assert available(network["stocks"]["TSHIRT-W-2468"]) == 10
    assert Order.objects.get().routing_status == RoutingStatus.ROUTED


def test_an_order_the_network_cannot_serve_is_accepted_as_not_routed(api_client):
    small_network({"TSHIRT-W-2468": 4})

    response = api_client.post(URL, plain_order([("TSHIRT-W-2468", 10)]), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "OPEN"
    assert body["tags"] == [NOT_ROUTED_TAG]
    (reason,) = body["statusReasons"]
    assert reason["status"] == "OPEN"
    assert reason["reason"].startswith("Not routed: Not enough stock to route this order.")
    assert "TSHIRT-W-2468: requested 10, available 4" in reason["reason"]
    assert "estimatedDeliveryDate" not in body["deliveryPreferences"]
    assert_matches_contract(body, "Order")
    assert reservations_of(body["id"]) == []
    # GET says the same.
    assert api_client.get(f"{URL}/{body['id']}").json()["tags"] == [NOT_ROUTED_TAG]


def test_two_plain_orders_cannot_sell_the_same_last_unit(api_client):
    network = small_network({"HOT-1": 1})
    body = plain_order([("HOT-1", 1)])

    first = api_client.post(URL, body, format="json").json()
    second = api_client.post(URL, body, format="json").json()

    assert "tags" not in first and second["tags"] == [NOT_ROUTED_TAG]
    assert [r.order_line_item.order_id for r in Reservation.objects.all()] == [
        Order.objects.get(id=first["id"]).id
    ]
    assert available(network["stocks"]["HOT-1"]) == 0


def test_a_locked_order_is_routed_too(api_client):
    small_network({"HOT-1": 3})
    response = api_client.post(URL, plain_order([("HOT-1", 2)], status="LOCKED"), format="json")
    assert response.json()["status"] == OrderStatus.LOCKED
    assert sum(r.quantity for r in reservations_of(response.json()["id"])) == 2


def test_an_order_without_a_shipping_address_is_accepted_and_says_why(api_client):
    small_network({"HOT-1": 3})
    body = plain_order([("HOT-1", 1)])
    body["consumer"] = {"email": "david@example.com"}

    response = api_client.post(URL, body, format="json")

    assert response.status_code == 201, response.content
    (reason,) = response.json()["statusReasons"]
    assert "a shipping address with a country is required" in reason["reason"]


def test_the_routing_status_tag_belongs_to_the_server(api_client):
    small_network({"HOT-1": 3})
    body = plain_order([("HOT-1", 1)], tags=[{"id": "routingStatus", "value": "ROUTED"}])
    assert_api_error(api_client.post(URL, body, format="json"), 400, mentioning="routingStatus")
    assert not Order.objects.exists()


def test_cancelling_a_plain_order_gives_its_stock_back(api_client):
    network = small_network({"HOT-1": 2})
    order = api_client.post(URL, plain_order([("HOT-1", 2)]), format="json").json()
    assert available(network["stocks"]["HOT-1"]) == 0

    cancel = api_client.post(
        f"{URL}/{order['id']}/actions", {"name": "CANCEL", "version": 1}, format="json"
    )

    assert cancel.status_code == 200
    assert available(network["stocks"]["HOT-1"]) == 2
    assert [detail["changes"]["action"] for detail in cancel.json()["updateDetails"]] == [
        "CREATE",
        "CANCEL",
    ]
