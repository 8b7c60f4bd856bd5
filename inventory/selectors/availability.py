"""Availability = stock value − quantity held by active reservations, computed here and only
here: annotated on querysets (`with_stock_levels`) or, on the checkout path, by hand-written
statements (the ORM spent several times longer building them than the database running them).
"""

from dataclasses import dataclass

from django.db.models import F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

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


@dataclass(frozen=True)
class StockLevel:
    value: int
    reserved: int
    available: int


def active_reservations(now=None):
    """Reservations that hold stock at `now` (the rule: `ReservationQuerySet.active`)."""
    return Reservation.objects.active(now or clock.now())


def with_stock_levels(stocks, *, now=None):
    """Annotate a Stock queryset with `reserved` and `available` in the same SQL query."""
    reserved = (
        active_reservations(now)
        .filter(stock=OuterRef("pk"))
        .order_by()
        .values("stock")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return stocks.annotate(
        reserved=Coalesce(Subquery(reserved, output_field=IntegerField()), Value(0))
    ).annotate(available=F("value") - F("reserved"))


def reserved_by_stock(stock_ids, *, now=None):
    """{stock_id: quantity held by active reservations}, one aggregate query."""
    return sql.reserved_by_stock(stock_ids, now or clock.now())


_FACILITY, _ARTICLE, _VALUE = sql.columns(Stock, "facility", "tenant_article_id", "value")
_RESERVATION_STOCK, _QUANTITY = sql.columns(Reservation, "stock", "quantity")
_LISTING_ARTICLE, _LISTING_STATUS, _BEHAVIOUR = sql.columns(
    Listing, "tenant_article_id", "status", "out_of_stock_behaviour"
)
# One row per stock row of the articles: its facility, article, value and what active
# reservations hold of it (one `%s` for now, then the articles).
_LEVELS_SQL = (
    f"SELECT stock.{_FACILITY}, stock.{_ARTICLE}, stock.{_VALUE},"
    f" COALESCE((SELECT SUM(reservation.{_QUANTITY}) FROM {sql.RESERVATION_TABLE} AS reservation"
    f" WHERE reservation.{_RESERVATION_STOCK} = stock.id"
    f" AND {active_reservation_sql('reservation')}), 0)"
    f" FROM {sql.STOCK_TABLE} AS stock"
    f" WHERE stock.{_ARTICLE} IN "
)


def availability(tenant_article_ids, facility_ids=None, *, now=None):
    """{(facility_id, tenant_article_id): StockLevel} for the given articles, in one query.

    Facilities without a stock row for an article are absent: their availability is 0.
    Same rule as `with_stock_levels`: value minus active reservations.
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
        (parse_uuid(facility_id), article): StockLevel(value, reserved, value - reserved)
        for facility_id, article, value, reserved in rows
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
            f" SELECT NULL, listing.{_LISTING_ARTICLE}, NULL, NULL FROM ("
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
    for facility_id, article, value, reserved in rows:
        if facility_id is None:  # a row of the second part: a backorderable article
            backorderable.add(article)
        else:
            levels[(parse_uuid(facility_id), article)] = StockLevel(
                value, reserved, value - reserved
            )
    return levels, backorderable
