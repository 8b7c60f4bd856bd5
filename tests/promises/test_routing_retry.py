"""The retry of NOT_ROUTED orders (promises.tasks.route_unrouted_orders, every minute): routes
them oldest first when stock arrives, skips orders another transaction holds, and flags those
still waiting after the configured time (issue 13, point 1)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection

from config import clock
from events.models import EventName, OutboxEvent
from inventory.models import Reservation, Stock
from orders.models import Order, RoutingStatus
from orders.routing_marks import NOT_ROUTED_TAG
from promises import tasks
from tests.conftest import make_token_client
from tests.database import postgresql_only, second_connection
from tests.events.factories import SubscriptionFactory
from tests.orders.helpers import assert_matches_contract
from tests.promises.helpers import example_promise, small_network
from tests.promises.test_promise_concurrency import run_concurrently

URL = "/api/orders"


def not_routed_orders(client, article, count):
    ids = []
    for _ in range(count):
        response = client.post(URL, example_promise([(article, 1)]), format="json")
        assert response.json()["tags"] == [NOT_ROUTED_TAG]
        ids.append(response.json()["id"])
    return ids


def holders():
    return {str(r.order_line_item.order_id) for r in Reservation.objects.all()}


def add_units(stock, units):
    Stock.objects.filter(id=stock.id).update(value=stock.value + units)


@pytest.mark.django_db
def test_the_retry_routes_waiting_orders_oldest_first_when_stock_arrives(api_client):
    network = small_network({"HOT-1": 0})
    SubscriptionFactory(event=EventName.ORDER_MODIFIED)
    oldest, middle, newest = not_routed_orders(api_client, "HOT-1", 3)
    add_units(network["stocks"]["HOT-1"], 2)

    assert tasks.route_unrouted_orders() == 2

    assert holders() == {oldest, middle}
    routed = api_client.get(f"{URL}/{oldest}").json()
    assert routed["version"] == 2
    assert "tags" not in routed and "statusReasons" not in routed
    assert "estimatedDeliveryDate" in routed["deliveryPreferences"]
    assert routed["updateDetails"][-1]["changes"]["action"] == "ROUTE"
    assert routed["updateDetails"][-1]["changes"]["routing"]["to"]["facilities"] == ["AMS-01"]
    assert_matches_contract(routed, "Order")
    waiting = api_client.get(f"{URL}/{newest}").json()
    assert waiting["version"] == 1 and waiting["tags"] == [NOT_ROUTED_TAG]
    # One ORDER_MODIFIED per routed order, with the order as routed.
    payloads = [event.payload for event in OutboxEvent.objects.filter(event="ORDER_MODIFIED")]
    assert sorted(payload["id"] for payload in payloads) == sorted([oldest, middle])
    assert all("tags" not in payload for payload in payloads)
    # Nothing left to do: a second run changes nothing.
    assert tasks.route_unrouted_orders() == 0


@pytest.mark.django_db
def test_an_order_still_waiting_after_the_configured_time_is_flagged_once(api_client):
    small_network({"HOT-1": 0})
    SubscriptionFactory(event=EventName.ORDER_ROUTING_OVERDUE)
    [order_id] = not_routed_orders(api_client, "HOT-1", 1)
    order = Order.objects.get(id=order_id)
    waited = timedelta(minutes=settings.UNROUTED_ORDER_FLAG_AFTER_MINUTES)
    assert waited == timedelta(hours=8)  # the default

    with clock.frozen_at(order.created + waited - timedelta(minutes=1)):
        tasks.route_unrouted_orders()
    assert Order.objects.get().routing_flagged_at is None

    with clock.frozen_at(order.created + waited + timedelta(minutes=1)):
        tasks.route_unrouted_orders()
        tasks.route_unrouted_orders()

    flagged = Order.objects.get()
    assert flagged.routing_flagged_at is not None
    assert flagged.version == 1  # a flag for staff, not a change of the order
    (event,) = OutboxEvent.objects.filter(event=EventName.ORDER_ROUTING_OVERDUE)
    assert event.payload["id"] == order_id and event.payload["tags"] == [NOT_ROUTED_TAG]


@pytest.mark.django_db
def test_the_flag_time_is_a_setting(api_client, settings):
    settings.UNROUTED_ORDER_FLAG_AFTER_MINUTES = 5
    small_network({"HOT-1": 0})
    [order_id] = not_routed_orders(api_client, "HOT-1", 1)
    with clock.frozen_at(Order.objects.get().created + timedelta(minutes=6)):
        tasks.route_unrouted_orders()
    assert Order.objects.get(id=order_id).routing_flagged_at is not None


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_order_another_transaction_holds_is_skipped_not_waited_for():
    network = small_network({"HOT-1": 0})
    client = make_token_client("shop")
    held, free = not_routed_orders(client, "HOT-1", 2)
    add_units(network["stocks"]["HOT-1"], 2)

    with second_connection() as other:
        other.execute(f"SELECT id FROM {Order._meta.db_table} WHERE id = %s FOR UPDATE", [held])
        assert tasks.route_unrouted_orders() == 1
        other.rollback()

    assert holders() == {free}
    assert tasks.route_unrouted_orders() == 1
    assert holders() == {held, free}


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_thirty_plain_orders_for_ten_units_then_five_more_units_route_the_five_oldest():
    network = small_network({"HOT-1": 10})
    client = make_token_client("shop")
    body = example_promise([("HOT-1", 1)])

    results = run_concurrently(30, lambda _: client.post(URL, body, format="json"))

    assert [getattr(result, "status_code", result) for result in results] == [201] * 30
    assert Order.objects.count() == 30
    routed = set(Order.objects.filter(routing_status=RoutingStatus.ROUTED).values_list("id"))
    assert len(routed) == 10
    assert len(holders()) == 10 and Reservation.objects.count() == 10
    waiting = list(
        Order.objects.filter(routing_status=RoutingStatus.NOT_ROUTED)
        .order_by("created", "id")
        .values_list("id", flat=True)
    )
    assert len(waiting) == 20
    # The shops were told which of their orders wait for stock.
    told = [result.json()["id"] for result in results if "tags" in result.json()]
    assert sorted(told) == sorted(str(order_id) for order_id in waiting)
    assert all(
        result.json().get("tags", [NOT_ROUTED_TAG]) == [NOT_ROUTED_TAG] for result in results
    )

    add_units(network["stocks"]["HOT-1"], 5)
    assert tasks.route_unrouted_orders() == 5

    assert holders() == {str(order_id) for (order_id,) in routed} | {
        str(order_id) for order_id in waiting[:5]
    }
    assert Order.objects.filter(routing_status=RoutingStatus.NOT_ROUTED).count() == 15
    stock = Stock.objects.get(id=network["stocks"]["HOT-1"].id)
    assert sum(r.quantity for r in Reservation.objects.all()) == stock.value == 15
    connection.close()
