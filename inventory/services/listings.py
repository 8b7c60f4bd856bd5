"""Listing writes: the bulk upsert (PUT), modify (PATCH) and delete, one or all of a facility.
Deleting a listing deletes the facility's stock of the article too."""

from django.db import transaction
from django.utils import timezone

from config.errors import InvalidInput, NotFound
from inventory.locking import lock_stocks, lock_stocks_by_ids
from inventory.models import Listing, ListingStatus, OutOfStockBehaviour, Stock
from inventory.selectors.facilities import resolve_facility
from inventory.selectors.listings import get_listing
from inventory.services.changes import apply_fields, check_version, merged_extra
from inventory.services.stocks import delete_stock_rows

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


@transaction.atomic
def upsert_listings(facility_reference, items):
    """Bulk PUT: create or replace every listing, all or nothing.

    Returns [(listing, "CREATED" | "UPDATED" | "UNCHANGED")] in request order.
    """
    facility = resolve_facility(facility_reference)
    article_ids = [item["tenant_article_id"] for item in items]
    duplicates = sorted({a for a in article_ids if article_ids.count(a) > 1})
    if duplicates:
        raise InvalidInput(f"listings: tenantArticleId sent twice: {', '.join(duplicates)}.")
    existing = {
        listing.tenant_article_id: listing
        for listing in Listing.objects.select_for_update()
        .filter(facility=facility, tenant_article_id__in=article_ids)
        .order_by("id")
    }
    now = timezone.now()
    results = [_upserted_listing(facility, existing, item, now) for item in items]
    Listing.objects.bulk_create([listing for listing, status in results if status == "CREATED"])
    Listing.objects.bulk_update(
        [listing for listing, status in results if status == "UPDATED"],
        [*LISTING_DEFAULTS, "extra", "version", "last_modified"],
    )
    return results


def _upserted_listing(facility, existing, item, now):
    """(the listing `item` creates or replaces, unsaved, and its status)."""
    listing = existing.get(item["tenant_article_id"])
    if listing is None:
        if item.get("version") is not None:
            raise NotFound(
                "Listing not found.",
                f"{item['tenant_article_id']}: a version was sent for a listing that does "
                "not exist.",
            )
        listing = Listing(facility=facility, tenant_article_id=item["tenant_article_id"])
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
