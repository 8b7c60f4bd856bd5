"""POST /api/promises/deliverypromise through HTTP with a real token."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.api.fields import format_wire_datetime
from inventory.models import Reservation
from orders.models import Order, OrderStatus
from tests.promises.contract import contract_errors
from tests.promises.helpers import (
    available,
    example_promise,
    small_network,
    stocked_article,
)

URL = "/api/promises/deliverypromise"

pytestmark = pytest.mark.django_db


def promise(client, body, **headers):
    return client.post(URL, body, format="json", headers=headers)


def test_example_order_is_promised_confirmed_and_its_stock_is_taken(api_client):
    network = small_network()

    response = promise(api_client, example_promise())

    assert response.status_code == 201, response.json()
    body = response.json()
    assert contract_errors("ResponseForDeliveryPromise", body) == []
    order = Order.objects.get(id=body["orderRef"])
    assert response["Location"].endswith(f"/api/orders/{order.id}")
    assert order.status == OrderStatus.PROMISED
    assert body["orderVersion"] == order.version
    valid_until = timezone.now() + timedelta(hours=8)
    assert abs(order.promise_valid_until - valid_until) < timedelta(minutes=1)
    assert body["promisesOptions"]["validUntil"] == format_wire_datetime(order.promise_valid_until)
    # Every unit is reserved until validUntil.
    reservations = Reservation.objects.filter(order_line_item__order=order)
    assert sum(reservation.quantity for reservation in reservations) == 14
    assert {reservation.valid_until for reservation in reservations} == {order.promise_valid_until}
    shipped = {
        item["tenantArticleId"]: item["quantity"]
        for shipment in body["shipToCustomer"]
        for item in shipment["lineItems"]
    }
    assert shipped == {"TSHIRT-W-2468": 10, "JEANS-B-2605": 3, "SNEAK-W-4891": 1}
    carrier = body["shipToCustomer"][0]["carriers"][0]
    assert carrier["carrierKey"] == "POSTNL"
    product = carrier["products"][0]
    assert product["deliveryCosts"] == [{"cost": 4.95, "currency": "EUR"}]
    assert product["transitTime"] == {"minTransitDays": 1, "maxTransitDays": 2}
    assert product["estimatedDeliveryTime"]["minDeliveryDays"] >= 1
    assert body["sourcingOption"]["nodes"]

    confirm = api_client.post(
        f"/api/orders/{order.id}/actions",
        {"name": "CONFIRM_PROMISE", "version": body["orderVersion"], "tenantOrderId": "R456728546"},
        format="json",
    )

    assert confirm.status_code == 200, confirm.json()
    assert confirm.json()["status"] == "OPEN"
    assert confirm.json()["tenantOrderId"] == "R456728546"
    # The only 5 sneakers minus the one confirmed: a second promise for 5 cannot get them.
    second = promise(api_client, example_promise([("SNEAK-W-4891", 5)]))
    assert second.status_code == 400
    assert "SNEAK-W-4891: requested 5, available 4" in second.json()[0]["description"]
    assert available(network["stocks"]["SNEAK-W-4891"]) == 4


def test_not_enough_stock_is_400_naming_each_article_and_leaves_nothing(api_client):
    small_network({"TSHIRT-W-2468": 2, "JEANS-B-2605": 10, "SNEAK-W-4891": 0})

    response = promise(api_client, example_promise())

    assert response.status_code == 400
    error = response.json()[0]
    assert error["summary"] == "Not enough stock to promise this order."
    assert "TSHIRT-W-2468: requested 10, available 2" in error["description"]
    assert "SNEAK-W-4891: requested 1, available 0" in error["description"]
    assert "JEANS-B-2605" not in error["description"]
    assert not Order.objects.exists()
    assert not Reservation.objects.exists()


def test_backorderable_line_is_backordered_without_reserving_the_missing_part(api_client):
    network = small_network({"TSHIRT-W-2468": 20})
    stocked_article("PREORDER-1", 2, facility=network["store"], out_of_stock_behaviour="BACKORDER")

    response = promise(api_client, example_promise([("TSHIRT-W-2468", 1), ("PREORDER-1", 5)]))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert contract_errors("ResponseForDeliveryPromise", body) == []
    assert body["backOrdered"]["lineItems"] == [
        {
            "tenantArticleId": "PREORDER-1",
            "quantity": 3,
            "available": 0,
            "outOfStockBehaviour": "BACKORDER",
        }
    ]
    reserved = Reservation.objects.filter(tenant_article_id="PREORDER-1")
    assert sum(reservation.quantity for reservation in reserved) == 2


def test_click_and_collect_with_a_transfer_from_the_warehouse(api_client):
    # Nothing at the pickup store: everything travels from the warehouse.
    network = small_network({"TSHIRT-W-2468": 0}, warehouse_articles={"TSHIRT-W-2468": 5})
    body = example_promise(
        [("TSHIRT-W-2468", 3)],
        deliveryPreferences={"collect": [{"tenantFacilityId": "AMS-01"}]},
    )

    response = promise(api_client, body)

    assert response.status_code == 201, response.json()
    result = response.json()
    assert contract_errors("ResponseForDeliveryPromise", result) == []
    assert result["collect"]["facility"]["facilityRef"] == str(network["store"].id)
    assert result["collect"]["lineItems"][0]["quantity"] == 3
    assert "targetTime" in result["collect"]
    assert "shipToCustomer" not in result
    transfers = result["shipToStore"]
    assert transfers[0]["facility"]["tenantFacilityId"] == "UTR-DC"
    assert transfers[0]["lineItems"][0]["quantity"] == 3
    assert transfers[0]["lineItems"][0]["available"] == 5
    reservations = Reservation.objects.all()
    assert {reservation.facility_id for reservation in reservations} == {network["warehouse"].id}
    assert sum(reservation.quantity for reservation in reservations) == 3


def test_collect_at_an_unknown_facility_is_400(api_client):
    small_network()
    body = example_promise(deliveryPreferences={"collect": [{"facilityRef": "nope"}]})

    response = promise(api_client, body)

    assert response.status_code == 400
    assert not Order.objects.exists()


def test_client_valid_until_is_used_for_order_and_reservations(api_client):
    small_network()
    valid_until = timezone.now() + timedelta(hours=2)
    body = example_promise(promisesOptions={"validUntil": format_wire_datetime(valid_until)})

    response = promise(api_client, body)

    assert response.status_code == 201
    assert response.json()["promisesOptions"]["validUntil"] == format_wire_datetime(valid_until)
    order = Order.objects.get()
    assert abs(order.promise_valid_until - valid_until) < timedelta(milliseconds=1)
    assert all(
        abs(reservation.valid_until - valid_until) < timedelta(milliseconds=1)
        for reservation in Reservation.objects.all()
    )


@pytest.mark.parametrize(
    "ahead", [timedelta(seconds=30), timedelta(hours=8, minutes=5), -timedelta(hours=1)]
)
def test_client_valid_until_out_of_range_is_400(api_client, ahead):
    small_network()
    valid_until = format_wire_datetime(timezone.now() + ahead)

    response = promise(api_client, example_promise(promisesOptions={"validUntil": valid_until}))

    assert response.status_code == 400
    assert "validUntil" in response.json()[0]["summary"]
    assert not Order.objects.exists()


def test_configured_duration_applies(api_client):
    small_network()
    api_client.put(
        "/api/configurations/promises", {"version": 1, "invalidAfterTime": "PT15M"}, format="json"
    )

    response = promise(api_client, example_promise())

    order = Order.objects.get(id=response.json()["orderRef"])
    assert abs(order.promise_valid_until - (timezone.now() + timedelta(minutes=15))) < timedelta(
        minutes=1
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"unknownField": 1}, "unknownField"),
        ({"status": "OPEN"}, "status"),
        ({"additionalInfo": {"resourceInvestment": {"level": 0}}}, "level"),
        ({"additionalInfo": {"resourceInvestment": {"level": 1.5}}}, "level"),
        ({"additionalInfo": {"debug": True}}, "debug"),
        ({"source": {"tenantSourceId": "x"}}, "source"),
        ({"orderLineItems": []}, "orderLineItems"),
        ({"consumer": None}, "consumer"),
    ],
)
def test_invalid_requests_are_400_and_change_nothing(api_client, change, field):
    small_network()

    response = promise(api_client, example_promise(**change))

    assert response.status_code == 400
    assert any(field in error["summary"] for error in response.json())
    assert not Order.objects.exists()
    assert not Reservation.objects.exists()


def test_missing_required_fields_are_400(api_client):
    small_network()
    for field in ("orderDate", "orderLineItems", "consumer"):
        body = example_promise()
        del body[field]
        response = promise(api_client, body)
        assert response.status_code == 400
        assert field in response.json()[0]["summary"]


def test_resource_investment_and_promised_status_are_accepted(api_client):
    small_network()
    body = example_promise(status="PROMISED", additionalInfo={"resourceInvestment": {"level": 0.8}})

    response = promise(api_client, body)

    assert response.status_code == 201, response.json()


def test_permissions(read_only_client, anonymous_client):
    small_network()
    assert promise(anonymous_client, example_promise()).status_code == 401
    assert promise(read_only_client, example_promise()).status_code == 403
    assert not Order.objects.exists()


def test_shipping_without_an_address_is_400(api_client):
    small_network()

    response = promise(api_client, example_promise(consumer={"email": "a@example.com"}))

    assert response.status_code == 400
    assert not Order.objects.exists()


def test_unknown_article_is_400_with_nothing_available(api_client):
    small_network()

    response = promise(api_client, example_promise([("NO-SUCH-ARTICLE", 2)]))

    assert response.status_code == 400
    assert "NO-SUCH-ARTICLE: requested 2, available 0" in response.json()[0]["description"]
    assert not Order.objects.exists()


def test_same_article_on_two_lines_reserves_for_each_line(api_client):
    small_network({"TSHIRT-W-2468": 5})

    response = promise(api_client, example_promise([("TSHIRT-W-2468", 2), ("TSHIRT-W-2468", 3)]))

    assert response.status_code == 201, response.json()
    order = Order.objects.get()
    reserved = {
        line.position: sum(r.quantity for r in line.reservations.all())
        for line in order.order_line_items.all()
    }
    assert reserved == {0: 2, 1: 3}
    refused = promise(api_client, example_promise([("TSHIRT-W-2468", 1)]))
    assert refused.status_code == 400


def test_a_non_object_body_is_400(api_client):
    response = api_client.post(URL, [example_promise()], format="json")

    assert response.status_code == 400
