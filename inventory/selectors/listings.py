"""Listings: which articles a facility offers, on what terms."""

from config.errors import NotFound
from inventory.models import Listing
from inventory.selectors.pages import after


def list_listings(
    facility, *, tenant_article_ids=(), scannable_code=None, start_after_id=None, size=25
):
    listings = Listing.objects.filter(facility=facility)
    if tenant_article_ids:
        listings = listings.filter(tenant_article_id__in=tenant_article_ids)
    if scannable_code:
        # Text match on the JSON list: portable across SQLite and PostgreSQL.
        listings = listings.filter(extra__scannableCodes__icontains=f'"{scannable_code}"')
    total = listings.count()
    return list(after(listings, Listing, start_after_id).order_by("id")[:size]), total


def get_listing(facility, tenant_article_id):
    listing = Listing.objects.filter(facility=facility, tenant_article_id=tenant_article_id).first()
    if listing is None:
        raise NotFound(
            "Listing not found.",
            f"Article {tenant_article_id!r} is not listed at facility {facility.id}.",
        )
    return listing
