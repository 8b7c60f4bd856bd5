"""The generated OpenAPI schema (/api/schema/) names order fields as the wire does."""

import pytest
import yaml

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_order_paths_are_documented(schema):
    for path, methods in {
        "/api/orders": {"get", "post"},
        "/api/orders/{orderId}": {"get", "patch"},
        "/api/orders/{orderId}/actions": {"post"},
        "/api/orders/{orderId}/orderlineitems/{orderLineItemId}/actions": {"post"},
        "/api/orders/search": {"post"},
        "/api/configurations/ordermodification": {"get", "put"},
    }.items():
        assert methods <= set(schema["paths"][path]), path


def _request_schema(schema, path, method):
    ref = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"][
        "$ref"
    ]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def _response_schema(schema, path, method, status):
    content = schema["paths"][path][method]["responses"][status]["content"]["application/json"]
    return schema["components"]["schemas"][content["schema"]["$ref"].rsplit("/", 1)[-1]]


def test_order_response_fields_are_camel_case(schema):
    order = _response_schema(schema, "/api/orders", "post", "201")
    assert {
        "id",
        "version",
        "processId",
        "created",
        "lastModified",
        "status",
        "orderDate",
        "tenantOrderId",
        "orderLineItems",
        "deliveryPreferences",
        "customAttributes",
        "statusReasons",
        "paymentInfo",
        "promisesOptions",
        "updateDetails",
    } <= set(order["properties"])
    assert not [name for name in order["properties"] if "_" in name]


def test_order_for_creation_request_fields_are_camel_case(schema):
    creation = _request_schema(schema, "/api/orders", "post")
    assert {"orderDate", "tenantOrderId", "orderLineItems", "consumer"} <= set(
        creation["properties"]
    )
    assert {"orderDate", "orderLineItems", "consumer"} <= set(creation["required"])


def test_list_and_search_results_are_named_as_the_wire(schema):
    listing = _response_schema(schema, "/api/orders", "get", "200")
    assert set(listing["properties"]) == {"orders", "total"}
    result = _response_schema(schema, "/api/orders/search", "post", "200")
    assert {"orders", "pageInfo", "total"} <= set(result["properties"])
    configuration = _response_schema(schema, "/api/configurations/ordermodification", "get", "200")
    assert "allowOrderLineItemModification" in configuration["properties"]


def test_the_rendered_order_has_exactly_the_declared_fields():
    """OrderSerializer's declared fields document the wire shape; ORDER_WIRE_FIELDS renders it.
    A field added to one and not the other would be undocumented or never sent."""
    from orders.serializers.representation import ORDER_WIRE_FIELDS, OrderSerializer

    assert set(OrderSerializer().fields) == set(ORDER_WIRE_FIELDS)
