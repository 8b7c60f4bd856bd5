"""Listing writes: the bulk upsert (PUT), modify (PATCH) and delete, one or all of a facility;
a listing's partial stocks. Deleting a listing deletes the facility's stock of the article
too."""

from collections import Counter

from django.db import transaction
from django.utils import timezone

from config.errors import InvalidInput, NotFound
from inventory import sql
from inventory.locking import lock_stocks, lock_stocks_by_ids
from inventory.models import Listing, ListingStatus, OutOfStockBehaviour, Stock
from inventory.selectors.facilities import resolve_facility, resolve_facility_ids
from inventory.selectors.listings import get_listing
from inventory.services.changes import apply_fields, check_version, merged_extra
from inventory.services.stocks import delete_stock_rows, resolved_facility_id

LISTING_DEFAULTS = {
    "title": "",
    "price": None,
    "currency": "",
    "out_of_stock_behaviour": OutOfStockBehaviour.NONE,
    "status": ListingStatus.ACTIVE,
    "safety_stock": 0,
}


def _listing_state(listing):
    return (*(getattr(listing, name) for name in LISTING_DEFAULTS), listing.extra)


def _apply_listing(listing, data, *, replace):
    """Returns True when something changed."""
    before = _listing_state(listing)
    apply_fields(listing, data, LISTING_DEFAULTS, replace=replace)
    listing.extra = merged_extra({} if replace else listing.extra, data.get("extra"))
    return before != _listing_state(listing)


def upsert_listings(facility_reference, items):
    """Bulk PUT of one facility's listings (see `upsert_listings_at`)."""
    return upsert_listings_at([(facility_reference, item) for item in items])


@transaction.atomic
def upsert_listings_at(targets):
    """Create or replace the listing of each (facility reference, item), all or nothing
    (PUT /api/facilities/{facilityId}/listings and PUT /api/listings).

    Returns [(listing, "CREATED" | "UPDATED" | "UNCHANGED")] in request order.
    """
    resolved = resolve_facility_ids({reference for reference, _ in targets})
    keyed = [
        ((resolved_facility_id(reference, resolved), item["tenant_article_id"]), item)
        for reference, item in targets
    ]
    keys = [key for key, _ in keyed]
    counts = Counter(keys)
    duplicates = sorted({article for (_, article), count in counts.items() if count > 1})
    if duplicates:
        raise InvalidInput(f"listings: tenantArticleId sent twice: {', '.join(duplicates)}.")
    existing = {
        (listing.facility_id, listing.tenant_article_id): listing
        for listing in Listing.objects.select_for_update()
        .filter(sql.stock_keys_condition(keys))
        .order_by("id")
    }
    now = timezone.now()
    results = [_upserted_listing(key, existing, item, now) for key, item in keyed]
    Listing.objects.bulk_create([listing for listing, status in results if status == "CREATED"])
    Listing.objects.bulk_update(
        [listing for listing, status in results if status == "UPDATED"],
        [*LISTING_DEFAULTS, "extra", "version", "last_modified"],
    )
    return results


def _upserted_listing(key, existing, item, now):
    """(the listing `item` creates or replaces at `key` (facility id, article), unsaved, and
    its status)."""
    listing = existing.get(key)
    if listing is None:
        if item.get("version") is not None:
            raise NotFound(
                "Listing not found.",
                f"{item['tenant_article_id']}: a version was sent for a listing that does "
                "not exist.",
            )
        listing = Listing(facility_id=key[0], tenant_article_id=key[1])
        _apply_listing(listing, item, replace=True)
        listing.created = listing.last_modified = now
        return listing, "CREATED"
    check_version(listing, item.get("version"))
    if not _apply_listing(listing, item, replace=True):
        return listing, "UNCHANGED"
    listing.version += 1
    listing.last_modified = now
    return listing, "UPDATED"


@transaction.atomic
def modify_listing(facility_reference, tenant_article_id, version, actions):
    listing = get_listing(resolve_facility(facility_reference), tenant_article_id)
    listing = Listing.objects.select_for_update().get(id=listing.id)
    check_version(listing, version)
    for action in actions:
        _apply_listing(listing, action, replace=False)
    listing.version += 1
    listing.save()
    return listing


@transaction.atomic
def delete_listing(facility_reference, tenant_article_id):
    """Deleting a listing also deletes the facility's stock of that article (stock exists only
    for listed articles); refused while active reservations hold that stock."""
    facility = resolve_facility(facility_reference)
    listing = get_listing(facility, tenant_article_id)
    stocks = lock_stocks([(facility.id, tenant_article_id)])
    delete_stock_rows(list(stocks.values()), "The listing's stock cannot be deleted.")
    listing.delete()


@transaction.atomic
def delete_listings(facility_reference):
    facility = resolve_facility(facility_reference)
    stock_ids = Stock.objects.filter(facility=facility).values_list("id", flat=True)
    stocks = lock_stocks_by_ids(list(stock_ids))
    delete_stock_rows(stocks, "The listings' stock cannot be deleted.")
    Listing.objects.filter(facility=facility).delete()


# --- Partial stocks: stored on the listing, echoed, no behaviour of their own ----------------


def _locked_listing(facility_reference, tenant_article_id):
    listing = get_listing(resolve_facility(facility_reference), tenant_article_id)
    return Listing.objects.select_for_update().get(id=listing.id)


def _save_partial_stocks(listing, partial_stocks):
    listing.extra = merged_extra(listing.extra, {"partialStocks": partial_stocks or None})
    listing.version += 1
    listing.save()
    return listing


@transaction.atomic
def replace_partial_stocks(facility_reference, tenant_article_id, version, partial_stocks):
    """PUT …/partialstocks: the listing's partial stocks become `partial_stocks`."""
    listing = _locked_listing(facility_reference, tenant_article_id)
    check_version(listing, version)
    return _save_partial_stocks(listing, partial_stocks)


@transaction.atomic
def merge_partial_stocks(facility_reference, tenant_article_id, version, partial_stocks):
    """PATCH …/partialstocks: a partial stock sent is added, or merged into the stored one of
    its tenantPartialStockId; the others stay as they are."""
    listing = _locked_listing(facility_reference, tenant_article_id)
    check_version(listing, version)
    stored = {
        partial_stock["tenantPartialStockId"]: partial_stock
        for partial_stock in listing.extra.get("partialStocks") or []
    }
    for partial_stock in partial_stocks:
        identifier = partial_stock["tenantPartialStockId"]
        stored[identifier] = {**stored.get(identifier, {}), **partial_stock}
    return _save_partial_stocks(listing, list(stored.values()))


@transaction.atomic
def delete_partial_stocks(facility_reference, tenant_article_id):
    listing = _locked_listing(facility_reference, tenant_article_id)
    if listing.extra.get("partialStocks"):
        _save_partial_stocks(listing, [])
    return listing
