"""Order changes write an outbox event in their own transaction (webhooks are delivered from
there); a refused request writes none."""

import pytest

from events.models import EventName, OutboxEvent
from tests.events.factories import SubscriptionFactory
from tests.orders.factories import order_with_lines
from tests.orders.helpers import assert_api_error

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def subscribed():
    for event in (EventName.ORDER_CREATED, EventName.ORDER_MODIFIED, EventName.ORDER_CANCELLED):
        SubscriptionFactory(event=event)


def events(name):
    return list(OutboxEvent.objects.filter(event=name))


def test_create_patch_and_cancel_each_record_their_event(api_client, example_order):
    order = api_client.post("/api/orders", example_order, format="json").json()
    patched = api_client.patch(
        f"/api/orders/{order['id']}", {"version": 1, "customAttributes": {"a": 1}}, format="json"
    ).json()
    cancelled = api_client.post(
        f"/api/orders/{order['id']}/actions", {"name": "CANCEL", "version": 2}, format="json"
    ).json()

    (created_event,) = events(EventName.ORDER_CREATED)
    (modified_event,) = events(EventName.ORDER_MODIFIED)
    (cancelled_event,) = events(EventName.ORDER_CANCELLED)
    # The payload is the order as the API returned it at that moment.
    assert created_event.payload == order
    assert modified_event.payload == patched
    assert cancelled_event.payload == cancelled


def test_refused_changes_record_no_event(api_client, example_order):
    order = order_with_lines(1, version=2)
    assert_api_error(api_client.post("/api/orders", {"orderDate": "x"}, format="json"), 400)
    assert_api_error(
        api_client.patch(
            f"/api/orders/{order.id}", {"version": 1, "customAttributes": {}}, format="json"
        ),
        409,
    )
    assert not OutboxEvent.objects.exists()


def test_a_promised_order_is_not_reported_as_created(example_order):
    import datetime

    from orders.models import OrderStatus
    from orders.serializers.requests import OrderForCreationSerializer
    from orders.services import create_order

    serializer = OrderForCreationSerializer(data=example_order)
    serializer.is_valid(raise_exception=True)
    create_order(
        serializer.validated_data,
        actor=None,
        status=OrderStatus.PROMISED,
        promise_valid_until=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
    )
    # The promise flow records DELIVERY_PROMISE_CREATED itself.
    assert not OutboxEvent.objects.filter(event=EventName.ORDER_CREATED).exists()
