"""Reads of the inventory. Availability is computed here and only here."""

from dataclasses import dataclass

from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from inventory.models import Reservation, Stock


@dataclass(frozen=True)
class StockLevel:
    value: int
    reserved: int
    available: int


def active_reservations(now=None):
    """Reservations that hold stock at `now`: permanent ones, and temporary ones not yet
    expired. An expired reservation never counts, whether or not the sweep has run."""
    now = now or timezone.now()
    return Reservation.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))


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


def availability(tenant_article_ids, facility_ids=None, *, now=None):
    """{(facility_id, tenant_article_id): StockLevel} for the given articles, in one query.

    Facilities without a stock row for an article are absent: their availability is 0.
    """
    stocks = Stock.objects.filter(tenant_article_id__in=set(tenant_article_ids))
    if facility_ids is not None:
        stocks = stocks.filter(facility_id__in=set(facility_ids))
    rows = with_stock_levels(stocks, now=now).values_list(
        "facility_id", "tenant_article_id", "value", "reserved", "available"
    )
    return {
        (facility_id, article): StockLevel(value, reserved, available)
        for facility_id, article, value, reserved, available in rows
    }


def reserved_by_stock(stock_ids, *, now=None):
    """{stock_id: quantity held by active reservations}, one aggregate query."""
    rows = (
        active_reservations(now)
        .filter(stock_id__in=set(stock_ids))
        .values("stock_id")
        .annotate(total=Sum("quantity"))
        .values_list("stock_id", "total")
    )
    return dict(rows)
