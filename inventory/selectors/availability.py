"""Availability = stock value − quantity held by active reservations − the listing's safety
stock, never below zero: the rule of what can still be promised, written here and only here.
`available_units` is the rule for loaded figures, `with_stock_levels` the same rule annotated
on querysets; the checkout path reads the figures with hand-written statements (the ORM spent
several times longer building them than the database running them).
"""

from dataclasses import dataclass

from django.db.models import F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from config import clock
from config.db_router import read_connection as connection  # or the replica: see there
from config.identifiers import parse_uuid
from inventory import sql
from inventory.models import (
    Listing,
    ListingStatus,
    OutOfStockBehaviour,
    Reservation,
    Stock,
    active_reservation_sql,
)


def available_units(value, reserved, safety_stock):
    """What can still be promised of a stock row: its value less what active reservations
    hold and less the safety stock its listing keeps back, never below zero."""
    return max(value - reserved - safety_stock, 0)


@dataclass(frozen=True)
class StockLevel:
    value: int
    reserved: int
    safety_stock: int
    available: int

    @classmethod
    def of(cls, value, reserved, safety_stock):
        return cls(value, reserved, safety_stock, available_units(value, reserved, safety_stock))


def active_reservations(now=None):
    """Reservations that hold stock at `now` (the rule: `ReservationQuerySet.active`)."""
    return Reservation.objects.active(now or clock.now())


def with_stock_levels(stocks, *, now=None):
    """Annotate a Stock queryset with `reserved`, `safety_stock` and `available` (the rule of
    `available_units`) in the same SQL query."""
    reserved = (
        active_reservations(now)
        .filter(stock=OuterRef("pk"))
        .order_by()
        .values("stock")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    safety_stock = Listing.objects.filter(
        facility=OuterRef("facility"), tenant_article_id=OuterRef("tenant_article_id")
    ).values("safety_stock")[:1]
    return stocks.annotate(
        reserved=Coalesce(Subquery(reserved, output_field=IntegerField()), Value(0)),
        safety_stock=Coalesce(Subquery(safety_stock, output_field=IntegerField()), Value(0)),
    ).annotate(available=Greatest(F("value") - F("reserved") - F("safety_stock"), Value(0)))


def with_levels(stock, level):
    """`stock` carrying `level` as the stock entity renders it (reserved, available)."""
    stock.reserved, stock.safety_stock, stock.available = (
        level.reserved,
        level.safety_stock,
        level.available,
    )
    return stock


def stock_levels(stocks, *, now=None):
    """{stock id: StockLevel} of loaded (usually locked) stock rows, one statement."""
    held = sql.held_by_stock([stock.id for stock in stocks], now or clock.now())
    return {stock.id: StockLevel.of(stock.value, *held.get(stock.id, (0, 0))) for stock in stocks}


_FACILITY, _ARTICLE, _VALUE = sql.columns(Stock, "facility", "tenant_article_id", "value")
_RESERVATION_STOCK, _QUANTITY = sql.columns(Reservation, "stock", "quantity")
_LISTING_ARTICLE, _LISTING_STATUS, _BEHAVIOUR = sql.columns(
    Listing, "tenant_article_id", "status", "out_of_stock_behaviour"
)
# One row per stock row of the articles: its facility, article, value, what active
# reservations hold of it and its listing's safety stock (one `%s` for now, then the articles).
_LEVELS_SQL = (
    f"SELECT stock.{_FACILITY}, stock.{_ARTICLE}, stock.{_VALUE},"
    f" COALESCE((SELECT SUM(reservation.{_QUANTITY}) FROM {sql.RESERVATION_TABLE} AS reservation"
    f" WHERE reservation.{_RESERVATION_STOCK} = stock.id"
    f" AND {active_reservation_sql('reservation')}), 0),"
    f" {sql.SAFETY_STOCK_OF_STOCK_SQL}"
    f" FROM {sql.STOCK_TABLE} AS stock"
    f" WHERE stock.{_ARTICLE} IN "
)


def availability(tenant_article_ids, facility_ids=None, *, now=None):
    """{(facility_id, tenant_article_id): StockLevel} for the given articles, in one query.

    Facilities without a stock row for an article are absent: their availability is 0.
    """
    articles = sorted(set(tenant_article_ids))
    if not articles:
        return {}
    statement = f"{_LEVELS_SQL}({sql.placeholders(articles)})"
    params = [connection.ops.adapt_datetimefield_value(now or clock.now()), *articles]
    if facility_ids is not None:
        facilities = sql.database_uuids(facility_ids)
        if not facilities:
            return {}
        statement += f" AND stock.{_FACILITY} IN ({sql.placeholders(facilities)})"
        params += facilities
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    return {
        (parse_uuid(facility_id), article): StockLevel.of(value, reserved, safety_stock)
        for facility_id, article, value, reserved, safety_stock in rows
    }


def availability_and_backorders(tenant_article_ids, *, now=None):
    """(`availability(tenant_article_ids)`, the articles with an active listing somewhere that
    allows backorders) in one round trip: a checkout needs both before it routes."""
    articles = sorted(set(tenant_article_ids))
    if not articles:
        return {}, set()
    in_articles = sql.placeholders(articles)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{_LEVELS_SQL}({in_articles})"
            " UNION ALL"
            f" SELECT NULL, listing.{_LISTING_ARTICLE}, NULL, NULL, NULL FROM ("
            f"  SELECT DISTINCT {_LISTING_ARTICLE} FROM {sql.LISTING_TABLE}"
            f"  WHERE {_LISTING_ARTICLE} IN ({in_articles})"
            f"  AND {_LISTING_STATUS} = %s AND {_BEHAVIOUR} = %s"
            " ) AS listing",
            [
                connection.ops.adapt_datetimefield_value(now or clock.now()),
                *articles,
                *articles,
                ListingStatus.ACTIVE,
                OutOfStockBehaviour.BACKORDER,
            ],
        )
        rows = cursor.fetchall()
    levels, backorderable = {}, set()
    for facility_id, article, value, reserved, safety_stock in rows:
        if facility_id is None:  # a row of the second part: a backorderable article
            backorderable.add(article)
        else:
            levels[(parse_uuid(facility_id), article)] = StockLevel.of(
                value, reserved, safety_stock
            )
    return levels, backorderable
