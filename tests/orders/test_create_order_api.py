import copy
import json

import pytest

from orders.models import Order, OrderLineItem, OrderStatus
from orders.routing_marks import NOT_ROUTED_TAG
from tests.orders.helpers import assert_api_error, assert_matches_contract

pytestmark = pytest.mark.django_db


def post_order(client, body):
    return client.post("/api/orders", body, format="json")


def test_document_example_order_is_created_with_generated_fields(api_client, example_order):
    response = post_order(api_client, example_order)

    assert response.status_code == 201, response.content
    order = response.json()
    assert response["Location"].endswith(f"/api/orders/{order['id']}")
    assert order["status"] == "OPEN"
    assert order["version"] == 1
    assert order["tenantOrderId"] == "R456728546"
    assert order["orderDate"] == "2024-01-19T08:45:50.525Z"
    assert order["processId"] and order["created"] and order["lastModified"]
    assert [
        (line["article"]["tenantArticleId"], line["quantity"]) for line in order["orderLineItems"]
    ] == [
        ("TSHIRT-W-2468", 10),
        ("JEANS-B-2605", 3),
        ("SNEAK-W-4891", 1),
    ]
    assert all(line["id"] for line in order["orderLineItems"])
    assert order["consumer"] == example_order["consumer"]
    assert order["deliveryPreferences"] == {"shipping": {"serviceLevel": "DELIVERY"}}
    assert_matches_contract(order, "Order")
    # What the Location header points at is the same order.
    assert api_client.get(response["Location"]).json() == order


def test_duplicate_tenant_order_id_is_refused_while_open_and_accepted_after_cancel(
    api_client, example_order
):
    first = post_order(api_client, example_order).json()

    duplicate = post_order(api_client, example_order)
    assert_api_error(duplicate, 400, mentioning="R456728546")
    assert Order.objects.count() == 1

    cancel = api_client.post(
        f"/api/orders/{first['id']}/actions", {"name": "CANCEL", "version": 1}, format="json"
    )
    assert cancel.status_code == 200
    again = post_order(api_client, example_order)
    assert again.status_code == 201, again.content
    assert Order.objects.filter(tenant_order_id="R456728546").count() == 2


@pytest.mark.parametrize("blocking_status", [OrderStatus.LOCKED, OrderStatus.PROMISED])
def test_duplicate_tenant_order_id_is_refused_while_locked_or_promised(
    api_client, example_order, blocking_status
):
    from tests.orders.factories import OrderFactory

    OrderFactory(tenant_order_id="R456728546", status=blocking_status)
    assert_api_error(post_order(api_client, example_order), 400, mentioning="R456728546")


def test_orders_without_tenant_order_id_do_not_collide(api_client, example_order):
    del example_order["tenantOrderId"]
    assert post_order(api_client, example_order).status_code == 201
    assert post_order(api_client, example_order).status_code == 201


def _without(body, *path):
    target = body
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return body


def _with(body, value, *path):
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


MALFORMED = {
    "missing orderDate": lambda b: _without(b, "orderDate"),
    "missing orderLineItems": lambda b: _without(b, "orderLineItems"),
    "missing consumer": lambda b: _without(b, "consumer"),
    "no line items": lambda b: _with(b, [], "orderLineItems"),
    "quantity 0": lambda b: _with(b, 0, "orderLineItems", 0, "quantity"),
    "negative quantity": lambda b: _with(b, -2, "orderLineItems", 1, "quantity"),
    "fractional quantity": lambda b: _with(b, 1.5, "orderLineItems", 0, "quantity"),
    "quantity as string": lambda b: _with(b, "10", "orderLineItems", 0, "quantity"),
    "quantity beyond 32 bits": lambda b: _with(b, 2**31, "orderLineItems", 0, "quantity"),
    "tenantOrderId too long": lambda b: _with(b, "R" * 256, "tenantOrderId"),
    "consumerId too long": lambda b: _with(b, "C" * 256, "consumer", "consumerId"),
    "tenantArticleId too long": lambda b: _with(
        b, "A" * 256, "orderLineItems", 0, "article", "tenantArticleId"
    ),
    "unparsable orderDate": lambda b: _with(b, "19.01.2024 08:45", "orderDate"),
    "orderDate as number": lambda b: _with(b, 1705653950, "orderDate"),
    "tenantOrderId as number": lambda b: _with(b, 456728546, "tenantOrderId"),
    "consumer as string": lambda b: _with(b, "David", "consumer"),
    "orderLineItems as object": lambda b: _with(b, {"quantity": 1}, "orderLineItems"),
    "article without tenantArticleId": lambda b: _without(
        b, "orderLineItems", 0, "article", "tenantArticleId"
    ),
    "unknown top-level field": lambda b: _with(b, "x", "favouriteColour"),
    "unknown line field": lambda b: _with(b, 1, "orderLineItems", 0, "discount"),
    "unknown status": lambda b: _with(b, "SHIPPED", "status"),
    "status PROMISED": lambda b: _with(b, "PROMISED", "status"),
    "unknown serviceLevel": lambda b: _with(
        b, "TELEPORT", "deliveryPreferences", "shipping", "serviceLevel"
    ),
    "lower-case country": lambda b: _with(b, "nl", "consumer", "addresses", 0, "country"),
    "address without street": lambda b: _without(b, "consumer", "addresses", 0, "street"),
    "customAttributes as list": lambda b: _with(b, [1, 2], "customAttributes"),
    "sticker without priority": lambda b: _with(
        b, [{"key": "vip", "nameLocalized": {"en_US": "VIP"}}], "stickers"
    ),
    "empty tags": lambda b: _with(b, [], "tags"),
    "pricing with wrong type": lambda b: _with(b, {"fees": "none"}, "pricing"),
    "unparsable promise validUntil": lambda b: _with(b, {"validUntil": "soon"}, "promisesOptions"),
    "two collect entries": lambda b: _with(
        b, {"collect": [{"facilityRef": "a"}, {"facilityRef": "b"}]}, "deliveryPreferences"
    ),
    "collect without facility": lambda b: _with(
        b, {"collect": [{"paid": True}]}, "deliveryPreferences"
    ),
    "source with both keys": lambda b: _with(
        b, {"sourceRef": "a", "tenantSourceId": "b"}, "source"
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_order_is_a_400_api_error_and_stores_nothing(api_client, example_order, case):
    body = MALFORMED[case](copy.deepcopy(example_order))

    response = post_order(api_client, body)

    assert_api_error(response, 400)
    assert Order.objects.count() == 0
    assert OrderLineItem.objects.count() == 0


@pytest.mark.parametrize(
    "raw",
    [
        "[]",
        '[{"orderDate": "2024-01-19T08:45:50.525Z"}]',
        '{"orderDate": ',
        "null",
        '"order"',
        "42",
    ],
)
def test_json_that_is_not_an_order_object_is_a_400_api_error(api_client, raw):
    response = api_client.post("/api/orders", raw, content_type="application/json")
    assert_api_error(response, 400)
    assert Order.objects.count() == 0


def test_error_names_the_offending_field(api_client, example_order):
    example_order["orderLineItems"][0]["quantity"] = 0
    body = assert_api_error(post_order(api_client, example_order), 400)
    assert "orderLineItems.0.quantity" in body[0]["summary"]


def test_every_optional_field_of_order_for_creation_is_stored_and_returned(
    api_client, example_order
):
    example_order.update(
        {
            "status": "LOCKED",
            "customAttributes": {"channel": "web", "nested": {"a": 1}},
            "tags": [{"id": "region", "value": "north"}],
            "stickers": [
                {"key": "vip", "nameLocalized": {"en_US": "VIP"}, "priority": 1, "color": "#f00"}
            ],
            "statusReasons": [{"status": "LOCKED", "reason": "awaiting payment"}],
            "paymentInfo": {"currency": "EUR", "methodLocalized": {"en_US": "Invoice"}},
            "promisesOptions": {"validUntil": "2024-01-19T09:45:50.525Z"},
            "source": {"tenantSourceId": "webshop-nl"},
            "pricing": {"fees": [{"name": "shipping", "value": {"value": 495, "currency": "EUR"}}]},
            "customServices": [
                {
                    "customServiceDefinition": {"tenantCustomServiceId": "gift-wrap"},
                    "articleItems": [{"tenantArticleRef": "TSHIRT-W-2468", "quantity": 1}],
                    "customServiceItems": [],
                }
            ],
        }
    )
    example_order["consumer"]["consumerId"] = "C-42"
    example_order["consumer"]["addresses"][0].update(
        {
            "addressType": "POSTAL_ADDRESS",
            "email": "david@example.com",
            "phoneNumbers": [{"type": "MOBILE", "value": "+31 6 1234 5678"}],
            "coordinates": {"lat": 52.37, "lon": 4.89},
        }
    )
    example_order["deliveryPreferences"]["shipping"].update(
        {
            "desiredDeliveryTime": "2024-01-22T10:00:00.000Z",
            "carrierProductCategory": "EXPRESS",
            "preferredCarriers": ["DHL"],
            "preferredCarriersWithProduct": [
                {"carrierKey": "DHL", "carrierServices": ["SIGNATURE"]}
            ],
        }
    )
    example_order["orderLineItems"][0].update(
        {
            "customAttributes": {"engraving": "DvdB"},
            "measurementUnitKey": "pcs",
            "scannableCodes": ["4006381333931"],
            "shopPrice": 19.95,
            "tags": [{"id": "size", "value": "M"}],
            "allowedSubstitutes": [
                {"tenantArticleId": "TSHIRT-W-2469", "title": "T-Shirt Offwhite"}
            ],
        }
    )
    example_order["orderLineItems"][0]["article"].update(
        {
            "imageUrl": "https://example.com/t.png",
            "weight": 0.2,
            "attributes": [{"key": "size", "value": "M"}],
        }
    )

    response = post_order(api_client, example_order)

    assert response.status_code == 201, response.content
    order = response.json()
    assert order["status"] == "LOCKED"
    # No stock anywhere: accepted as NOT_ROUTED, which adds its own tag and status reason.
    assert order["tags"] == [*example_order["tags"], NOT_ROUTED_TAG]
    assert order["statusReasons"][:-1] == example_order["statusReasons"]
    assert order["statusReasons"][-1]["reason"].startswith("Not routed: ")
    for key in (
        "customAttributes",
        "stickers",
        "paymentInfo",
        "promisesOptions",
        "source",
        "pricing",
        "consumer",
        "deliveryPreferences",
    ):
        assert order[key] == example_order[key], key
    (service,) = order["customServices"]
    assert service["id"] and service["customServiceDefinition"] == {
        "tenantCustomServiceId": "gift-wrap"
    }
    line = order["orderLineItems"][0]
    sent = example_order["orderLineItems"][0]
    for key in sent:
        assert line[key] == sent[key], key
    assert_matches_contract(order, "Order")
    stored = Order.objects.get()
    assert stored.consumer_id == "C-42"
    assert stored.consumer_name == "David van den Boomgaard"


def test_create_needs_the_add_order_permission(example_order):
    from tests.conftest import make_token_client

    viewer = make_token_client("viewer-only", permissions=["orders.view_order"])
    assert_api_error(post_order(viewer, example_order), 403)
    assert Order.objects.count() == 0


def test_missing_token_is_a_401_api_error(anonymous_client, example_order):
    assert_api_error(post_order(anonymous_client, example_order), 401)


def test_unsupported_method_is_a_405_api_error(api_client):
    response = api_client.delete("/api/orders")
    assert_api_error(response, 405)


def test_create_order_service_accepts_a_promised_order_inside_an_outer_transaction(example_order):
    import datetime

    from django.db import transaction

    from orders.serializers.requests import OrderForCreationSerializer
    from orders.services import create_order

    serializer = OrderForCreationSerializer(data=example_order)
    serializer.is_valid(raise_exception=True)
    valid_until = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    with transaction.atomic():
        order = create_order(
            serializer.validated_data,
            actor=None,
            status=OrderStatus.PROMISED,
            promise_valid_until=valid_until,
        )
    assert order.status == OrderStatus.PROMISED
    assert order.promise_valid_until == valid_until
    assert json.loads(json.dumps(order.consumer)) == example_order["consumer"]
    assert [line.quantity for line in order.order_line_items.all()] == [10, 3, 1]


def test_very_long_consumer_names_are_stored_in_full(api_client, example_order):
    example_order["consumer"]["addresses"][0]["lastName"] = "van " * 200
    example_order["consumer"]["email"] = "x" * 400
    response = post_order(api_client, example_order)
    assert response.status_code == 201, response.content
    assert response.json()["consumer"] == example_order["consumer"]
