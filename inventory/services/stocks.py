"""Stock writes one row at a time (create, PUT, delete) and the rules every stock write keeps:
stock exists only for listed articles, and its value never goes below what active
reservations hold (checked under the stock lock)."""

from django.db import IntegrityError, transaction

from config import clock
from config.errors import Conflict, InvalidInput, NotFound
from config.identifiers import parse_uuid
from events.services import record_stock_event
from inventory import sql
from inventory.locking import lock_stocks_by_ids
from inventory.models import Listing, Reservation, Stock
from inventory.selectors.availability import StockLevel, stock_levels, with_levels
from inventory.selectors.facilities import facility_not_found, resolve_facility_ids
from inventory.services.changes import check_version, merged_extra


def refuse_below_reserved(stock, new_value, reserved):
    if new_value < reserved:
        raise InvalidInput(
            f"Stock value below reserved quantity for {stock.tenant_article_id}.",
            f"{stock.tenant_article_id} at facility {stock.facility_id}: value {new_value} is "
            f"below the {reserved} unit(s) held by active reservations.",
        )


def require_listings(keys):
    """Stock exists only for articles listed at the facility (unknown article → 404).
    Returns {key: the listing's safety stock}."""
    keys = set(keys)
    listed = {
        (facility_id, article): safety_stock
        for facility_id, article, safety_stock in Listing.objects.filter(
            sql.stock_keys_condition(keys)
        ).values_list("facility_id", "tenant_article_id", "safety_stock")
    }
    missing = sorted(keys - set(listed), key=lambda key: (str(key[0]), key[1]))
    if missing:
        names = ", ".join(f"{article} at {facility_id}" for facility_id, article in missing[:10])
        raise NotFound("Article not listed at facility.", f"No listing for {names}.")
    return listed


def resolved_facility_id(reference, resolved):
    """The facility id `resolve_facility_ids` found for `reference`, or 404."""
    facility_id = resolved.get(str(reference))
    if facility_id is None:
        raise facility_not_found(reference)
    return facility_id


def stock_not_found(stock_id):
    return NotFound("Stock not found.", f"No stock with id {stock_id!r}.")


def delete_stock_rows(stocks, reason):
    """Delete stock rows (locked by the caller) unless active reservations hold them."""
    levels = stock_levels(stocks)
    held = [stock for stock in stocks if levels[stock.id].reserved > 0]
    if held:
        articles = ", ".join(sorted({stock.tenant_article_id for stock in held}))
        raise InvalidInput(
            f"Stock is reserved: {articles}.",
            f"{reason} Active reservations hold stock of {articles}; release them first.",
        )
    # Only expired reservations are left on these rows; they protect the foreign key.
    Reservation.objects.filter(stock__in=stocks).delete()
    Stock.objects.filter(id__in=[stock.id for stock in stocks]).delete()


@transaction.atomic
def create_stock(data):
    facility_id = resolved_facility_id(
        data["facility_reference"], resolve_facility_ids([data["facility_reference"]])
    )
    key = (facility_id, data["tenantArticleId"])
    safety_stock = require_listings([key])[key]
    stock = Stock(
        facility_id=facility_id,
        tenant_article_id=data["tenantArticleId"],
        value=data["value"],
        extra=data.get("extra", {}),
    )
    try:
        with transaction.atomic():
            stock.save(force_insert=True)
    except IntegrityError:
        raise Conflict(
            "Stock already exists.",
            f"{data['tenantArticleId']} already has stock at this facility; use PUT.",
        ) from None
    return record_stock_event(with_levels(stock, StockLevel.of(stock.value, 0, safety_stock)))


def _locked_stock(stock_id):
    stock_uuid = parse_uuid(stock_id)
    locked = lock_stocks_by_ids([stock_uuid]) if stock_uuid else []
    if not locked:
        raise stock_not_found(stock_id)
    return locked[0]


@transaction.atomic
def update_stock(stock_id, data):
    """PUT /api/stocks/{id}: set the value (optimistic `version` when sent), never below
    what active reservations hold."""
    stock = _locked_stock(stock_id)
    check_version(stock, data.get("version"))
    level = stock_levels([stock], now=clock.now())[stock.id]
    refuse_below_reserved(stock, data["value"], level.reserved)
    extra = merged_extra(stock.extra, data.get("extra"))
    changed = stock.value != data["value"] or stock.extra != extra
    if changed:
        stock.value, stock.extra = data["value"], extra
        stock.version += 1
        stock.save()
    with_levels(stock, StockLevel.of(stock.value, level.reserved, level.safety_stock))
    if changed:
        record_stock_event(stock)
    return stock


@transaction.atomic
def delete_stock(stock_id):
    delete_stock_rows([_locked_stock(stock_id)], "The stock cannot be deleted.")
