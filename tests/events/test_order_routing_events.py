"""The events of routing every order (issue 13): ORDER_ROUTING_OVERDUE once per overdue order,
ORDER_MODIFIED per re-routing, with the order as the API renders it."""

from datetime import timedelta

import pytest

from config import clock
from events.models import EventName, OutboxEvent
from orders.models import Order
from promises import tasks
from tests.events.factories import SubscriptionFactory
from tests.promises.helpers import example_promise, small_network

pytestmark = pytest.mark.django_db


def test_an_overdue_order_is_reported_once_with_its_payload(api_client):
    small_network({"HOT-1": 0})
    SubscriptionFactory(event=EventName.ORDER_ROUTING_OVERDUE)
    order_id = api_client.post(
        "/api/orders", example_promise([("HOT-1", 1)]), format="json"
    ).json()["id"]
    nine_hours_later = Order.objects.get().created + timedelta(hours=9)

    with clock.frozen_at(nine_hours_later):
        for _ in range(3):
            tasks.route_unrouted_orders()

    (event,) = OutboxEvent.objects.filter(event=EventName.ORDER_ROUTING_OVERDUE)
    assert event.payload == api_client.get(f"/api/orders/{order_id}").json()


def test_a_subscription_to_routing_overdue_is_accepted(api_client):
    response = api_client.post(
        "/api/subscriptions",
        {
            "name": "staff pager",
            "event": "ORDER_ROUTING_OVERDUE",
            "target": {"type": "WEBHOOK", "callbackUrl": "http://127.0.0.1:9/hooks"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
