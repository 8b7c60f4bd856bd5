"""The promise lifecycle writes its events to the outbox in the same transaction."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config import clock
from events.models import EventName, OutboxEvent
from promises import services
from tests.events.factories import SubscriptionFactory
from tests.promises.helpers import example_promise, promised_order, small_network, stocked_article

pytestmark = pytest.mark.django_db


def events(name):
    return list(OutboxEvent.objects.filter(event=name))


def test_promise_confirm_and_extend_are_recorded(api_client):
    for name in (
        EventName.DELIVERY_PROMISE_CREATED,
        EventName.ORDER_CREATED_FROM_PROMISE,
        EventName.ORDER_MODIFIED,
    ):
        SubscriptionFactory(event=name)
    small_network()

    body = api_client.post("/api/promises/deliverypromise", example_promise(), format="json").json()
    api_client.post(
        f"/api/orders/{body['orderRef']}/actions",
        {"name": "EXTEND_PROMISE", "version": 1},
        format="json",
    )
    api_client.post(
        f"/api/orders/{body['orderRef']}/actions",
        {"name": "CONFIRM_PROMISE", "version": 2},
        format="json",
    )

    [created] = events(EventName.DELIVERY_PROMISE_CREATED)
    assert created.payload["id"] == body["orderRef"]
    assert created.payload["status"] == "PROMISED"
    [modified] = events(EventName.ORDER_MODIFIED)
    assert modified.payload["version"] == 2
    [confirmed] = events(EventName.ORDER_CREATED_FROM_PROMISE)
    assert confirmed.payload["status"] == "OPEN"


def test_refused_promise_records_nothing(api_client):
    SubscriptionFactory(event=EventName.DELIVERY_PROMISE_CREATED)
    small_network({"TSHIRT-W-2468": 1})

    response = api_client.post(
        "/api/promises/deliverypromise", example_promise([("TSHIRT-W-2468", 2)]), format="json"
    )

    assert response.status_code == 400
    assert events(EventName.DELIVERY_PROMISE_CREATED) == []


def test_sweep_records_one_event_per_expired_promise():
    SubscriptionFactory(event=EventName.ORDER_CANCELLED_BY_EXPIRY)
    now = timezone.now()
    stock = stocked_article(value=5)
    orders = [promised_order(stock, valid_until=now + timedelta(minutes=1), now=now) for _ in "ab"]

    with clock.frozen_at(now + timedelta(minutes=2)):
        services.release_expired_promises()
    with clock.frozen_at(now + timedelta(minutes=3)):
        services.release_expired_promises()

    recorded = events(EventName.ORDER_CANCELLED_BY_EXPIRY)
    assert sorted(event.payload["id"] for event in recorded) == sorted(str(o.id) for o in orders)
    assert {event.payload["status"] for event in recorded} == {"CANCELLED"}
