import pytest

from orders.models import GdprConfiguration, Order, OrderModificationConfiguration, OrderStatus
from tests.conftest import make_token_client
from tests.orders.factories import order_with_lines
from tests.orders.helpers import assert_api_error, assert_matches_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def line_modification_allowed():
    OrderModificationConfiguration.objects.update_or_create(
        pk=1, defaults={"allow_order_line_item_modification": True}
    )


@pytest.fixture
def actors_recorded():
    GdprConfiguration.objects.update_or_create(pk=1, defaults={"actor_anonymization": False})


def patch(client, order, body):
    return client.patch(f"/api/orders/{order.id}", body, format="json")


def line_ids(order):
    return [str(line.id) for line in order.order_line_items.order_by("position")]


def test_patch_custom_attributes_and_handling_time_records_update_details(
    api_client, actors_recorded
):
    order = order_with_lines(2)

    response = patch(
        api_client,
        order,
        {
            "version": 1,
            "comment": "customer asked",
            "customAttributes": {"attribute1": "value"},
            "preferredHandlingTime": "2024-05-04T13:00:00.000Z",
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2
    assert body["customAttributes"] == {"attribute1": "value"}
    assert (
        body["deliveryPreferences"]["shipping"]["desiredDeliveryTime"] == "2024-05-04T13:00:00.000Z"
    )
    (detail,) = body["updateDetails"]
    assert detail["comment"] == "customer asked"
    assert detail["user"] == "api-user"
    assert detail["created"]
    assert detail["changes"] == {
        "customAttributes": {"attribute1": "value"},
        "preferredHandlingTime": "2024-05-04T13:00:00.000Z",
    }
    assert_matches_contract(body, "Order")


def test_by_default_the_actor_is_anonymised(api_client):
    order = order_with_lines(2)
    body = patch(api_client, order, {"version": 1, "customAttributes": {"a": 1}}).json()
    (detail,) = body["updateDetails"]
    assert "user" not in detail
    assert detail["changes"] == {"customAttributes": {"a": 1}}


def test_preferred_handling_time_of_a_collect_order_is_its_provisioning_time(api_client):
    order = order_with_lines(1, delivery_preferences={"collect": [{"facilityRef": "store-1"}]})
    body = patch(
        api_client, order, {"version": 1, "preferredHandlingTime": "2024-05-04T13:00:00Z"}
    ).json()
    assert body["deliveryPreferences"] == {
        "collect": [{"facilityRef": "store-1", "provisioningTime": "2024-05-04T13:00:00.000Z"}]
    }


def test_each_patch_appends_update_details(api_client):
    order = order_with_lines(1)
    patch(api_client, order, {"version": 1, "customAttributes": {"a": 1}})
    body = patch(
        api_client, order, {"version": 2, "customAttributes": {"a": 2}, "comment": "2nd"}
    ).json()
    assert body["version"] == 3
    assert [d["changes"]["customAttributes"] for d in body["updateDetails"]] == [{"a": 1}, {"a": 2}]


def test_line_quantities_are_refused_while_the_configuration_forbids_it(api_client):
    order = order_with_lines(2, 3)
    response = patch(
        api_client,
        order,
        {"version": 1, "orderLineItems": [{"id": line_ids(order)[0], "quantity": 5}]},
    )
    assert_api_error(response, 400, mentioning="allowOrderLineItemModification")
    order.refresh_from_db()
    assert order.version == 1 and [line.quantity for line in order.order_line_items.all()] == [2, 3]


def test_line_quantities_change_by_line_id_when_allowed(api_client, line_modification_allowed):
    order = order_with_lines(2, 3)
    first, second = line_ids(order)
    lines = [{"id": first, "quantity": 2}, {"id": second, "quantity": 100}]

    response = patch(api_client, order, {"version": 1, "comment": "more", "orderLineItems": lines})

    assert response.status_code == 200, response.content
    body = response.json()
    assert [line["quantity"] for line in body["orderLineItems"]] == [2, 100]
    assert body["updateDetails"][0]["changes"]["orderLineItems"] == lines


def test_lines_left_out_are_removed_and_new_ones_added_by_article(
    api_client, line_modification_allowed
):
    order = order_with_lines(2, 3)
    first, _ = line_ids(order)
    article = {"tenantArticleId": "SOCKS-1", "title": "Socks"}

    response = patch(
        api_client,
        order,
        {
            "version": 1,
            "orderLineItems": [{"id": first, "quantity": 2}, {"article": article, "quantity": 4}],
        },
    )

    assert response.status_code == 200, response.content
    lines = response.json()["orderLineItems"]
    assert [(line["id"] == first, line["article"], line["quantity"]) for line in lines] == [
        (True, {"tenantArticleId": lines[0]["article"]["tenantArticleId"], "title": "Article"}, 2),
        (False, article, 4),
    ]
    assert_matches_contract(response.json(), "Order")


def test_a_kept_line_cannot_change_its_article(api_client, line_modification_allowed):
    order = order_with_lines(2)
    (line,) = line_ids(order)
    body = {
        "version": 1,
        "orderLineItems": [
            {"id": line, "quantity": 2, "article": {"tenantArticleId": "OTHER", "title": "x"}}
        ],
    }
    assert_api_error(patch(api_client, order, body), 400, mentioning="not OTHER")


def test_sending_the_lines_unchanged_needs_no_line_modification_right(api_client):
    order = order_with_lines(2, 3)
    first, second = line_ids(order)
    unchanged = [{"id": first, "quantity": 2}, {"id": second, "quantity": 3}]
    response = patch(
        api_client, order, {"version": 1, "orderLineItems": unchanged, "customAttributes": {}}
    )
    assert response.status_code == 200, response.content


def test_a_line_can_go_to_zero_but_not_every_line(api_client, line_modification_allowed):
    order = order_with_lines(2, 3)
    first, second = line_ids(order)
    ok = patch(
        api_client,
        order,
        {
            "version": 1,
            "orderLineItems": [{"id": first, "quantity": 0}, {"id": second, "quantity": 3}],
        },
    )
    assert ok.status_code == 200
    refused = patch(
        api_client,
        order,
        {
            "version": 2,
            "orderLineItems": [{"id": first, "quantity": 0}, {"id": second, "quantity": 0}],
        },
    )
    assert_api_error(refused, 400, mentioning="quantity > 0")
    assert Order.objects.get().version == 2


def test_consumer_is_replaced_as_validated_at_creation(api_client, actors_recorded):
    order = order_with_lines(1)
    consumer = {
        "consumerId": "C-7",
        "email": "new@example.com",
        "addresses": [
            {
                "street": "Marienplatz",
                "houseNumber": "1",
                "postalCode": "80331",
                "city": "München",
                "country": "DE",
                "firstName": "Max",
                "lastName": "Muster",
            }
        ],
    }
    response = patch(api_client, order, {"version": 1, "consumer": consumer})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["consumer"] == consumer
    assert body["updateDetails"][0]["changes"] == {"consumer": consumer}
    stored = Order.objects.get()
    assert (stored.consumer_id, stored.consumer_name) == ("C-7", "Max Muster")
    bad = {**consumer, "addresses": [{**consumer["addresses"][0], "country": "Germany"}]}
    assert_api_error(patch(api_client, order, {"version": 2, "consumer": bad}), 400)
    assert Order.objects.get().version == 2


@pytest.mark.parametrize(
    "body",
    [
        {"comment": "no version", "customAttributes": {}},
        {"version": "1", "customAttributes": {}},
        {"version": 1},
        {"version": 1, "comment": "only a comment"},
        {"version": 1, "orderLineItems": []},
        {"version": 1, "orderLineItems": None},
        {"version": 1, "orderLineItems": [{"id": "nope", "quantity": 1}]},
        {"version": 1, "orderLineItems": [{"quantity": 1}]},
        {"version": 1, "orderLineItems": [{"id": "x", "quantity": -1}]},
        {"version": 1, "orderLineItems": [{"id": "x", "quantity": 1, "article": {"title": "New"}}]},
        {"version": 1, "preferredHandlingTime": "tomorrow"},
        {"version": 1, "customAttributes": "text"},
        {"version": 1, "consumer": "a@b.c"},
        {"version": 1, "orderLineItems": [{"article": {"title": "no id"}, "quantity": 1}]},
        {
            "version": 1,
            "orderLineItems": [{"article": {"tenantArticleId": "A", "title": "A"}, "quantity": 0}],
        },
        {"version": 1, "status": "OPEN"},
        [{"version": 1}],
    ],
)
def test_bad_patch_is_a_400_and_changes_nothing(api_client, line_modification_allowed, body):
    order = order_with_lines(2)
    assert_api_error(patch(api_client, order, body), 400)
    order.refresh_from_db()
    assert order.version == 1 and order.update_details == []


def test_same_line_twice_is_refused(api_client, line_modification_allowed):
    order = order_with_lines(2)
    (line,) = line_ids(order)
    body = {
        "version": 1,
        "orderLineItems": [{"id": line, "quantity": 1}, {"id": line, "quantity": 3}],
    }
    assert_api_error(patch(api_client, order, body), 400, mentioning="twice")


def test_stale_version_is_a_409_with_both_versions(api_client):
    order = order_with_lines(1, version=4)
    body = assert_api_error(patch(api_client, order, {"version": 3, "customAttributes": {}}), 409)
    assert body[0]["version"] == 4 and body[0]["requestVersion"] == 3


def test_cancelled_order_cannot_be_modified(api_client):
    order = order_with_lines(1, status=OrderStatus.CANCELLED)
    assert_api_error(patch(api_client, order, {"version": 1, "customAttributes": {}}), 400)


def test_patch_of_unknown_order_is_404(api_client):
    assert_api_error(
        api_client.patch("/api/orders/nope", {"version": 1, "customAttributes": {}}, format="json"),
        404,
    )


def test_patch_needs_change_permission(example_order):
    order = order_with_lines(1)
    viewer = make_token_client("reader", permissions=["orders.view_order"])
    assert_api_error(patch(viewer, order, {"version": 1, "customAttributes": {}}), 403)


# --- configuration -------------------------------------------------------------------------


def test_configuration_defaults_to_line_modification_off(api_client):
    body = api_client.get("/api/configurations/ordermodification").json()
    assert body["allowOrderLineItemModification"] is False
    assert body["version"] == 1
    assert_matches_contract(body, "OrderModificationConfiguration")


def test_configuration_put_is_versioned(api_client):
    current = api_client.get("/api/configurations/ordermodification").json()
    updated = api_client.put(
        "/api/configurations/ordermodification",
        {**current, "allowOrderLineItemModification": True},
        format="json",
    )
    assert updated.status_code == 200, updated.content
    assert (
        updated.json()["version"] == 2 and updated.json()["allowOrderLineItemModification"] is True
    )

    stale = api_client.put(
        "/api/configurations/ordermodification",
        {"version": 1, "allowOrderLineItemModification": False},
        format="json",
    )
    body = assert_api_error(stale, 409)
    assert body[0]["version"] == 2 and body[0]["requestVersion"] == 1
    assert OrderModificationConfiguration.objects.get().allow_order_line_item_modification is True


@pytest.mark.parametrize(
    "body",
    [
        {"allowOrderLineItemModification": True},
        {"version": 1},
        {"version": 1, "allowOrderLineItemModification": "yes"},
        {"version": 1, "allowOrderLineItemModification": True, "other": 1},
    ],
)
def test_configuration_put_rejects_bad_bodies(api_client, body):
    assert_api_error(
        api_client.put("/api/configurations/ordermodification", body, format="json"), 400
    )
    assert api_client.get("/api/configurations/ordermodification").json()["version"] == 1


def test_configuration_needs_its_permissions():
    viewer = make_token_client(
        "cfg-viewer", permissions=["orders.view_ordermodificationconfiguration"]
    )
    assert viewer.get("/api/configurations/ordermodification").status_code == 200
    assert_api_error(
        viewer.put(
            "/api/configurations/ordermodification",
            {"version": 1, "allowOrderLineItemModification": True},
            format="json",
        ),
        403,
    )
    outsider = make_token_client("nobody", permissions=[])
    assert_api_error(outsider.get("/api/configurations/ordermodification"), 403)
