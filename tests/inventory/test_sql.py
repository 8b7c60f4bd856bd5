"""The inventory statement twins (inventory/sql.py) on the same data: each pair gives the same
answer and leaves the same rows behind. On PostgreSQL both twins of a pair run; on SQLite the
PostgreSQL twin is skipped."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from inventory import sql
from inventory.models import Listing, Reservation, Stock
from tests.inventory.factories import FacilityFactory, ListingFactory, StockFactory

pytestmark = pytest.mark.django_db


def twins(postgresql, portable):
    return pytest.mark.parametrize(
        "twin",
        [
            pytest.param(
                postgresql,
                marks=pytest.mark.skipif(
                    connection.vendor != "postgresql",
                    reason="the PostgreSQL twin's arrays and casts need PostgreSQL",
                ),
                id="postgresql",
            ),
            pytest.param(portable, id="portable"),
        ],
    )


def rolled_back(function):
    """What `function()` returns and leaves behind, with its writes rolled back afterwards (so
    both twins see the same data)."""
    with transaction.atomic():
        result = function()
        transaction.set_rollback(True)
    return result


def stock_rows():
    """Every stock row as (facility, article, value, version, extra)."""
    return sorted(
        (str(facility), article, value, version, extra)
        for facility, article, value, version, extra in Stock.objects.values_list(
            "facility_id", "tenant_article_id", "value", "version", "extra"
        )
    )


def listed_stock(facility, article, value, **fields):
    ListingFactory(facility=facility, tenant_article_id=article)
    return StockFactory(facility=facility, tenant_article_id=article, value=value, **fields)


def reserve(stock, quantity, valid_until):
    Reservation.objects.create(
        stock=stock,
        facility_id=stock.facility_id,
        tenant_article_id=stock.tenant_article_id,
        quantity=quantity,
        valid_until=valid_until,
    )


@twins(sql.held_by_stock_postgresql, sql.held_by_stock_portable)
def test_held_by_stock_counts_only_active_reservations_and_the_safety_stock(twin):
    now = timezone.now()
    facility = FacilityFactory()
    held, expired_only, untouched = (
        listed_stock(facility, article, 20) for article in ("A", "B", "C")
    )
    Listing.objects.filter(facility=facility, tenant_article_id="C").update(safety_stock=7)
    reserve(held, 2, now + timedelta(minutes=5))
    reserve(held, 3, None)  # a confirmed order's: permanent
    reserve(held, 4, now - timedelta(seconds=1))
    reserve(expired_only, 6, now)  # ends exactly now: no longer active
    ids = [held.id, expired_only.id, untouched.id, str(held.id), uuid.uuid4()]

    assert twin(ids, now) == {held.id: (5, 0), expired_only.id: (0, 0), untouched.id: (0, 7)}
    assert twin([], now) == {}
    assert twin([held.id], now - timedelta(minutes=1)) == {held.id: (2 + 3 + 4, 0)}


def locked_rows(stocks):
    return [
        (stock.id, stock.facility_id, stock.tenant_article_id, stock.value, stock.version)
        + (stock.extra, stock.created, stock.last_modified)
        for stock in stocks
    ]


def three_stocks():
    facility, other = FacilityFactory(), FacilityFactory()
    stocks = [
        listed_stock(facility, "A", 4, extra={"locationRef": "A-01", "tags": [1, 2]}),
        listed_stock(facility, "B", 5),
        listed_stock(other, "A", 6, version=3),
    ]
    return facility, other, [Stock.objects.get(id=stock.id) for stock in stocks]


@twins(sql.stocks_for_update_by_keys_postgresql, sql.stocks_for_update_by_keys_portable)
def test_stocks_for_update_by_keys_returns_the_named_rows_in_id_order(twin):
    facility, other, stocks = three_stocks()
    keys = sorted([(facility.id, "A"), (facility.id, "B"), (other.id, "A"), (other.id, "B")])

    locked = rolled_back(lambda: twin(keys))

    assert locked_rows(locked) == locked_rows(sorted(stocks, key=lambda stock: stock.id))
    assert rolled_back(lambda: twin([(other.id, "A")]))[0].version == 3


@twins(
    sql.stocks_for_update_by_ids_and_keys_postgresql,
    sql.stocks_for_update_by_ids_and_keys_portable,
)
def test_stocks_for_update_by_ids_and_keys_returns_the_named_rows_in_id_order(twin):
    facility, other, (first, second, third) = three_stocks()
    unknown_id = uuid.uuid4()

    by_both = rolled_back(
        lambda: twin({first.id, unknown_id}, {(other.id, "A"), (facility.id, "unknown")})
    )
    by_ids = rolled_back(lambda: twin({second.id}, set()))
    by_keys = rolled_back(lambda: twin(set(), {(facility.id, "B")}))

    assert locked_rows(by_both) == locked_rows(sorted([first, third], key=lambda s: s.id))
    assert locked_rows(by_ids) == locked_rows(by_keys) == locked_rows([second])


@twins(sql.insert_new_stocks_postgresql, sql.insert_new_stocks_portable)
@pytest.mark.parametrize("extra", [{}, {"locationRef": "B-07"}], ids=["plain", "with-extra"])
def test_insert_new_stocks_inserts_only_listed_keys_without_a_row(twin, extra):
    facility = FacilityFactory()
    listed_stock(facility, "A", 5)
    for article in ("B", "C"):
        ListingFactory(facility=facility, tenant_article_id=article)
    timestamp = timezone.now()
    keyed = [
        ((facility.id, "C"), {"value": 3}),
        ((facility.id, "A"), {"value": 9}),
        ((facility.id, "B"), {"value": 4, "extra": extra}),
        ((facility.id, "UNLISTED"), {"value": 1}),
    ]

    created, others, rows = rolled_back(lambda: (*twin(keyed, timestamp), stock_rows()))

    assert {key: (stock.value, stock.version, stock.extra) for key, stock in created.items()} == {
        (facility.id, "B"): (4, 1, extra),
        (facility.id, "C"): (3, 1, {}),
    }
    # The portable twin's bulk insert stamps the rows itself, a moment after `timestamp`.
    assert all(stock.created >= timestamp for stock in created.values())
    assert others == [(facility.id, "A"), (facility.id, "UNLISTED")]
    assert rows == [
        (str(facility.id), "A", 5, 1, {}),
        (str(facility.id), "B", 4, 1, extra),
        (str(facility.id), "C", 3, 1, {}),
    ]
    assert twin([], timestamp) == ({}, [])


@twins(sql.write_stock_values_postgresql, sql.write_stock_values_portable)
def test_write_stock_values_writes_values_versions_and_extra_fields(twin):
    _, _, stocks = three_stocks()
    created = {stock.id: stock.created for stock in stocks}
    timestamp = timezone.now()
    for stock, value in zip(stocks, (7, 0, 11), strict=True):
        stock.original_extra = stock.extra
        stock.value, stock.version, stock.last_modified = value, stock.version + 1, timestamp
    stocks[1].extra = {"locationRef": "B-02"}  # a row whose extra fields change

    def write_and_read():
        twin(stocks, timestamp)
        return stock_rows(), {s.id: (s.created, s.last_modified) for s in Stock.objects.all()}

    rows, stamps = rolled_back(write_and_read)

    facility, other = (str(stocks[0].facility_id), str(stocks[2].facility_id))
    assert rows == sorted(
        [
            (facility, "A", 7, 2, {"locationRef": "A-01", "tags": [1, 2]}),
            (facility, "B", 0, 2, {"locationRef": "B-02"}),
            (other, "A", 11, 4, {}),
        ]
    )
    # The portable twin's upsert stamps `last_modified` itself, a moment after `timestamp`.
    assert all(stamps[s.id][0] == created[s.id] and stamps[s.id][1] >= timestamp for s in stocks)
    assert [stock.created for stock in stocks] == [created[stock.id] for stock in stocks]


@twins(sql.article_totals_postgresql, sql.article_totals_portable)
def test_article_totals_sum_values_and_name_the_facilities_by_article(twin):
    facilities = sorted((FacilityFactory() for _ in range(3)), key=lambda f: f.id)
    for index, facility in enumerate(facilities):
        listed_stock(facility, "SHIRT", 5 + index)
    listed_stock(facilities[1], "JEANS", 2)
    listed_stock(facilities[2], "SOCKS", 0)

    every = twin(Stock.objects.all())
    some = twin(Stock.objects.filter(tenant_article_id__in=["JEANS", "SHIRT"], value__gt=5))

    assert every == [
        {"tenant_article_id": "JEANS", "total_value": 2, "facility_ids": [facilities[1].id]},
        {
            "tenant_article_id": "SHIRT",
            "total_value": 18,
            "facility_ids": [facility.id for facility in facilities],
        },
        {"tenant_article_id": "SOCKS", "total_value": 0, "facility_ids": [facilities[2].id]},
    ]
    assert some == [
        {
            "tenant_article_id": "SHIRT",
            "total_value": 13,
            "facility_ids": [facilities[1].id, facilities[2].id],
        }
    ]
    assert twin(Stock.objects.none()) == []
