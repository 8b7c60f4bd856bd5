"""CONFIRM_PROMISE / EXTEND_PROMISE / CANCEL on promised orders through POST .../actions."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from inventory.models import Reservation
from orders.models import Order, OrderStatus
from tests.promises.helpers import available, promised_order, stocked_article

pytestmark = pytest.mark.django_db


def act(client, order, **body):
    return client.post(f"/api/orders/{order.id}/actions", body, format="json")


def test_confirm_promise_turns_it_open_with_permanent_stock(api_client):
    stock = stocked_article(value=3)
    order = promised_order(stock, quantity=2)

    response = act(api_client, order, name="CONFIRM_PROMISE", version=1, tenantOrderId="R-1")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "OPEN"
    assert body["version"] == 2
    assert body["tenantOrderId"] == "R-1"
    assert len(body["orderLineItems"]) == 1
    assert Reservation.objects.get().valid_until is None
    assert available(stock, now=timezone.now() + timedelta(days=365)) == 1


def test_confirm_promise_with_a_tenant_order_id_of_an_open_order_is_400(api_client):
    stock = stocked_article(value=3)
    Order.objects.create(tenant_order_id="R-1", status=OrderStatus.OPEN, order_date=timezone.now())
    order = promised_order(stock)

    response = act(api_client, order, name="CONFIRM_PROMISE", version=1, tenantOrderId="R-1")

    assert response.status_code == 400
    assert "R-1" in response.json()[0]["summary"]
    order.refresh_from_db()
    assert order.status == OrderStatus.PROMISED


def test_confirm_promise_with_a_stale_version_is_409(api_client):
    order = promised_order(stocked_article(value=1))

    response = act(api_client, order, name="CONFIRM_PROMISE", version=5)

    assert response.status_code == 409
    assert response.json()[0]["version"] == 1


def test_confirm_promise_rejects_unknown_fields(api_client):
    order = promised_order(stocked_article(value=1))

    response = act(api_client, order, name="CONFIRM_PROMISE", version=1, validUntil="x")

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PROMISED


def test_extend_promise_moves_valid_until_by_the_configured_duration(api_client):
    api_client.put(
        "/api/configurations/promises", {"version": 1, "invalidAfterTime": "PT3H"}, format="json"
    )
    stock = stocked_article(value=1)
    order = promised_order(stock, valid_until=timezone.now() + timedelta(minutes=2))

    response = act(api_client, order, name="EXTEND_PROMISE", version=1)

    assert response.status_code == 200, response.json()
    order.refresh_from_db()
    expected = timezone.now() + timedelta(hours=3)
    assert abs(order.promise_valid_until - expected) < timedelta(minutes=1)
    assert Reservation.objects.get().valid_until == order.promise_valid_until
    assert response.json()["promisesOptions"]["validUntil"].startswith(
        order.promise_valid_until.strftime("%Y-%m-%dT%H:%M")
    )
    assert available(stock, now=timezone.now() + timedelta(hours=2)) == 0


def test_cancel_of_a_promise_releases_its_stock(api_client):
    stock = stocked_article(value=1)
    order = promised_order(stock)

    response = act(api_client, order, name="CANCEL", version=1)

    assert response.status_code == 200
    assert response.json()["status"] == "CANCELLED"
    assert not Reservation.objects.exists()
    assert available(stock) == 1


@pytest.mark.parametrize(
    "action",
    [
        {"name": "CONFIRM_PROMISE", "version": 1},
        {"name": "EXTEND_PROMISE", "version": 1},
        {"name": "CANCEL", "version": 1},
    ],
)
def test_any_action_on_an_expired_promise_is_404_even_before_the_sweep(api_client, action):
    start = timezone.now()
    stock = stocked_article(value=1)
    order = promised_order(stock, valid_until=start + timedelta(minutes=5), now=start)

    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=6)):
        response = act(api_client, order, **action)

    assert response.status_code == 404
    assert response.json()[0]["summary"] == "Order not found or expired."
    order.refresh_from_db()
    assert order.status == OrderStatus.PROMISED  # the sweep, not the request, cancels it


def test_action_on_a_swept_promise_is_404(api_client):
    from promises.services import release_expired_promises

    start = timezone.now() - timedelta(hours=1)
    order = promised_order(
        stocked_article(value=1), valid_until=start + timedelta(minutes=5), now=start
    )
    release_expired_promises()

    response = act(api_client, order, name="CONFIRM_PROMISE", version=2)

    assert response.status_code == 404
    assert response.json()[0]["summary"] == "Order not found or expired."


def test_confirm_on_an_open_order_is_400(api_client):
    order = Order.objects.create(status=OrderStatus.OPEN, order_date=timezone.now())

    response = act(api_client, order, name="CONFIRM_PROMISE", version=1)

    assert response.status_code == 400


def test_a_stale_second_confirm_is_a_version_conflict_not_a_status_error(api_client):
    """Checks run in one order (exists, version, status), so the loser of two confirms sent
    with the same version always hears 409, whoever won."""
    order = promised_order(stocked_article(value=1))

    first = act(api_client, order, name="CONFIRM_PROMISE", version=1)
    second = act(api_client, order, name="CONFIRM_PROMISE", version=1)

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()[0]["version"] == 2 and second.json()[0]["requestVersion"] == 1
