"""POST /api/orders/actions: BULK_FORCE_CANCEL, each order on its own, a result per order."""

import pytest

from inventory.models import Reservation
from orders.models import Order, OrderStatus
from tests.conftest import make_token_client
from tests.orders.factories import order_with_lines
from tests.orders.helpers import assert_api_error, assert_matches_contract
from tests.orders.test_order_actions_api import reserve

pytestmark = pytest.mark.django_db

URL = "/api/orders/actions"


def test_each_order_is_cancelled_or_fails_on_its_own(api_client):
    promised = order_with_lines(2, status=OrderStatus.PROMISED)
    reserve(promised)
    stale = order_with_lines(1)
    done = order_with_lines(1, status=OrderStatus.CANCELLED)
    body = {
        "name": "BULK_FORCE_CANCEL",
        "orders": [
            {"orderId": str(promised.id), "version": 1, "cancelationReasonId": "fraud"},
            {"orderId": str(stale.id), "version": 7},
            {"orderId": str(done.id), "version": 1},
            {"orderId": "no-such-order", "version": 1},
        ],
    }

    response = api_client.post(URL, body, format="json")

    assert response.status_code == 200, response.content
    results = response.json()
    for result in results:
        assert_matches_contract(result, "BulkOrderActionResult")
    assert [result["status"] for result in results] == ["UPDATED", "FAILED", "FAILED", "FAILED"]
    assert "version" in results[1]["summary"].lower()
    assert "CANCELLED" in results[2]["summary"]
    assert "not found" in results[3]["summary"].lower()
    promised.refresh_from_db()
    assert promised.status == OrderStatus.CANCELLED and promised.version == 2
    assert promised.cancelation_reason["id"] == "fraud"
    assert not Reservation.objects.exists()
    assert Order.objects.get(pk=stale.pk).status == OrderStatus.OPEN


@pytest.mark.parametrize(
    "body, mentioning",
    [
        ({"name": "BULK_CANCEL", "orders": [{"orderId": "x", "version": 1}]}, "name"),
        ({"name": "BULK_FORCE_CANCEL", "orders": []}, "orders"),
        (
            {
                "name": "BULK_FORCE_CANCEL",
                "orders": [{"orderId": f"o{i}", "version": 1} for i in range(16)],
            },
            "orders",
        ),
        ({"name": "BULK_FORCE_CANCEL", "orders": [{"orderId": "x"}]}, "version"),
    ],
)
def test_malformed_bulk_action_is_a_400_that_changes_nothing(api_client, body, mentioning):
    order = order_with_lines(1)
    assert_api_error(api_client.post(URL, body, format="json"), 400, mentioning=mentioning)
    assert Order.objects.get(pk=order.pk).version == 1


def test_bulk_actions_need_the_perform_order_actions_permission():
    order = order_with_lines(1)
    viewer = make_token_client("viewer", permissions="view")
    body = {"name": "BULK_FORCE_CANCEL", "orders": [{"orderId": str(order.id), "version": 1}]}
    assert viewer.post(URL, body, format="json").status_code == 403
    assert Order.objects.get(pk=order.pk).status == OrderStatus.OPEN
