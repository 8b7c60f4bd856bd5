"""The promise lifecycle writes its events to the outbox in the same transaction."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
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


def test_the_expiry_event_is_the_order_as_get_answers_it_after_the_sweep(api_client):
    SubscriptionFactory(event=EventName.ORDER_CANCELLED_BY_EXPIRY)
    small_network()
    promised = [
        api_client.post("/api/promises/deliverypromise", example_promise(), format="json")
        for _ in range(2)
    ]
    assert [response.status_code for response in promised] == [201, 201]

    with clock.frozen_at(timezone.now() + timedelta(days=2)):
        assert services.release_expired_promises() == 2

    recorded = events(EventName.ORDER_CANCELLED_BY_EXPIRY)
    assert sorted(event.payload["id"] for event in recorded) == sorted(
        response.json()["orderRef"] for response in promised
    )
    for event in recorded:
        answer = api_client.get(f"/api/orders/{event.payload['id']}").json()
        assert event.payload == answer
        assert answer["status"] == "CANCELLED" and answer["version"] == 2
        assert len(answer["orderLineItems"]) == 3


def test_the_sweep_with_a_subscriber_costs_the_same_for_3_or_30_promises(
    django_assert_max_num_queries,
):
    SubscriptionFactory(event=EventName.ORDER_CANCELLED_BY_EXPIRY)
    now = timezone.now()
    stock = stocked_article(value=50)
    for _ in range(30):
        promised_order(stock, valid_until=now + timedelta(minutes=1), now=now)

    # The sweep's own statements (tests/promises/test_expiry.py) and the events': PostgreSQL
    # builds and inserts them in one statement (plus a JIT setting and the look for orders it
    # leaves to Python); SQLite reads the orders and their lines and inserts.
    with django_assert_max_num_queries(14), clock.frozen_at(now + timedelta(minutes=2)):
        assert services.release_expired_promises() == 30
    assert len(events(EventName.ORDER_CANCELLED_BY_EXPIRY)) == 30


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_record_exactly_one_expiry_event_per_order():
    SubscriptionFactory(event=EventName.ORDER_CANCELLED_BY_EXPIRY)
    now = timezone.now()
    stock = stocked_article(value=100)
    orders = [
        promised_order(stock, valid_until=now + timedelta(minutes=1), now=now) for _ in range(40)
    ]
    barrier = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            barrier.wait()
            services.release_expired_promises(batch_size=7)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    with clock.frozen_at(now + timedelta(minutes=2)):  # one clock for both threads
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    recorded = events(EventName.ORDER_CANCELLED_BY_EXPIRY)
    assert sorted(event.payload["id"] for event in recorded) == sorted(str(o.id) for o in orders)
    assert {(event.payload["status"], event.payload["version"]) for event in recorded} == {
        ("CANCELLED", 2)
    }
