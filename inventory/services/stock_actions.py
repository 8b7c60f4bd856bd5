"""The stock actions of POST /api/stocks/actions: delete by locations, by products or by ids,
and move to a location (the versionless upsert is the bulk upsert, stock_upsert). Each runs
in one transaction, under the stock row locks (in id order, inventory.locking); deleting keeps
the rule of every stock delete (refused while active reservations hold the stock)."""

from django.db import transaction
from django.db.models import Q

from config import clock
from config.errors import InvalidInput, Unprocessable
from config.identifiers import parse_uuid
from events.services import record_stock_event
from inventory.locking import lock_stocks, lock_stocks_by_ids, lock_stocks_where
from inventory.models import stock_extra_text
from inventory.selectors.availability import stock_levels, with_levels
from inventory.selectors.facilities import resolve_facility
from inventory.services.changes import merged_extra
from inventory.services.stocks import delete_stock_rows, stock_not_found


def _deleted(stocks, reason):
    delete_stock_rows(stocks, reason)
    return [str(stock.id) for stock in stocks]


@transaction.atomic
def delete_stocks_by_locations(location_refs):
    """Every stock row at one of the locations; returns the ids deleted."""
    if not location_refs:
        return []
    at_locations = Q(extra__has_key="locationRef") & Q(**{"location_ref__in": list(location_refs)})
    stocks = lock_stocks_where(at_locations, location_ref=stock_extra_text("locationRef"))
    return _deleted(stocks, "The stock at these locations cannot be deleted.")


@transaction.atomic
def delete_stocks_by_products(facility_reference, tenant_article_ids):
    """The facility's stock rows of the articles; returns the ids deleted."""
    facility = resolve_facility(facility_reference)
    locked = lock_stocks((facility.id, article) for article in set(tenant_article_ids))
    stocks = sorted(locked.values(), key=lambda stock: stock.id)
    return _deleted(stocks, "The stock of these articles cannot be deleted.")


@transaction.atomic
def delete_stocks_by_ids(stock_ids):
    """The stock rows of the ids that name one (others are left out); returns the ids
    deleted."""
    stocks = lock_stocks_by_ids({parse_uuid(stock_id) for stock_id in stock_ids} - {None})
    return _deleted(stocks, "These stocks cannot be deleted.")


@transaction.atomic
def move_stock_to_location(from_stock_id, to_location_ref, amount):
    """Move `amount` units of a stock row to `to_location_ref`; returns the stock at the new
    location.

    Stock is one row per facility and article, with its location a field of the row: moving
    all of it relocates the row (its reservations stay on it). Moving part of it would split
    the row in two, which this model has no place for: a 422 that says so."""
    stock_uuid = parse_uuid(from_stock_id)
    locked = lock_stocks_by_ids([stock_uuid]) if stock_uuid else []
    if not locked:
        raise stock_not_found(from_stock_id)
    stock = locked[0]
    if amount <= 0 or not float(amount).is_integer():
        raise InvalidInput("amount: Expected a whole number of units above 0.")
    if amount > stock.value:
        raise InvalidInput(
            f"amount: {int(amount)} is more than the stock's value ({stock.value}).",
            f"Stock {stock.id} holds {stock.value} unit(s) of {stock.tenant_article_id}.",
        )
    if amount < stock.value:
        raise Unprocessable(
            "Moving part of a stock is not supported.",
            f"Stock is kept as one row per facility and article, all of it at one location: "
            f"move all {stock.value} unit(s) of stock {stock.id} or none.",
        )
    level = stock_levels([stock], now=clock.now())[stock.id]
    extra = merged_extra(stock.extra, {"locationRef": to_location_ref})
    with_levels(stock, level)
    if extra != stock.extra:
        stock.extra = extra
        stock.version += 1
        stock.save()
        record_stock_event(stock)
    return stock
