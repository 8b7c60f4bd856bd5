"""The stock core: availability, reservations and their locking, against PostgreSQL."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from config import clock
from config.errors import PromiseExpired
from inventory.models import Facility, Reservation, Stock
from inventory.selectors.availability import StockLevel, availability
from inventory.services.reservations import (
    Allocation,
    InsufficientStock,
    extend_order_reservations,
    make_order_reservations_permanent,
    release_order_reservations,
    reserve_stock,
)
from orders.models import Order, OrderLineItem

ARTICLE = "TSHIRT-W-2468"


@pytest.fixture
def store(db):
    return Facility.objects.create(name="Amsterdam Centrum", tenant_facility_id="AMS-01")


def make_line(quantity=1):
    order = Order.objects.create(order_date=timezone.now(), status="PROMISED")
    return OrderLineItem.objects.create(order=order, tenant_article_id=ARTICLE, quantity=quantity)


def level(facility):
    return availability([ARTICLE])[(facility.id, ARTICLE)]


def test_reservation_stops_counting_the_moment_it_expires_without_any_sweep(store):
    Stock.objects.create(facility=store, tenant_article_id=ARTICLE, value=5)
    now = timezone.now()
    line = make_line(3)
    reserve_stock(
        [Allocation(store.id, ARTICLE, 3, line.id)], valid_until=now + timedelta(minutes=10)
    )

    just_before = availability([ARTICLE], now=now + timedelta(minutes=10) - timedelta(seconds=1))
    at_expiry = availability([ARTICLE], now=now + timedelta(minutes=10))
    assert just_before[(store.id, ARTICLE)].available == 2
    assert at_expiry[(store.id, ARTICLE)].available == 5
    # The expired reservation row still exists: only time made it stop counting.
    assert Reservation.objects.count() == 1


def test_an_expired_reservation_does_not_block_a_new_one(store):
    Stock.objects.create(facility=store, tenant_article_id=ARTICLE, value=1)
    now = timezone.now()
    reserve_stock(
        [Allocation(store.id, ARTICLE, 1, make_line().id)], valid_until=now + timedelta(minutes=1)
    )
    with pytest.raises(InsufficientStock), clock.frozen_at(now):
        reserve_stock([Allocation(store.id, ARTICLE, 1, make_line().id)], valid_until=None)
    with clock.frozen_at(now + timedelta(minutes=2)):
        reserve_stock([Allocation(store.id, ARTICLE, 1, make_line().id)], valid_until=None)
    later = availability([ARTICLE], now=now + timedelta(minutes=2))
    assert later[(store.id, ARTICLE)] == StockLevel.of(value=1, reserved=1, safety_stock=0)


def test_reserving_is_all_or_nothing_and_names_the_short_article(store):
    Stock.objects.create(facility=store, tenant_article_id=ARTICLE, value=2)
    Stock.objects.create(facility=store, tenant_article_id="JEANS-B-2605", value=10)
    line = make_line()
    with pytest.raises(InsufficientStock) as error:
        reserve_stock(
            [
                Allocation(store.id, "JEANS-B-2605", 3, line.id),
                Allocation(store.id, ARTICLE, 5, line.id),
            ],
            valid_until=None,
        )
    assert error.value.shortages[0].tenant_article_id == ARTICLE
    assert (error.value.shortages[0].requested, error.value.shortages[0].available) == (5, 2)
    assert "requested 5, available 2" in error.value.description
    assert Reservation.objects.count() == 0


def test_an_article_without_stock_row_is_unavailable(store):
    with pytest.raises(InsufficientStock) as error:
        reserve_stock([Allocation(store.id, "UNKNOWN", 1, make_line().id)], valid_until=None)
    assert error.value.shortages[0].available == 0


def test_confirming_or_extending_an_expired_promise_is_refused(store):
    Stock.objects.create(facility=store, tenant_article_id=ARTICLE, value=1)
    now = timezone.now()
    line = make_line()
    reserve_stock(
        [Allocation(store.id, ARTICLE, 1, line.id)], valid_until=now + timedelta(minutes=5)
    )
    later = now + timedelta(minutes=6)
    with pytest.raises(PromiseExpired), clock.frozen_at(later):
        make_order_reservations_permanent(line.order_id)
    with pytest.raises(PromiseExpired), clock.frozen_at(later):
        extend_order_reservations(line.order_id, timedelta(hours=1))

    with clock.frozen_at(now):
        extend_order_reservations(line.order_id, timedelta(hours=1))
    assert level(store).available == 0
    with clock.frozen_at(now):
        make_order_reservations_permanent(line.order_id)
    assert Reservation.objects.get().valid_until is None
    assert availability([ARTICLE], now=now + timedelta(days=30))[(store.id, ARTICLE)].available == 0


def test_release_frees_stock(store):
    Stock.objects.create(facility=store, tenant_article_id=ARTICLE, value=10)
    line = make_line(6)
    reserve_stock(
        [Allocation(store.id, ARTICLE, 4, line.id), Allocation(store.id, ARTICLE, 2, line.id)],
        valid_until=None,
    )
    assert level(store).reserved == 6
    assert release_order_reservations(line.order_id) == 2
    assert level(store).available == 10


@pytest.mark.django_db(transaction=True)
def test_concurrent_reservations_never_oversell():
    if connection.vendor != "postgresql":
        pytest.skip("row locking is only meaningful on PostgreSQL")
    store = Facility.objects.create(name="Utrecht", tenant_facility_id="UTR-01")
    Stock.objects.create(facility=store, tenant_article_id=ARTICLE, value=5)
    lines = [make_line() for _ in range(30)]
    results = []
    barrier = threading.Barrier(len(lines))

    def checkout(line):
        try:
            barrier.wait()
            reserve_stock(
                [Allocation(store.id, ARTICLE, 1, line.id)],
                valid_until=timezone.now() + timedelta(hours=1),
            )
            results.append("reserved")
        except InsufficientStock:
            results.append("short")
        finally:
            connection.close()

    threads = [threading.Thread(target=checkout, args=(line,)) for line in lines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results.count("reserved") == 5
    assert results.count("short") == 25
    assert level(store).available == 0
