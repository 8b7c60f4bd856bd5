"""Concurrent stock upserts, value updates and reservations on PostgreSQL (real threads, real
row locks): `available` never drops below zero, whatever the interleaving."""

import contextlib
import random
import threading

import pytest
from django.db import connection, connections

from config.errors import InvalidInput
from inventory.selectors import availability
from inventory.services import Allocation, reserve_stock, update_stock, upsert_stocks
from tests.inventory.factories import FacilityFactory, ListingFactory, StockFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks and real threads"
    ),
]

ARTICLES = ["TSHIRT-W-2468", "JEANS-B-2605"]


def run_threads(workers):
    errors = []

    def wrap(worker, seed):
        try:
            worker(random.Random(seed))
        except Exception as error:  # noqa: BLE001 - surfaced through the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(w, i)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def test_upserts_and_reservations_never_oversell():
    facility = FacilityFactory(tenant_facility_id="NL-AMS-WH")
    stocks = {}
    for article in ARTICLES:
        ListingFactory(facility=facility, tenant_article_id=article)
        stocks[article] = StockFactory(facility=facility, tenant_article_id=article, value=20)
    observed = []
    stop = threading.Event()

    def reserver(rng):
        for _ in range(40):
            article = rng.choice(ARTICLES)
            with contextlib.suppress(InvalidInput):
                reserve_stock(
                    [Allocation(facility.id, article, rng.randint(1, 4))], valid_until=None
                )

    def upserter(rng):
        for _ in range(40):
            items = [
                {
                    "facility_reference": "NL-AMS-WH",
                    "tenantArticleId": article,
                    "value": rng.randint(0, 30),
                }
                for article in ARTICLES
            ]
            # Refused as a whole when it would go below what reservations hold.
            with contextlib.suppress(InvalidInput):
                upsert_stocks(items)

    def single_updater(rng):
        for _ in range(40):
            with contextlib.suppress(InvalidInput):
                update_stock(stocks[rng.choice(ARTICLES)].id, {"value": rng.randint(0, 30)})

    def monitor(rng):
        while not stop.is_set():
            observed.extend(level.available for level in availability(ARTICLES).values())

    monitor_thread = threading.Thread(target=lambda: (monitor(None), connections.close_all()))
    monitor_thread.start()
    try:
        run_threads([reserver, reserver, reserver, upserter, upserter, single_updater])
    finally:
        stop.set()
        monitor_thread.join(timeout=30)

    final = availability(ARTICLES)
    assert all(level.available >= 0 for level in final.values()), final
    assert sum(level.reserved for level in final.values()) > 0  # the race really happened
    assert observed and min(observed) >= 0
