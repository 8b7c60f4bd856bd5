"""Every modification re-routes an order that holds stock (issue 13, points 2–6): PATCH of
lines and consumer, the deprecated consumer actions, REROUTE; a refusal changes nothing."""

from datetime import UTC, datetime

import pytest

from config import clock
from events.models import EventName, OutboxEvent
from inventory.models import Facility, FacilityStatus, Reservation
from orders.models import GdprConfiguration, Order, OrderModificationConfiguration
from orders.routing_marks import NOT_ROUTED_TAG
from tests.events.factories import SubscriptionFactory
from tests.orders.helpers import CONTRACT, assert_api_error, assert_matches_contract
from tests.promises.helpers import (
    MUNICH_ADDRESS,
    available,
    example_promise,
    munich_warehouse,
    small_network,
    stocked_article,
)
from tests.promises.test_daily_capacity import orders_today

pytestmark = pytest.mark.django_db

# A Tuesday morning: both networks pick and ship today.
TUESDAY = datetime(2025, 3, 4, 8, 0, tzinfo=UTC)


@pytest.fixture
def line_changes_allowed():
    OrderModificationConfiguration.objects.update_or_create(
        pk=1, defaults={"allow_order_line_item_modification": True}
    )


def promise(client, lines):
    response = client.post("/api/promises/deliverypromise", example_promise(lines), format="json")
    assert response.status_code == 201, response.content
    return client.get(f"/api/orders/{response.json()['orderRef']}").json()


def plain_order(client, lines, **overrides):
    response = client.post("/api/orders", example_promise(lines, **overrides), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def patch(client, order, body):
    return client.patch(f"/api/orders/{order['id']}", body, format="json")


def held(order):
    """(facility, article, quantity, validUntil) of every reservation the order holds."""
    return sorted(
        (r.facility.tenant_facility_id, r.tenant_article_id, r.quantity, r.valid_until)
        for r in Reservation.objects.filter(order_line_item__order_id=order["id"])
    )


def promised_two_at_the_store_and_two_free_at_the_warehouse():
    """The network before the promise: 2 units at the Amsterdam store only (the test adds 2 at
    the warehouse after promising, so the promise holds the store's)."""
    return small_network({"HOT-1": 2})


def routing_of(body):
    return body["updateDetails"][-1]["changes"]["routing"]


def test_asking_for_more_than_the_network_has_is_refused_and_changes_nothing(
    api_client, line_changes_allowed
):
    network = promised_two_at_the_store_and_two_free_at_the_warehouse()
    order = promise(api_client, [("HOT-1", 2)])
    stocked_article("HOT-1", 2, facility=network["warehouse"])
    line = order["orderLineItems"][0]["id"]
    before = held(order)
    assert [(facility, quantity) for facility, _, quantity, _ in before] == [("AMS-01", 2)]
    stored = Order.objects.get(id=order["id"])

    response = patch(
        api_client, order, {"version": 1, "orderLineItems": [{"id": line, "quantity": 5}]}
    )

    [error] = assert_api_error(response, 400)
    assert error["summary"] == "Not enough stock for this modification of the order."
    assert "HOT-1: requested 5, available 4" in error["description"]
    assert held(order) == before
    after = Order.objects.get(id=order["id"])
    assert (after.version, after.extra, after.update_details) == (
        1,
        stored.extra,
        stored.update_details,
    )
    assert available(network["stocks"]["HOT-1"]) == 0


def test_asking_for_what_is_free_anywhere_reserves_it_and_releases_the_old_units(
    api_client, line_changes_allowed
):
    network = promised_two_at_the_store_and_two_free_at_the_warehouse()
    order = promise(api_client, [("HOT-1", 2)])
    stocked_article("HOT-1", 2, facility=network["warehouse"])
    line = order["orderLineItems"][0]["id"]
    [(_, _, _, valid_until)] = held(order)
    old_reservations = set(
        Reservation.objects.filter(order_line_item_id=line).values_list("id", flat=True)
    )

    response = patch(
        api_client,
        order,
        {"version": 1, "comment": "two more", "orderLineItems": [{"id": line, "quantity": 4}]},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2
    assert body["orderLineItems"][0]["quantity"] == 4
    assert held(order) == [
        ("AMS-01", "HOT-1", 2, valid_until),
        ("UTR-DC", "HOT-1", 2, valid_until),
    ]
    assert not Reservation.objects.filter(id__in=old_reservations).exists()
    # A promise keeps its validUntil.
    assert body["promisesOptions"] == order["promisesOptions"]
    detail = body["updateDetails"][-1]
    assert detail["comment"] == "two more"
    assert detail["changes"]["routing"]["from"]["facilities"] == ["AMS-01"]
    assert sorted(detail["changes"]["routing"]["to"]["facilities"]) == ["AMS-01", "UTR-DC"]
    assert_matches_contract(body, "Order")
    # The new decision is the order's; the one it replaced is kept beside it.
    stored = Order.objects.get(id=order["id"])
    [earlier] = stored.extra["routingHistory"]
    assert earlier["replaced"] and earlier["sourcingOption"] != stored.extra["sourcingOption"]
    assert [node.get("tenantFacilityId") for node in earlier["sourcingOption"]["nodes"]] == [
        "AMS-01",
        None,  # the customer
    ]


def test_omitting_a_line_removes_it_and_releases_its_stock(api_client, line_changes_allowed):
    network = small_network({"HOT-1": 3, "HOT-2": 3})
    order = plain_order(api_client, [("HOT-1", 1), ("HOT-2", 2)])
    first = order["orderLineItems"][0]["id"]
    assert available(network["stocks"]["HOT-2"]) == 1

    response = patch(
        api_client, order, {"version": 1, "orderLineItems": [{"id": first, "quantity": 1}]}
    )

    assert response.status_code == 200, response.content
    assert [line["id"] for line in response.json()["orderLineItems"]] == [first]
    assert available(network["stocks"]["HOT-2"]) == 3
    assert [(article, quantity) for _, article, quantity, _ in held(order)] == [("HOT-1", 1)]


def test_a_line_added_by_article_is_reserved_when_stock_allows(api_client, line_changes_allowed):
    network = small_network({"HOT-1": 3, "TEE-1": 1})
    order = plain_order(api_client, [("HOT-1", 1)])
    lines = [
        {"id": order["orderLineItems"][0]["id"], "quantity": 1},
        {"article": {"tenantArticleId": "TEE-1", "title": "T-shirt"}, "quantity": 1},
    ]

    response = patch(api_client, order, {"version": 1, "orderLineItems": lines})

    assert response.status_code == 200, response.content
    assert [(article, quantity) for _, article, quantity, _ in held(order)] == [
        ("HOT-1", 1),
        ("TEE-1", 1),
    ]
    assert available(network["stocks"]["TEE-1"]) == 0
    too_many = [lines[0], {"id": response.json()["orderLineItems"][1]["id"], "quantity": 2}]
    assert_api_error(
        patch(api_client, response.json(), {"version": 2, "orderLineItems": too_many}),
        400,
        mentioning="TEE-1: requested 2, available 1",
    )


def test_moving_the_delivery_from_amsterdam_to_munich_changes_facility_carrier_and_estimate(
    api_client,
):
    small_network({"HOT-1": 5})
    munich_warehouse({"HOT-1": 5})
    with clock.frozen_at(TUESDAY):
        order = plain_order(api_client, [("HOT-1", 1)])
        consumer = {**order["consumer"], "addresses": [MUNICH_ADDRESS]}
        response = patch(api_client, order, {"version": 1, "consumer": consumer})

    assert response.status_code == 200, response.content
    body = response.json()
    assert_matches_contract(body, "Order")
    routing = routing_of(body)
    assert routing["from"]["facilities"] == ["AMS-01"] and routing["from"]["carriers"] == ["POSTNL"]
    assert routing["to"]["facilities"] == ["MUC-01"] and routing["to"]["carriers"] == ["DHL"]
    before = order["deliveryPreferences"]["estimatedDeliveryDate"]
    after = body["deliveryPreferences"]["estimatedDeliveryDate"]
    assert after > before
    assert body["consumer"]["addresses"] == [MUNICH_ADDRESS]
    assert [facility for facility, *_ in held(order)] == ["MUC-01"]


def test_change_consumer_address_is_the_same_re_routing_patch(api_client):
    small_network({"HOT-1": 5})
    munich_warehouse({"HOT-1": 5})
    order = plain_order(api_client, [("HOT-1", 1)])
    action = {
        "name": "CHANGE_CONSUMER_ADDRESS",
        "version": 1,
        "addressType": "POSTAL_ADDRESS",
        "consumerAddress": MUNICH_ADDRESS,
    }
    assert_matches_contract(action, "OrderConsumerAddressChangeActionParameter")

    response = api_client.post(f"/api/orders/{order['id']}/actions", action, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert_matches_contract(body, "Order")
    assert body["consumer"]["addresses"] == [{**MUNICH_ADDRESS, "addressType": "POSTAL_ADDRESS"}]
    assert body["consumer"]["email"] == order["consumer"]["email"]
    assert body["updateDetails"][-1]["changes"]["action"] == "CHANGE_CONSUMER_ADDRESS"
    assert routing_of(body)["to"]["facilities"] == ["MUC-01"]
    mismatch = {
        **action,
        "version": 2,
        "consumerAddress": {**MUNICH_ADDRESS, "addressType": "INVOICE_ADDRESS"},
    }
    assert_api_error(
        api_client.post(f"/api/orders/{order['id']}/actions", mismatch, format="json"), 400
    )


def test_replace_consumer_addresses_re_routes_to_the_new_shipping_address(api_client):
    small_network({"HOT-1": 5})
    munich_warehouse({"HOT-1": 5})
    order = plain_order(api_client, [("HOT-1", 1)])
    invoice = {**order["consumer"]["addresses"][0], "addressType": "INVOICE_ADDRESS"}
    action = {
        "name": "REPLACE_CONSUMER_ADDRESSES",
        "version": 1,
        "consumerAddresses": [invoice, MUNICH_ADDRESS],
    }
    assert_matches_contract(action, "OrderConsumerAddressesReplaceActionParameter")

    response = api_client.post(f"/api/orders/{order['id']}/actions", action, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["consumer"]["addresses"] == [invoice, MUNICH_ADDRESS]
    assert routing_of(body)["to"]["facilities"] == ["MUC-01"]
    assert_matches_contract(body, "Order")


def test_an_address_the_network_cannot_reach_is_refused_and_changes_nothing(api_client):
    small_network({"HOT-1": 5})  # its only carrier delivers in NL
    order = plain_order(api_client, [("HOT-1", 1)])
    before = held(order)
    consumer = {**order["consumer"], "addresses": [MUNICH_ADDRESS]}

    response = patch(api_client, order, {"version": 1, "consumer": consumer})

    assert_api_error(response, 400, mentioning="HOT-1")
    assert held(order) == before
    assert api_client.get(f"/api/orders/{order['id']}").json() == order


def test_the_order_modified_event_carries_the_re_routed_order_and_a_refusal_sends_none(
    api_client, line_changes_allowed
):
    small_network({"HOT-1": 2}, warehouse_articles={"HOT-1": 2})
    SubscriptionFactory(event=EventName.ORDER_MODIFIED)
    order = plain_order(api_client, [("HOT-1", 1)])
    line = order["orderLineItems"][0]["id"]

    refused = patch(
        api_client, order, {"version": 1, "orderLineItems": [{"id": line, "quantity": 9}]}
    )
    assert refused.status_code == 400
    assert not OutboxEvent.objects.filter(event=EventName.ORDER_MODIFIED).exists()

    done = patch(api_client, order, {"version": 1, "orderLineItems": [{"id": line, "quantity": 3}]})
    (event,) = OutboxEvent.objects.filter(event=EventName.ORDER_MODIFIED)
    assert event.payload == done.json()
    assert sorted(routing_of(event.payload)["to"]["facilities"]) == ["AMS-01", "UTR-DC"]


def test_reroute_action_moves_an_order_off_a_facility_that_went_offline(api_client):
    small_network({"HOT-1": 2}, warehouse_articles={"HOT-1": 2})
    order = plain_order(api_client, [("HOT-1", 1)])
    [(first, *_)] = held(order)
    [other] = {"AMS-01", "UTR-DC"} - {first}
    Facility.objects.filter(tenant_facility_id=first).update(
        status=FacilityStatus.OFFLINE, version=9
    )

    response = api_client.post(
        f"/api/orders/{order['id']}/actions", {"name": "REROUTE", "version": 1}, format="json"
    )

    assert response.status_code == 200, response.content
    routing = routing_of(response.json())
    assert (routing["from"]["facilities"], routing["to"]["facilities"]) == ([first], [other])
    assert response.json()["updateDetails"][-1]["changes"]["action"] == "REROUTE"
    assert [facility for facility, *_ in held(order)] == [other]
    Facility.objects.filter(tenant_facility_id=other).update(
        status=FacilityStatus.OFFLINE, version=9
    )

    refused = api_client.post(
        f"/api/orders/{order['id']}/actions", {"name": "REROUTE", "version": 2}, format="json"
    )

    assert_api_error(refused, 400, mentioning="HOT-1")
    assert [facility for facility, *_ in held(order)] == [other]
    assert Order.objects.get(id=order["id"]).version == 2


def test_a_not_routed_order_is_routed_by_the_modification_that_makes_it_servable(
    api_client, line_changes_allowed
):
    small_network({"HOT-1": 2})
    order = plain_order(api_client, [("HOT-1", 5)])
    assert order["tags"] == [NOT_ROUTED_TAG]
    line = order["orderLineItems"][0]["id"]

    still = patch(
        api_client, order, {"version": 1, "orderLineItems": [{"id": line, "quantity": 3}]}
    )
    assert still.status_code == 200, still.content
    assert still.json()["tags"] == [NOT_ROUTED_TAG]
    assert "requested 3, available 2" in still.json()["statusReasons"][-1]["reason"]
    assert held(order) == []

    routed = patch(
        api_client, order, {"version": 2, "orderLineItems": [{"id": line, "quantity": 2}]}
    )
    assert routed.status_code == 200, routed.content
    assert "tags" not in routed.json() and "statusReasons" not in routed.json()
    assert [(article, quantity) for _, article, quantity, _ in held(order)] == [("HOT-1", 2)]


@pytest.mark.parametrize("anonymized", [True, False])
def test_update_details_name_the_actor_only_without_actor_anonymization(api_client, anonymized):
    GdprConfiguration.objects.create(pk=1, actor_anonymization=anonymized)
    small_network({"HOT-1": 3})
    order = plain_order(api_client, [("HOT-1", 1)], status="LOCKED")
    api_client.post(
        f"/api/orders/{order['id']}/actions", {"name": "UNLOCK", "version": 1}, format="json"
    )
    patch(api_client, order, {"version": 2, "customAttributes": {"gift": True}})
    cancelled = api_client.post(
        f"/api/orders/{order['id']}/actions", {"name": "CANCEL", "version": 3}, format="json"
    ).json()

    details = cancelled["updateDetails"]
    assert [detail["changes"].get("action") for detail in details] == [
        "CREATE",
        "UNLOCK",
        None,
        "CANCEL",
    ]
    assert details[2]["changes"]["customAttributes"] == {"gift": True}
    users = [detail.get("user") for detail in details]
    assert users == ([None] * 4 if anonymized else ["api-user"] * 4)
    assert_matches_contract(cancelled, "Order")


def test_the_reference_documents_both_consumer_actions():
    names = {
        schema["$ref"].rsplit("/", 1)[-1]
        for schema in CONTRACT["definitions"]["OrderActionsParameter"]["oneOf"]
    }
    assert {
        "OrderConsumerAddressChangeActionParameter",
        "OrderConsumerAddressesReplaceActionParameter",
    } <= names


def test_a_re_routed_order_counts_at_its_new_facilities_only(api_client, line_changes_allowed):
    network = small_network({"HOT-1": 2})
    order = plain_order(api_client, [("HOT-1", 1)])
    stocked_article("HOT-1", 2, facility=network["warehouse"])
    assert (orders_today(network["store"]), orders_today(network["warehouse"])) == (1, 0)
    line = order["orderLineItems"][0]["id"]

    patch(api_client, order, {"version": 1, "orderLineItems": [{"id": line, "quantity": 4}]})
    assert (orders_today(network["store"]), orders_today(network["warehouse"])) == (1, 1)

    Facility.objects.filter(id=network["store"].id).update(status=FacilityStatus.OFFLINE, version=9)
    patch(api_client, order, {"version": 2, "orderLineItems": [{"id": line, "quantity": 2}]})
    assert (orders_today(network["store"]), orders_today(network["warehouse"])) == (0, 1)
