"""Events from the other parts, end to end: an API change → outbox row in the same
transaction → webhook POST to a real receiver with the entity as the API renders it."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from config import clock
from events.delivery import deliver_pending
from events.models import EventName, OutboxEvent
from orders.models import OrderModificationConfiguration
from tests.events.conftest import signature_is_valid
from tests.events.factories import SubscriptionFactory
from tests.inventory.factories import FacilityFactory, ListingFactory, StockFactory
from tests.orders.conftest import DOCUMENT_EXAMPLE_ORDER
from tests.promises.helpers import example_promise, small_network

pytestmark = pytest.mark.django_db


def events(name):
    return list(OutboxEvent.objects.filter(event=name).order_by("created"))


def subscribe(receiver, *names):
    return {name: SubscriptionFactory(event=name, callback_url=receiver.url) for name in names}


def test_order_lifecycle_events_carry_the_order_as_the_api_returns_it(api_client, receiver):
    subscriptions = subscribe(
        receiver, EventName.ORDER_CREATED, EventName.ORDER_MODIFIED, EventName.ORDER_CANCELLED
    )
    created = api_client.post("/api/orders", DOCUMENT_EXAMPLE_ORDER, format="json")
    assert created.status_code == 201, created.json()
    order_id = created.json()["id"]
    modified = api_client.patch(
        f"/api/orders/{order_id}",
        {"version": 1, "customAttributes": {"gift": True}},
        format="json",
    )
    assert modified.status_code == 200, modified.json()
    cancelled = api_client.post(
        f"/api/orders/{order_id}/actions", {"name": "CANCEL", "version": 2}, format="json"
    )
    assert cancelled.status_code == 200, cancelled.json()

    [on_create] = events(EventName.ORDER_CREATED)
    [on_modify] = events(EventName.ORDER_MODIFIED)
    [on_cancel] = events(EventName.ORDER_CANCELLED)
    assert on_create.payload == created.json()
    assert on_modify.payload == modified.json()
    assert on_cancel.payload == cancelled.json()
    assert on_cancel.payload == api_client.get(f"/api/orders/{order_id}").json()

    deliver_pending()
    requests = receiver.wait_for(3)
    by_event = {request.headers["X-DOMS-Event"]: request for request in requests}
    assert set(by_event) == {"ORDER_CREATED", "ORDER_MODIFIED", "ORDER_CANCELLED"}
    for name, request in by_event.items():
        assert signature_is_valid(subscriptions[name].signing_secret, request)
    assert json.loads(by_event["ORDER_CANCELLED"].body)["payload"]["status"] == "CANCELLED"


def test_a_refused_order_produces_no_event(api_client):
    SubscriptionFactory(event=EventName.ORDER_CREATED)
    body = {**DOCUMENT_EXAMPLE_ORDER, "orderLineItems": []}
    assert api_client.post("/api/orders", body, format="json").status_code == 400
    first = api_client.post("/api/orders", DOCUMENT_EXAMPLE_ORDER, format="json")
    assert first.status_code == 201
    # Same tenantOrderId while the first is OPEN: refused, and no second event.
    assert api_client.post("/api/orders", DOCUMENT_EXAMPLE_ORDER, format="json").status_code == 400
    assert [event.payload["id"] for event in events(EventName.ORDER_CREATED)] == [
        first.json()["id"]
    ]


def test_a_refused_modification_produces_no_event(api_client):
    SubscriptionFactory(event=EventName.ORDER_MODIFIED)
    OrderModificationConfiguration.objects.update_or_create(
        pk=1, defaults={"allow_order_line_item_modification": False}
    )
    order_id = api_client.post("/api/orders", DOCUMENT_EXAMPLE_ORDER, format="json").json()["id"]
    line_id = api_client.get(f"/api/orders/{order_id}").json()["orderLineItems"][0]["id"]
    response = api_client.patch(
        f"/api/orders/{order_id}",
        {"version": 1, "orderLineItems": [{"id": line_id, "quantity": 1}]},
        format="json",
    )
    assert response.status_code == 400
    assert events(EventName.ORDER_MODIFIED) == []


def test_promise_lifecycle_events(api_client, receiver):
    subscribe(
        receiver,
        EventName.ORDER_CREATED,
        EventName.DELIVERY_PROMISE_CREATED,
        EventName.ORDER_CREATED_FROM_PROMISE,
        EventName.ORDER_CANCELLED_BY_EXPIRY,
    )
    small_network()
    promise = api_client.post("/api/promises/deliverypromise", example_promise(), format="json")
    assert promise.status_code == 201, promise.json()
    confirmed = api_client.post(
        f"/api/orders/{promise.json()['orderRef']}/actions",
        {"name": "CONFIRM_PROMISE", "version": 1},
        format="json",
    )
    assert confirmed.status_code == 200, confirmed.json()
    expiring = api_client.post(
        "/api/promises/deliverypromise", example_promise([("JEANS-B-2605", 1)]), format="json"
    )
    from promises.services import release_expired_promises

    with clock.frozen_at(timezone.now() + timedelta(days=2)):
        assert release_expired_promises() == 1

    # A promise is not an ORDER_CREATED: it reports DELIVERY_PROMISE_CREATED, and its
    # confirmation ORDER_CREATED_FROM_PROMISE.
    assert events(EventName.ORDER_CREATED) == []
    promised = events(EventName.DELIVERY_PROMISE_CREATED)
    assert [event.payload["status"] for event in promised] == ["PROMISED", "PROMISED"]
    [from_promise] = events(EventName.ORDER_CREATED_FROM_PROMISE)
    assert from_promise.payload == confirmed.json()
    [expired] = events(EventName.ORDER_CANCELLED_BY_EXPIRY)
    assert expired.payload["id"] == expiring.json()["orderRef"]
    assert expired.payload["status"] == "CANCELLED"

    deliver_pending()
    assert len(receiver.wait_for(4)) == 4


def test_stock_changes_are_reported_with_the_stock_as_the_api_returns_it(api_client, receiver):
    SubscriptionFactory(event=EventName.INVENTORY_FACILITY_STOCK_CHANGED, callback_url=receiver.url)
    stock = StockFactory(value=3)
    ListingFactory(facility=stock.facility, tenant_article_id=stock.tenant_article_id)

    updated = api_client.put(f"/api/stocks/{stock.id}", {"value": 7, "version": 1}, format="json")
    assert updated.status_code == 200, updated.json()
    # Unchanged value: no new event.
    api_client.put(f"/api/stocks/{stock.id}", {"value": 7}, format="json")

    [event] = events(EventName.INVENTORY_FACILITY_STOCK_CHANGED)
    assert event.payload["value"] == 7 and event.payload["facilityRef"] == str(stock.facility_id)
    assert event.payload == updated.json()
    deliver_pending()
    [request] = receiver.wait_for(1)
    assert json.loads(request.body)["payload"]["available"] == 7


def test_refused_stock_change_produces_no_event(api_client):
    SubscriptionFactory(event=EventName.INVENTORY_FACILITY_STOCK_CHANGED)
    stock = StockFactory(value=3)
    response = api_client.put(f"/api/stocks/{stock.id}", {"value": 7, "version": 99}, format="json")
    assert response.status_code == 409
    assert events(EventName.INVENTORY_FACILITY_STOCK_CHANGED) == []


def test_stock_creation_and_bulk_upsert_report_each_changed_stock(api_client):
    SubscriptionFactory(event=EventName.INVENTORY_FACILITY_STOCK_CHANGED)
    facility = FacilityFactory(tenant_facility_id="NL-AMS-01")
    for article in ("A-1", "A-2", "A-3"):
        ListingFactory(facility=facility, tenant_article_id=article)
    created = api_client.post(
        "/api/stocks",
        {"tenantFacilityId": "NL-AMS-01", "tenantArticleId": "A-1", "value": 2},
        format="json",
    )
    assert created.status_code == 201, created.json()

    stocks = [
        {"tenantFacilityId": "NL-AMS-01", "tenantArticleId": "A-1", "value": 2},  # unchanged
        {"tenantFacilityId": "NL-AMS-01", "tenantArticleId": "A-2", "value": 5},  # created
        {"tenantFacilityId": "NL-AMS-01", "tenantArticleId": "A-3", "value": 9},  # created
    ]
    response = api_client.put("/api/stocks", {"stocks": stocks}, format="json")
    assert [item["status"] for item in response.json()] == ["UNCHANGED", "CREATED", "CREATED"]

    reported = events(EventName.INVENTORY_FACILITY_STOCK_CHANGED)
    assert [(e.payload["tenantArticleId"], e.payload["value"]) for e in reported] == [
        ("A-1", 2),
        ("A-2", 5),
        ("A-3", 9),
    ]
    assert all(e.payload["facility"]["tenantFacilityId"] == "NL-AMS-01" for e in reported)
    assert reported[0].payload["id"] == created.json()["id"]


def test_stock_events_for_one_facility_only_reach_that_facilitys_subscription(api_client, receiver):
    watched, other = StockFactory(value=1), StockFactory(value=1)
    SubscriptionFactory(
        event=EventName.INVENTORY_FACILITY_STOCK_CHANGED,
        callback_url=receiver.url,
        contexts=[{"type": "FACILITY", "values": [str(watched.facility_id)]}],
    )
    for stock in (watched, other):
        api_client.put(f"/api/stocks/{stock.id}", {"value": 4}, format="json")
    deliver_pending()
    [request] = receiver.wait_for(1)
    assert json.loads(request.body)["payload"]["id"] == str(watched.id)
