"""A promise damaged in the database (a date Python cannot hold) does not stop the sweep: every
expired promise is cancelled and its stock released, and the damaged one's event goes out
with a minimal payload that the admin lists."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from config import clock
from events.delivery import deliver_pending
from events.models import EventName, OutboxEvent
from inventory.models import Reservation
from orders.models import Order, OrderStatus
from promises import services
from tests.admin_helpers import staff_client
from tests.events.factories import SubscriptionFactory
from tests.events.receiver import WebhookReceiver
from tests.promises.helpers import available, promised_order, stocked_article
from tests.unreadable import plant_unreadable_timestamp

pytestmark = pytest.mark.django_db


def test_the_sweep_cancels_a_damaged_promise_with_the_others_and_reports_it(settings):
    settings.EVENTS_DELIVERY_TIMEOUT = 2.0
    now = timezone.now()
    stock = stocked_article(value=3)
    damaged, healthy, live = (
        promised_order(stock, valid_until=now + timedelta(minutes=valid), now=now)
        for valid in (1, 1, 120)
    )
    Order.objects.filter(pk=damaged.pk).update(tenant_order_id="DAMAGED")
    plant_unreadable_timestamp(damaged, "order_date")

    with WebhookReceiver() as receiver:
        SubscriptionFactory(event=EventName.ORDER_CANCELLED_BY_EXPIRY, callback_url=receiver.url)
        with clock.frozen_at(now + timedelta(minutes=2)):
            released = services.release_expired_promises()
        deliver_pending()
        requests = receiver.wait_for(2)

    assert released == 2
    statuses = dict(Order.objects.values_list("id", "status"))
    assert statuses == {
        damaged.pk: OrderStatus.CANCELLED,
        healthy.pk: OrderStatus.CANCELLED,
        live.pk: OrderStatus.PROMISED,
    }
    assert not Reservation.objects.filter(order_line_item__order__in=[damaged, healthy]).exists()
    assert available(stock, now=now) == 2

    payloads = {
        json.loads(r.body)["payload"]["id"]: json.loads(r.body)["payload"] for r in requests
    }
    assert payloads[str(healthy.pk)]["orderLineItems"]  # the full order, as the API renders it
    minimal = payloads[str(damaged.pk)]
    assert minimal["status"] == "CANCELLED"
    assert minimal["tenantOrderId"] == "DAMAGED"
    assert minimal["version"] == 2
    assert "10000-01-01" in minimal["renderError"] or "2024-13-45" in minimal["renderError"]

    # Staff find it in the outbox list, filtered to the events sent with a minimal payload.
    client = staff_client("boss", superuser=True)
    response = client.get(reverse("admin:events_outboxevent_changelist") + "?payload=minimal")
    assert response.status_code == 200
    [listed] = response.context["cl"].result_list
    assert listed.payload["id"] == str(damaged.pk)
    assert "could not be rendered" in response.content.decode()
    assert OutboxEvent.objects.count() == 2
