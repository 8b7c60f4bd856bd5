import pytest

from inventory.models import Facility, Reservation, Stock
from orders.models import Order, OrderStatus
from tests.conftest import make_token_client
from tests.orders.factories import order_with_lines
from tests.orders.helpers import assert_api_error, assert_matches_contract

pytestmark = pytest.mark.django_db


def act(client, order, body):
    return client.post(f"/api/orders/{order.id}/actions", body, format="json")


def reserve(order, quantity=2):
    line = order.order_line_items.first()
    facility = Facility.objects.create(name="Store")
    stock = Stock.objects.create(
        facility=facility, tenant_article_id=line.tenant_article_id, value=10
    )
    return Reservation.objects.create(
        stock=stock,
        facility=facility,
        tenant_article_id=line.tenant_article_id,
        quantity=quantity,
        order_line_item=line,
    )


def test_cancel_cancels_raises_version_and_records_the_reason(api_client):
    order = order_with_lines(2)

    response = act(
        api_client,
        order,
        {"name": "CANCEL", "version": 1, "cancelationReasonId": "customer-request"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "CANCELLED" and body["version"] == 2
    assert body["cancelationReason"]["id"] == "customer-request"
    assert Order.objects.get().status == OrderStatus.CANCELLED


@pytest.mark.parametrize("name", ["CANCEL", "FORCE_CANCEL"])
def test_cancel_releases_the_orders_reservations(api_client, name):
    order = order_with_lines(2, status=OrderStatus.PROMISED)
    reserve(order)

    assert act(api_client, order, {"name": name, "version": 1}).status_code == 200

    assert not Reservation.objects.exists()
    assert Order.objects.get().promise_valid_until is None


@pytest.mark.parametrize("status", [OrderStatus.CANCELLED, OrderStatus.OBSOLETE])
@pytest.mark.parametrize("name", ["CANCEL", "FORCE_CANCEL", "UNLOCK"])
def test_action_not_fitting_the_status_is_a_400(api_client, status, name):
    order = order_with_lines(1, status=status)
    assert_api_error(act(api_client, order, {"name": name, "version": 1}), 400, mentioning=status)
    assert Order.objects.get().version == 1


def test_unlock_opens_a_locked_order(api_client):
    order = order_with_lines(1, status=OrderStatus.LOCKED)
    body = act(
        api_client, order, {"name": "UNLOCK", "version": 1, "targetTime": "2024-06-01T10:00:00Z"}
    ).json()
    assert body["status"] == "OPEN" and body["version"] == 2
    assert body["deliveryPreferences"]["targetTime"] == "2024-06-01T10:00:00.000Z"
    assert_matches_contract(body, "Order")


def test_unlock_of_an_open_order_is_a_400(api_client):
    order = order_with_lines(1)
    assert_api_error(
        act(api_client, order, {"name": "UNLOCK", "version": 1}), 400, mentioning="LOCKED"
    )


def test_stale_version_is_a_409_and_nothing_changes(api_client):
    order = order_with_lines(1, version=3)
    reserve(order)
    body = assert_api_error(act(api_client, order, {"name": "CANCEL", "version": 2}), 409)
    assert body[0]["version"] == 3 and body[0]["requestVersion"] == 2
    assert Order.objects.get().status == OrderStatus.OPEN
    assert Reservation.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"version": 1},
        {"name": "DELETE", "version": 1},
        {"name": "CANCEL"},
        {"name": "CANCEL", "version": "1"},
        {"name": "CANCEL", "version": 1, "reason": "x"},
        {"name": "UNLOCK", "version": 1, "targetTime": "later"},
        [{"name": "CANCEL", "version": 1}],
    ],
)
def test_malformed_action_is_a_400(api_client, body):
    order = order_with_lines(1, status=OrderStatus.LOCKED)
    assert_api_error(act(api_client, order, body), 400)
    assert Order.objects.get().status == OrderStatus.LOCKED


def test_action_on_unknown_order_is_404(api_client):
    assert_api_error(
        api_client.post("/api/orders/abc/actions", {"name": "CANCEL", "version": 1}, format="json"),
        404,
    )


def test_actions_need_the_perform_order_actions_permission():
    order = order_with_lines(1)
    editor = make_token_client("editor", permissions=["orders.view_order", "orders.change_order"])
    assert_api_error(act(editor, order, {"name": "CANCEL", "version": 1}), 403)
    allowed = make_token_client("support", permissions=["orders.perform_order_actions"])
    assert act(allowed, order, {"name": "CANCEL", "version": 1}).status_code == 200


# --- line item actions ---------------------------------------------------------------------


def line_act(client, order, line_id, body):
    return client.post(
        f"/api/orders/{order.id}/orderlineitems/{line_id}/actions", body, format="json"
    )


def test_update_line_custom_attributes(api_client):
    order = order_with_lines(1, 2)
    line = order.order_line_items.order_by("position").last()

    response = line_act(
        api_client,
        order,
        line.id,
        {"name": "UPDATE_CUSTOM_ATTRIBUTES", "version": 1, "customAttributes": {"engraving": "Hi"}},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2
    assert body["orderLineItems"][1]["customAttributes"] == {"engraving": "Hi"}
    assert "customAttributes" not in body["orderLineItems"][0]


def test_line_action_errors(api_client):
    order = order_with_lines(1)
    line = order.order_line_items.get()
    good = {"name": "UPDATE_CUSTOM_ATTRIBUTES", "version": 1, "customAttributes": {"a": 1}}
    assert_api_error(line_act(api_client, order, "not-a-line", good), 404)
    assert_api_error(line_act(api_client, order, line.id, {**good, "version": 7}), 409)
    assert_api_error(line_act(api_client, order, line.id, {**good, "name": "DELETE"}), 400)
    assert_api_error(line_act(api_client, order, line.id, {**good, "customAttributes": 5}), 400)
    other = order_with_lines(1)
    assert_api_error(line_act(api_client, other, line.id, good), 404)
    line.refresh_from_db()
    assert line.custom_attributes is None
