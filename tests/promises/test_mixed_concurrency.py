"""Promises, confirms, extends, cancels, PATCHes and sweeps from several threads at once, with
a clock that moves across the promises' validUntil, on a few units of stock. After every sweep
and at the end, the committed state must hold: no stock more reserved than it has, and every
daily capacity counter equal to the orders it counts (and within the capacity)."""

import random
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from config import clock
from inventory.models import Facility, FacilityDailyOrders, Reservation, Stock
from orders.models import Order, OrderLineItem, OrderModificationConfiguration
from promises import services
from tests.conftest import make_token_client
from tests.database import postgresql_only, second_connection
from tests.promises.helpers import example_promise, small_network

URL = "/api/promises/deliverypromise"
THREADS, STEPS = 6, 40
STORE_CAPACITY = 4
EXPECTED_STATUSES = {200, 201, 400, 404, 409}

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True), pytest.mark.slow]

STOCK, RESERVATION = Stock._meta.db_table, Reservation._meta.db_table
FACILITY = Facility._meta.db_table
LINE, DAILY = OrderLineItem._meta.db_table, FacilityDailyOrders._meta.db_table


def oversold_stocks():
    """Stocks whose active reservations exceed their value, read under the stock locks (so no
    reservation is being made meanwhile) with the time read after them, as the services do."""
    with second_connection() as checker:
        checker.execute(f"SELECT id FROM {STOCK} ORDER BY id FOR UPDATE")
        now = clock.now()
        return checker.execute(
            f"SELECT s.id, s.value, COALESCE(SUM(r.quantity), 0) FROM {STOCK} s"
            f" LEFT JOIN {RESERVATION} r ON r.stock_id = s.id"
            "  AND (r.valid_until IS NULL OR r.valid_until > %s)"
            " GROUP BY s.id, s.value HAVING COALESCE(SUM(r.quantity), 0) > s.value",
            [now],
        ).fetchall()


def miscounted_days():
    """(facility, day, counter, orders holding reservations there that day) where they differ
    or the counter exceeds the capacity; one statement, so one snapshot of both tables."""
    with second_connection() as checker:
        return checker.execute(
            f"""
            WITH held AS (
                SELECT r.facility_id, (r.created AT TIME ZONE 'UTC')::date AS day,
                       COUNT(DISTINCT l.order_id) AS orders
                FROM {RESERVATION} r JOIN {LINE} l ON l.id = r.order_line_item_id
                GROUP BY 1, 2
            )
            SELECT COALESCE(d.facility_id, held.facility_id), COALESCE(d.day, held.day),
                   COALESCE(d.orders, 0), COALESCE(held.orders, 0)
            FROM {DAILY} d FULL JOIN held
              ON held.facility_id = d.facility_id AND held.day = d.day
            LEFT JOIN {FACILITY} f ON f.id = d.facility_id
            WHERE COALESCE(d.orders, 0) <> COALESCE(held.orders, 0)
               OR d.orders > f.daily_order_capacity
            """
        ).fetchall()


class Shop:
    """One thread's client and the orders it knows of (shared between threads)."""

    orders = []
    orders_lock = threading.Lock()

    def __init__(self, token_client, seed):
        self.client = token_client
        self.random = random.Random(seed)
        self.statuses, self.violations = [], []

    def order_id(self):
        with self.orders_lock:
            return self.random.choice(self.orders) if self.orders else None

    def promise(self):
        lines = [("MIX-A", self.random.randint(1, 2))]
        if self.random.random() < 0.5:
            lines.append(("MIX-B", 1))
        valid_until = clock.now() + timedelta(seconds=self.random.randint(61, 180))
        body = example_promise(lines, promisesOptions={"validUntil": valid_until.isoformat()})
        response = self.client.post(URL, body, format="json")
        if response.status_code == 201:
            with self.orders_lock:
                self.orders.append(response.json()["orderRef"])
        return response

    def action(self, name):
        order_id = self.order_id()
        if order_id is None:
            return None
        version = Order.objects.filter(id=order_id).values_list("version", flat=True).first()
        return self.client.post(
            f"/api/orders/{order_id}/actions", {"name": name, "version": version}, format="json"
        )

    def patch(self):
        order_id = self.order_id()
        order = Order.objects.filter(id=order_id).first() if order_id else None
        if order is None:
            return None
        body = {"version": order.version, "customAttributes": {"step": self.random.random()}}
        first, *others = order.order_line_items.order_by("position")
        if first.quantity > 1:  # shrink the first line (every line is sent: the rest stay)
            body["orderLineItems"] = [
                {"id": str(line.id), "quantity": line.quantity} for line in others
            ] + [{"id": str(first.id), "quantity": first.quantity - 1}]
        return self.client.patch(f"/api/orders/{order_id}", body, format="json")

    def sweep(self):
        services.release_expired_promises()
        self.violations += [("oversold", row) for row in oversold_stocks()]
        self.violations += [("miscounted", row) for row in miscounted_days()]

    def step(self):
        roll = self.random.random()
        if roll < 0.35:
            response = self.promise()
        elif roll < 0.5:
            response = self.action("CONFIRM_PROMISE")
        elif roll < 0.6:
            response = self.action("EXTEND_PROMISE")
        elif roll < 0.7:
            response = self.action("CANCEL")
        elif roll < 0.8:
            response = self.patch()
        elif roll < 0.9:
            response = self.sweep()
        else:
            clock.advance(timedelta(seconds=self.random.randint(10, 50)))
            response = None
        if response is not None:
            self.statuses.append(response.status_code)

    def run(self):
        try:
            for _ in range(STEPS):
                self.step()
        finally:
            connection.close()


def test_mixed_actions_around_valid_until_never_oversell_or_miscount():
    network = small_network({"MIX-A": 10, "MIX-B": 4}, warehouse_articles={"MIX-A": 4})
    network["store"].daily_order_capacity = STORE_CAPACITY
    network["store"].save()
    OrderModificationConfiguration.objects.update_or_create(
        pk=1, defaults={"allow_order_line_item_modification": True}
    )
    Shop.orders = []
    shops = [Shop(make_token_client(f"shop-{index}"), seed=index) for index in range(THREADS)]

    with clock.frozen_at(timezone.now()):
        threads = [threading.Thread(target=shop.run) for shop in shops]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads)
        final = Shop(make_token_client("final"), seed=99)
        clock.advance(timedelta(hours=9))  # past any extension (PT8H)
        final.sweep()

    statuses = [status for shop in shops for status in shop.statuses]
    assert set(statuses) <= EXPECTED_STATUSES, sorted(statuses)
    assert statuses.count(201) >= 3  # the run did promise something
    violations = [v for shop in [*shops, final] for v in shop.violations]
    assert violations == []
    # Nine hours on, every unconfirmed promise has expired and was swept.
    assert not Order.objects.filter(status="PROMISED").exists()
