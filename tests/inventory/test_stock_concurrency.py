"""Concurrent stock upserts, value updates and reservations on PostgreSQL (real threads, real
row locks): `available` never drops below zero, whatever the interleaving."""

import contextlib
import random
import threading
import time

import pytest
from django.db import connection, connections, transaction

from config.errors import InvalidInput
from inventory.models import Stock
from inventory.selectors.availability import availability
from inventory.services.reservations import Allocation, reserve_stock
from inventory.services.stock_upsert import upsert_stocks
from inventory.services.stocks import update_stock
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


def _new_keys_facility(articles):
    facility = FacilityFactory(tenant_facility_id="NL-AMS-NEW")
    for article in articles:
        ListingFactory(facility=facility, tenant_article_id=article)
    return facility


def _items(articles, value):
    return [
        {"facility_reference": "NL-AMS-NEW", "tenantArticleId": article, "value": value}
        for article in articles
    ]


def _statuses(results):
    return {stock.tenant_article_id: status for stock, status in results}


@pytest.mark.parametrize("first_commits", [True, False])
def test_insert_racing_an_uncommitted_insert_of_the_same_key(first_commits):
    """B inserts keys A inserted and has not committed yet: B's insert waits for A. If A
    commits, B locks and updates A's rows; if A rolls back, B's rows are B's own creations."""
    articles = ["A-1", "A-2", "A-3"]
    facility = _new_keys_facility([*articles, "B-ONLY"])
    inserted, results = threading.Event(), {}

    def first(rng):
        with contextlib.suppress(RuntimeError), transaction.atomic():
            results["first"] = upsert_stocks(_items(articles, 5))
            results["inserted_at"] = time.monotonic()
            inserted.set()
            time.sleep(0.5)  # B is now waiting on our uncommitted rows
            if not first_commits:
                raise RuntimeError("roll back")

    def second(rng):
        assert inserted.wait(30)
        results["second"] = upsert_stocks(_items([*articles, "B-ONLY"], 7))
        results["second_done"] = time.monotonic()

    run_threads([first, second])

    assert set(_statuses(results["first"]).values()) == {"CREATED"}
    assert results["second_done"] - results["inserted_at"] >= 0.45  # it waited for A's end
    second_statuses = _statuses(results["second"])
    assert second_statuses.pop("B-ONLY") == "CREATED"
    expected = "UPDATED" if first_commits else "CREATED"
    assert set(second_statuses.values()) == {expected}
    for stock, _ in results["second"]:
        assert (stock.value, stock.reserved, stock.available) == (7, 0, 7)
        assert stock.version == (2 if first_commits and stock.tenant_article_id != "B-ONLY" else 1)
    rows = Stock.objects.filter(facility=facility)
    assert sorted(rows.values_list("tenant_article_id", "value", "version")) == [
        (article, 7, 2 if first_commits and article != "B-ONLY" else 1)
        for article in sorted([*articles, "B-ONLY"])
    ]


def test_concurrent_upserts_of_overlapping_new_keys_create_each_row_once():
    """Many requests insert overlapping sets of new keys at once (plus reservations on the rows
    as they appear): no deadlock, each key created exactly once, nothing oversold."""
    articles = [f"ART-{index:02}" for index in range(12)]
    facility = _new_keys_facility(articles)
    created = []

    def upserter(rng):
        for _ in range(15):
            chosen = rng.sample(articles, rng.randint(1, len(articles)))
            items = [
                {
                    "facility_reference": "NL-AMS-NEW",
                    "tenantArticleId": a,
                    "value": rng.randint(0, 9),
                }
                for a in chosen
            ]
            with contextlib.suppress(InvalidInput):  # below what reservations hold
                results = upsert_stocks(items)
                created.extend(s.tenant_article_id for s, status in results if status == "CREATED")

    def reserver(rng):
        for _ in range(30):
            with contextlib.suppress(InvalidInput):
                reserve_stock(
                    [Allocation(facility.id, rng.choice(articles), rng.randint(1, 3))],
                    valid_until=None,
                )

    run_threads([upserter, upserter, upserter, upserter, reserver])

    assert sorted(created) == sorted(Stock.objects.values_list("tenant_article_id", flat=True))
    assert len(created) == len(set(created))
    final = availability(articles)
    assert all(level.available >= 0 for level in final.values()), final
