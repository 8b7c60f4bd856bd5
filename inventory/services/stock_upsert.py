"""The bulk stock upsert (PUT /api/stocks): new facility/article rows inserted first, then
every other named row locked in id order, checked against active reservations and written in
one statement (inventory/sql.py holds the statements)."""

from django.db import transaction
from django.utils import timezone

from config import clock
from config.errors import Conflict, InvalidInput, NotFound
from config.identifiers import parse_uuid
from events.services import record_stock_events
from inventory import sql
from inventory.locking import lock_stocks_by_ids_and_keys
from inventory.models import Listing
from inventory.selectors.availability import StockLevel, stock_levels, with_levels
from inventory.selectors.facilities import resolve_facility_ids
from inventory.services.changes import check_version, merged_extra
from inventory.services.stocks import (
    refuse_below_reserved,
    require_listings,
    resolved_facility_id,
    stock_not_found,
)


@transaction.atomic
def upsert_stocks(items):
    """Bulk PUT /api/stocks, all or nothing.

    Items name a stock by `id` (optionally with `version`) or by facility + article. New
    facility/article pairs are inserted with `ON CONFLICT DO NOTHING` (in a fixed key order),
    then every other affected row is locked in id order and re-checked against active
    reservations: a value below what reservations hold is refused, so an upsert racing a
    checkout can never push `available` below zero. Returns
    [(stock, "CREATED" | "UPDATED" | "UNCHANGED")]: items by id first, then items by key, each
    in request order.

    A row this transaction inserted needs no lock and no reservation check: until the commit
    no other transaction sees it (a concurrent insert of the same key waits for us), so it is
    ours alone and nothing reserves it. Only existing rows, and keys a concurrent request
    inserted first (their insert conflicted), are locked.
    """
    keyed = _items_by_key([item for item in items if not item.get("id")])
    by_stock_id = _items_by_stock_id([item for item in items if item.get("id")])
    timestamp = timezone.now()
    # Inserts first, in one global key order, before any row lock is taken: an insert may
    # wait for a concurrent insert of the same key, and holding locks while waiting could
    # deadlock with a request locking in id order.
    created, to_lock = sql.insert_new_stocks(keyed, timestamp)
    locked, locked_by_key = _lock_named_rows(by_stock_id, to_lock)
    levels = stock_levels(locked.values(), now=clock.now())
    safety_of_created = _safety_stocks(created) if created else {}

    plan = [(item, locked[stock_id]) for stock_id, item in by_stock_id.items()]
    plan += [(item, created.get(key) or locked_by_key[key]) for key, item in keyed]
    results = []
    for item, stock in plan:
        if stock.id in locked:
            status = _apply_item(stock, item, levels[stock.id], timestamp)
        else:
            key = (stock.facility_id, stock.tenant_article_id)
            with_levels(stock, StockLevel.of(stock.value, 0, safety_of_created.get(key, 0)))
            status = "CREATED"
        results.append((stock, status))
    changed = [stock for stock, status in results if status == "UPDATED"]
    if changed:
        sql.write_stock_values(changed, timestamp)
    record_stock_events(stock for stock, status in results if status != "UNCHANGED")
    return results


def _items_by_key(items):
    """[((facility_id, tenant_article_id), item)] in request order; each key at most once."""
    resolved = resolve_facility_ids({item["facility_reference"] for item in items})
    keyed = [
        (
            (resolved_facility_id(item["facility_reference"], resolved), item["tenantArticleId"]),
            item,
        )
        for item in items
    ]
    keys = [key for key, _ in keyed]
    if len(set(keys)) != len(keys):
        raise InvalidInput("stocks: the same facility and article appear twice.")
    return keyed


def _items_by_stock_id(items):
    """{stock id: item} in request order; each id at most once (a non-UUID id: 404)."""
    by_stock_id = {}
    for item in items:
        stock_id = parse_uuid(item["id"])
        if stock_id is None:
            raise stock_not_found(item["id"])
        if stock_id in by_stock_id:
            raise InvalidInput(f"stocks: id {item['id']} appears twice.")
        by_stock_id[stock_id] = item
    return by_stock_id


def _lock_named_rows(stock_ids, keys):
    """({id: Stock}, {key: Stock}) of the rows named by id or key, locked in id order; a name
    without a row is a 404, or a 409 when a concurrent request deleted it meanwhile."""
    locked = {stock.id: stock for stock in lock_stocks_by_ids_and_keys(stock_ids, keys)}
    missing_ids = [str(stock_id) for stock_id in stock_ids if stock_id not in locked]
    if missing_ids:
        raise NotFound("Stock not found.", f"No stock with id {', '.join(missing_ids)}.")
    locked_by_key = {
        (stock.facility_id, stock.tenant_article_id): stock for stock in locked.values()
    }
    absent = [key for key in keys if key not in locked_by_key]
    if absent:
        require_listings(absent)  # not inserted because not listed: 404
        raise Conflict("Stock changed concurrently.", "A stock row was deleted meanwhile; retry.")
    return locked, locked_by_key


def _safety_stocks(created):
    """{key: safety stock of its listing} for the rows this upsert inserted."""
    rows = Listing.objects.filter(sql.stock_keys_condition(created), safety_stock__gt=0)
    return {
        (facility_id, article): safety_stock
        for facility_id, article, safety_stock in rows.values_list(
            "facility_id", "tenant_article_id", "safety_stock"
        )
    }


def _apply_item(stock, item, level, timestamp):
    """Set `item`'s value and extra fields on a locked row; "UPDATED" or "UNCHANGED"."""
    check_version(stock, item.get("version"))
    refuse_below_reserved(stock, item["value"], level.reserved)
    extra = merged_extra(stock.extra, item.get("extra"))
    stock.original_extra = stock.extra
    if stock.value == item["value"] and stock.extra == extra:
        status = "UNCHANGED"
    else:
        stock.value, stock.extra = item["value"], extra
        stock.version += 1
        stock.last_modified = timestamp
        status = "UPDATED"
    with_levels(stock, StockLevel.of(stock.value, level.reserved, level.safety_stock))
    return status
