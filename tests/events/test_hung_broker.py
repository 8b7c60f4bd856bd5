"""A broker that accepts connections and never answers (a hung Redis) holds no request: the
promise answers in its usual time and its event waits in the outbox for the periodic task."""

import time

import pytest

from events.delivery import deliver_pending
from events.models import Delivery, EventName, OutboxEvent
from events.publishing import enqueue_event_delivery, publisher
from orders.models import Order
from tests.conftest import make_token_client
from tests.events.factories import SubscriptionFactory
from tests.events.hung_broker import HungBroker
from tests.events.test_broker_outage import celery_broker
from tests.promises.helpers import example_promise, small_network


@pytest.fixture
def hung_broker(settings):
    settings.EVENTS_ENQUEUE_AFTER_COMMIT = True
    settings.EVENTS_PUBLISH_TIMEOUT = 0.5
    with HungBroker() as broker, celery_broker(broker.url):
        yield broker
        wait_until(publisher.idle, timeout=10)  # nothing left to publish to a broker gone


def wait_until(condition, *, timeout):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_promises_answer_in_their_usual_time_while_the_broker_hangs(hung_broker, receiver):
    small_network({"TSHIRT-W-2468": 50})
    SubscriptionFactory(event=EventName.DELIVERY_PROMISE_CREATED, callback_url=receiver.url)
    client = make_token_client("shop")

    durations = []
    for _ in range(5):
        started = time.monotonic()
        response = client.post(
            "/api/promises/deliverypromise",
            example_promise([("TSHIRT-W-2468", 1)]),
            format="json",
        )
        durations.append(time.monotonic() - started)
        assert response.status_code == 201, response.content

    # Tens of milliseconds each on a quiet machine; the bound leaves room for a busy one but
    # is far below one broker timeout per promise, let alone a hang.
    assert max(durations) < 2, durations
    assert Order.objects.count() == 5
    # The publisher did reach for the broker, and gave up on it without delivering anything.
    wait_until(lambda: hung_broker.accepted, timeout=5)
    wait_until(publisher.idle, timeout=10)
    assert OutboxEvent.objects.filter(fanned_out_at__isnull=True).count() == 5
    assert not Delivery.objects.exists()
    assert receiver.requests == []
    # What beat's next `deliver-events` run does once a worker gets the task: all five arrive.
    deliver_pending()
    assert len(receiver.wait_for(5)) == 5


def test_publishing_to_a_hung_broker_gives_up_after_its_timeout(hung_broker):
    started = time.monotonic()

    assert enqueue_event_delivery("00000000-0000-0000-0000-000000000001") is False

    # One timeout (connect succeeds, the first answer never comes), not a hang.
    assert time.monotonic() - started < 3 * 0.5 + 1
