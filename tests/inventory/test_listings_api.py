"""Listings over HTTP: bulk upsert all-or-nothing, single listing read/modify/delete."""

import pytest

from inventory.models import Listing, Stock
from tests.inventory.factories import FacilityFactory, ListingFactory, StockFactory

pytestmark = pytest.mark.django_db


def upsert(api_client, facility, listings):
    return api_client.put(
        f"/api/facilities/{facility}/listings", {"listings": listings}, format="json"
    )


def test_bulk_upsert_creates_updates_and_reports_status(api_client):
    facility = FacilityFactory(tenant_facility_id="NL-AMS-01")
    items = [
        {
            "tenantArticleId": "TSHIRT-W-2468",
            "title": "T-shirt wit",
            "price": 19.95,
            "currency": "EUR",
            "outOfStockBehaviour": "BACKORDER",
            "imageUrl": "https://example.com/t.jpg",
        },
        {
            "tenantArticleId": "JEANS-B-2605",
            "title": "Jeans blauw",
            "price": 79.0,
            "currency": "EUR",
        },
    ]
    response = upsert(api_client, "NL-AMS-01", items)
    assert response.status_code == 200, response.json()
    assert [r["status"] for r in response.json()] == ["CREATED", "CREATED"]
    listing = response.json()[0]["listing"]
    assert listing["tenantArticleId"] == "TSHIRT-W-2468"
    assert listing["title"] == "T-shirt wit" and listing["price"] == 19.95
    assert listing["currency"] == "EUR" and listing["outOfStockBehaviour"] == "BACKORDER"
    assert listing["status"] == "ACTIVE" and listing["facilityId"] == str(facility.id)
    assert listing["imageUrl"] == "https://example.com/t.jpg"

    again = upsert(api_client, facility.id, [items[0], {**items[1], "price": 69.0}]).json()
    assert [r["status"] for r in again] == ["UNCHANGED", "UPDATED"]
    assert again[1]["listing"]["version"] == 2

    single = api_client.get("/api/facilities/NL-AMS-01/listings/JEANS-B-2605").json()
    assert single["price"] == 69.0


def test_bulk_upsert_is_all_or_nothing(api_client):
    facility = FacilityFactory()
    response = upsert(
        api_client,
        facility.id,
        [
            {"tenantArticleId": "A-1", "title": "ok"},
            {"tenantArticleId": "A-2", "outOfStockBehaviour": "SOMETIMES"},
        ],
    )
    assert response.status_code == 400
    assert "listings[1].outOfStockBehaviour" in response.json()[0]["summary"]
    assert not Listing.objects.exists()

    duplicate = upsert(
        api_client, facility.id, [{"tenantArticleId": "A"}, {"tenantArticleId": "A"}]
    )
    assert duplicate.status_code == 400
    assert not Listing.objects.exists()


def test_list_listings_filters_and_query_count(api_client, django_assert_max_num_queries):
    facility = FacilityFactory()
    ListingFactory.create_batch(10, facility=facility)
    ListingFactory(facility=facility, tenant_article_id="WANTED")
    with django_assert_max_num_queries(6):
        body = api_client.get(f"/api/facilities/{facility.id}/listings?size=5").json()
    assert body["total"] == 11 and len(body["listings"]) == 5
    wanted = api_client.get(
        f"/api/facilities/{facility.id}/listings?tenantArticleIds=WANTED"
    ).json()
    assert [item["tenantArticleId"] for item in wanted["listings"]] == ["WANTED"]


def test_patch_listing_actions_and_version(api_client):
    listing = ListingFactory(tenant_article_id="SNEAK-W-4891")
    path = f"/api/facilities/{listing.facility_id}/listings/SNEAK-W-4891"
    response = api_client.patch(
        path,
        {
            "version": 1,
            "actions": [{"action": "ModifyListing", "price": 99.5, "status": "INACTIVE"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()[0]["price"] == 99.5 and response.json()[0]["status"] == "INACTIVE"
    stale = api_client.patch(
        path, {"version": 1, "actions": [{"action": "ModifyListing", "price": 1}]}, format="json"
    )
    assert stale.status_code == 409
    listing.refresh_from_db()
    assert float(listing.price) == 99.5


def test_unknown_listing_and_facility_are_404(api_client):
    facility = FacilityFactory()
    assert api_client.get(f"/api/facilities/{facility.id}/listings/NOPE").status_code == 404
    assert api_client.get("/api/facilities/NOPE/listings").status_code == 404


def test_delete_listing_deletes_its_stock(api_client):
    listing = ListingFactory()
    StockFactory(facility=listing.facility, tenant_article_id=listing.tenant_article_id)
    response = api_client.delete(
        f"/api/facilities/{listing.facility_id}/listings/{listing.tenant_article_id}"
    )
    assert response.status_code == 200
    assert not Listing.objects.exists() and not Stock.objects.exists()


def test_delete_all_listings_of_a_facility(api_client):
    facility = FacilityFactory()
    ListingFactory.create_batch(3, facility=facility)
    other = ListingFactory()
    assert api_client.delete(f"/api/facilities/{facility.id}/listings").status_code == 200
    assert list(Listing.objects.all()) == [other]
