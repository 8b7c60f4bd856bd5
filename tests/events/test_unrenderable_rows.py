"""An outbox event or subscription damaged in the database is that row's problem: it is
recorded as failed with the reason, and delivery goes on for every other event."""

import json
import uuid

import pytest
from django.db import transaction
from django.urls import reverse

from events import services
from events.delivery import deliver_pending
from events.models import Delivery, DeliveryAttempt, DeliveryStatus, EventName
from tests.admin_helpers import staff_client
from tests.events.factories import SubscriptionFactory
from tests.unreadable import plant_json, plant_unreadable_timestamp

pytestmark = pytest.mark.django_db


def record(number, event_name=EventName.ORDER_CREATED, **payload):
    with transaction.atomic():
        return services.record_event(
            event_name, {"id": str(uuid.UUID(int=number)), "status": "OPEN", **payload}
        )


def delivered_ids(receiver):
    return sorted(json.loads(request.body)["payload"]["id"] for request in receiver.requests)


def test_an_event_with_a_damaged_timestamp_does_not_stop_the_others(receiver):
    SubscriptionFactory(callback_url=receiver.url)
    damaged, healthy = record(1), record(2)
    plant_unreadable_timestamp(damaged, "created")

    deliver_pending()

    # Its payload is intact, so it is delivered too; the timestamp only could not tell.
    assert delivered_ids(receiver) == [str(damaged.payload["id"]), str(healthy.payload["id"])]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}


def test_a_request_that_cannot_be_rendered_fails_for_good_and_the_rest_is_delivered(receiver):
    broken = SubscriptionFactory(name="broken", callback_url=receiver.url)
    SubscriptionFactory(name="healthy", callback_url=receiver.url)
    plant_json(broken, "headers", '"not a list of headers"')
    events = [record(number) for number in (1, 2)]

    deliver_pending()

    assert len(receiver.requests) == 2  # the healthy subscription's, nothing for the broken one
    failed = Delivery.objects.filter(subscription=broken)
    assert [delivery.status for delivery in failed] == [DeliveryStatus.FAILED] * 2
    assert all(d.last_error.startswith("Could not render the request") for d in failed)
    assert all(d.attempt_count == 1 and d.next_attempt_at is None for d in failed)
    assert DeliveryAttempt.objects.filter(delivery__subscription=broken, succeeded=False).count()
    assert set(Delivery.objects.exclude(subscription=broken).values_list("status", flat=True)) == {
        DeliveryStatus.DELIVERED
    }
    assert len(events) == 2

    # Staff see why in the deliveries list, filtered to the failed ones.
    client = staff_client("boss", superuser=True)
    response = client.get(reverse("admin:events_delivery_changelist") + "?status__exact=FAILED")
    assert response.status_code == 200
    assert "Could not render the request" in response.content.decode()


def test_a_payload_of_the_wrong_shape_does_not_stop_fan_out(receiver):
    facility_ref = str(uuid.uuid4())
    SubscriptionFactory(
        event=EventName.INVENTORY_FACILITY_STOCK_CHANGED,
        callback_url=receiver.url,
        contexts=[{"type": "FACILITY", "values": [facility_ref]}],
    )
    event = EventName.INVENTORY_FACILITY_STOCK_CHANGED
    damaged = record(1, event, facilityRef=facility_ref)
    healthy = record(2, event, facilityRef=facility_ref)
    plant_json(damaged, "payload", '"a string where an object belongs"')

    deliver_pending()

    assert delivered_ids(receiver) == [healthy.payload["id"]]
