"""Outbox and webhook delivery against a real HTTP receiver on 127.0.0.1."""

import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from events import services
from events.delivery import (
    deliver_event,
    deliver_pending,
    fan_out_event,
    fan_out_pending_events,
    prune_old_events,
    retry_deliveries,
)
from events.models import Delivery, DeliveryAttempt, DeliveryStatus, EventName, OutboxEvent
from tests.events.conftest import signature_is_valid
from tests.events.factories import SubscriptionFactory
from tests.events.receiver import WebhookReceiver

pytestmark = pytest.mark.django_db

ORDER = {"id": "3f1c0c57-5d5e-4c55-9a57-4e3a1f0c2b11", "status": "OPEN", "version": 1}


def record(event_name=EventName.ORDER_CREATED, payload=None):
    with transaction.atomic():
        return services.record_event(event_name, payload or ORDER)


def test_each_event_reaches_every_matching_subscription_once_with_a_valid_signature(receiver):
    erp = SubscriptionFactory(
        callback_url=receiver.url, headers=[{"key": "Authorization", "value": "Bearer erp"}]
    )
    shop = SubscriptionFactory(callback_url=receiver.url + "?shop")
    SubscriptionFactory(event=EventName.ORDER_CANCELLED, callback_url=receiver.url)
    event = record()

    attempts = deliver_pending()

    assert len(attempts) == 2 and all(attempt.succeeded for attempt in attempts)
    requests = receiver.wait_for(2)
    assert len(requests) == 2
    by_path = {request.path: request for request in requests}
    erp_request, shop_request = by_path["/hooks/doms"], by_path["/hooks/doms?shop"]
    assert signature_is_valid(erp.signing_secret, erp_request)
    assert signature_is_valid(shop.signing_secret, shop_request)
    assert not signature_is_valid(shop.signing_secret, erp_request)
    assert erp_request.headers["Authorization"] == "Bearer erp"
    assert erp_request.headers["Content-Type"] == "application/json"
    assert erp_request.headers["X-DOMS-Event"] == "ORDER_CREATED"
    assert json.loads(erp_request.body) == {
        "event": "ORDER_CREATED",
        "eventId": str(event.id),
        "payload": ORDER,
    }
    # Nothing is sent twice once delivered.
    assert deliver_pending() == []
    assert deliver_event(event.id) == []
    assert len(receiver.requests) == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}


def test_the_after_commit_task_delivers_the_event_at_once(receiver):
    SubscriptionFactory(callback_url=receiver.url)
    event = record()
    attempts = deliver_event(event.id)
    assert [attempt.status_code for attempt in attempts] == [200]
    assert json.loads(receiver.wait_for(1)[0].body)["eventId"] == str(event.id)


def test_receiver_failing_twice_gets_the_event_on_the_third_attempt_with_backoff():
    start = timezone.now()
    with WebhookReceiver(responses=[500, 503]) as receiver:
        subscription = SubscriptionFactory(callback_url=receiver.url)
        record()

        deliver_pending(now=start)
        delivery = Delivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING and delivery.attempt_count == 1
        first_retry = delivery.next_attempt_at
        assert timedelta(seconds=30) <= first_retry - start < timedelta(seconds=32)

        # Not due yet: nothing is sent.
        assert deliver_pending(now=start + timedelta(seconds=20)) == []
        assert len(receiver.requests) == 1

        deliver_pending(now=first_retry)
        delivery.refresh_from_db()
        assert delivery.attempt_count == 2
        # Exponential: the second wait is twice the first.
        assert (
            timedelta(seconds=60) <= delivery.next_attempt_at - first_retry < timedelta(seconds=62)
        )

        deliver_pending(now=delivery.next_attempt_at)
        requests = receiver.wait_for(3)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert len(requests) == 3
    assert len({request.body for request in requests}) == 1  # same eventId every time
    assert all(signature_is_valid(subscription.signing_secret, r) for r in requests)
    attempts = list(delivery.attempts.order_by("number"))
    assert [(a.number, a.status_code, a.succeeded) for a in attempts] == [
        (1, 500, False),
        (2, 503, False),
        (3, 200, True),
    ]
    assert "HTTP 500" in attempts[0].error and "receiver says no" in attempts[0].error
    assert all(a.duration_ms >= 0 and a.attempted_at for a in attempts)


def test_a_slow_receiver_times_out_and_is_retried(settings):
    settings.EVENTS_DELIVERY_TIMEOUT = 0.2
    start = timezone.now()
    with WebhookReceiver(delay=1.0) as receiver:
        SubscriptionFactory(callback_url=receiver.url)
        record()
        [attempt] = deliver_pending(now=start)
        assert not attempt.succeeded and attempt.status_code is None
        assert "Timed out" in attempt.error
        receiver.delay = 0
        delivery = Delivery.objects.get()
        [attempt] = deliver_pending(now=delivery.next_attempt_at)
        assert attempt.succeeded


def test_an_unreachable_receiver_is_recorded_and_retried_later():
    SubscriptionFactory(callback_url="http://127.0.0.1:9/nobody-listens")
    record()
    [attempt] = deliver_pending()
    assert not attempt.succeeded and attempt.status_code is None
    assert "ConnectionError" in attempt.error
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at > timezone.now()


def test_after_the_maximum_attempts_the_delivery_fails_and_a_retry_delivers_it(settings):
    settings.EVENTS_MAX_ATTEMPTS = 2
    now = timezone.now()
    with WebhookReceiver(responses=[500, 500]) as receiver:
        SubscriptionFactory(callback_url=receiver.url)
        record()
        deliver_pending(now=now)
        now = Delivery.objects.get().next_attempt_at
        deliver_pending(now=now)
        delivery = Delivery.objects.get()
        assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None
        assert deliver_pending(now=now + timedelta(days=1)) == []

        [attempt] = retry_deliveries([delivery.id])

        assert attempt.succeeded and attempt.number == 3
        assert len(receiver.wait_for(3)) == 3
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_a_rolled_back_change_produces_no_event(
    settings, receiver, django_capture_on_commit_callbacks
):
    settings.EVENTS_ENQUEUE_AFTER_COMMIT = True
    SubscriptionFactory(callback_url=receiver.url)
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.record_event(EventName.ORDER_CREATED, ORDER)
        raise RuntimeError("the order could not be saved")
    assert callbacks == []
    assert not OutboxEvent.objects.exists()
    assert deliver_pending() == []
    assert receiver.requests == []


def test_recording_schedules_delivery_only_after_commit(
    settings, django_capture_on_commit_callbacks
):
    settings.EVENTS_ENQUEUE_AFTER_COMMIT = True
    SubscriptionFactory()
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        services.record_event(EventName.ORDER_CREATED, ORDER)
        assert callbacks == []  # nothing is sent while the change can still roll back
    assert len(callbacks) == 1


def test_payload_is_frozen_as_the_api_renders_json():
    SubscriptionFactory()
    moment = timezone.now()
    event = record(payload={"when": moment, "amount": Decimal("12.50"), "id": ORDER["id"]})
    event.refresh_from_db()
    assert event.payload == {
        "when": moment.isoformat().replace("+00:00", "Z"),
        "amount": 12.5,
        "id": ORDER["id"],
    }


def test_events_nobody_subscribed_to_are_not_written(django_assert_num_queries):
    SubscriptionFactory(event=EventName.ORDER_MODIFIED)
    never_built = (pytest.fail("payload built") for _ in range(1))
    with django_assert_num_queries(1):
        assert services.record_events(EventName.ORDER_CREATED, never_built) == []
    assert services.record_event(EventName.ORDER_CREATED, ORDER) is None
    assert not OutboxEvent.objects.exists()


def test_unknown_event_names_are_refused():
    with pytest.raises(ValueError):
        services.record_event("ORDER_EXPLODED", ORDER)


def test_only_subscriptions_that_existed_when_the_event_happened_receive_it(receiver):
    record()
    SubscriptionFactory(callback_url=receiver.url)
    assert deliver_pending() == []
    assert receiver.requests == []


def test_deleting_a_subscription_drops_its_pending_deliveries(receiver):
    subscription = SubscriptionFactory(callback_url="http://127.0.0.1:9/down")
    record()
    deliver_pending()
    services.delete_subscription(subscription.id)
    assert not Delivery.objects.exists()
    assert deliver_pending(now=timezone.now() + timedelta(days=1)) == []


def test_facility_context_limits_stock_events_to_that_facility(receiver):
    SubscriptionFactory(
        event=EventName.INVENTORY_FACILITY_STOCK_CHANGED,
        callback_url=receiver.url,
        contexts=[{"type": "FACILITY", "values": ["facility-a"]}],
    )
    record(EventName.INVENTORY_FACILITY_STOCK_CHANGED, {"facilityRef": "facility-b", "value": 1})
    matching = record(
        EventName.INVENTORY_FACILITY_STOCK_CHANGED, {"facilityRef": "facility-a", "value": 2}
    )
    deliver_pending()
    [request] = receiver.wait_for(1)
    assert json.loads(request.body)["eventId"] == str(matching.id)


def test_old_settled_events_are_pruned_but_pending_ones_are_kept(settings, receiver):
    settings.EVENTS_RETENTION_DAYS = 7
    SubscriptionFactory(callback_url="http://127.0.0.1:9/down")
    SubscriptionFactory(event=EventName.ORDER_MODIFIED, callback_url=receiver.url)
    old_pending = record()
    old_delivered = record(EventName.ORDER_MODIFIED)
    deliver_pending()
    assert len(receiver.wait_for(1)) == 1
    OutboxEvent.objects.update(created=timezone.now() - timedelta(days=8))
    prune_old_events()
    assert list(OutboxEvent.objects.values_list("id", flat=True)) == [old_pending.id]
    assert old_delivered.id not in set(OutboxEvent.objects.values_list("id", flat=True))


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_deliver_a_delivery_only_once():
    with WebhookReceiver(delay=0.3) as receiver:
        SubscriptionFactory(callback_url=receiver.url)
        event = record()
        fan_out_event(event.id)
        barrier = threading.Barrier(4)
        now = timezone.now()

        def worker():
            barrier.wait()
            try:
                deliver_pending(now=now)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(receiver.requests) == 1
    assert DeliveryAttempt.objects.count() == 1
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


@pytest.mark.django_db(transaction=True)
def test_concurrent_fan_out_creates_one_delivery_per_subscription():
    SubscriptionFactory.create_batch(3, callback_url="http://127.0.0.1:9/down")
    event = record()
    barrier = threading.Barrier(4)

    def worker():
        barrier.wait()
        try:
            fan_out_pending_events()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Delivery.objects.filter(outbox_event=event).count() == 3


def test_bulk_recording_writes_one_event_per_payload_in_one_insert(
    receiver, django_assert_num_queries
):
    SubscriptionFactory(event=EventName.ORDER_CANCELLED_BY_EXPIRY, callback_url=receiver.url)
    with django_assert_num_queries(2):  # is anyone subscribed? then one INSERT
        events = services.record_events(
            EventName.ORDER_CANCELLED_BY_EXPIRY, [{"id": "a"}, {"id": "b"}]
        )
    assert services.record_events(EventName.ORDER_CANCELLED_BY_EXPIRY, []) == []
    deliver_pending()
    bodies = [json.loads(request.body) for request in receiver.wait_for(2)]
    assert sorted(body["payload"]["id"] for body in bodies) == ["a", "b"]
    assert {body["eventId"] for body in bodies} == {str(event.id) for event in events}
