"""Listings across facilities (PUT /api/listings, POST /api/listings/search) and a listing's
partial stocks (/api/facilities/{facilityId}/listings/{tenantArticleId}/partialstocks)."""

import pytest

from inventory.models import Listing
from tests.inventory.factories import FacilityFactory, ListingFactory

pytestmark = pytest.mark.django_db


def bulk(client, listings):
    return client.put("/api/listings", {"listings": listings}, format="json")


@pytest.fixture
def facilities():
    return FacilityFactory(tenant_facility_id="AMS-01"), FacilityFactory(
        tenant_facility_id="UTR-01"
    )


def test_bulk_upsert_by_facility_and_by_selector(api_client, facilities):
    amsterdam, utrecht = facilities
    ListingFactory(facility=utrecht, tenant_article_id="JEANS", title="Jeans")

    response = bulk(
        api_client,
        [
            {
                "targetingStrategy": "SINGLE_FACILITY",
                "facility": {"tenantFacilityId": "AMS-01"},
                "tenantArticleId": "TSHIRT",
                "title": "T-shirt",
                "price": 19.95,
                "safetyStock": 2,
            },
            {
                "targetingStrategy": "MULTI_SELECTOR",
                "selector": [
                    {"facility": {"facilityRef": str(amsterdam.id)}},
                    {"facility": {"tenantFacilityId": "UTR-01"}, "version": 1},
                ],
                "tenantArticleId": "JEANS",
                "title": "Jeans blauw",
            },
        ],
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["summary"] == {"created": 2, "updated": 1, "unchanged": 0}
    assert [(item["status"], item["result"]["tenantArticleId"]) for item in body["listings"]] == [
        ("CREATED", "TSHIRT"),
        ("CREATED", "JEANS"),
        ("UPDATED", "JEANS"),
    ]
    assert body["listings"][0]["result"]["safetyStock"] == 2
    assert body["listings"][2]["result"]["facilityId"] == str(utrecht.id)
    assert Listing.objects.get(facility=utrecht, tenant_article_id="JEANS").title == "Jeans blauw"

    again = bulk(
        api_client,
        [
            {
                "targetingStrategy": "SINGLE_FACILITY",
                "facility": {"tenantFacilityId": "AMS-01"},
                "tenantArticleId": "TSHIRT",
                "title": "T-shirt",
                "price": 19.95,
                "safetyStock": 2,
            }
        ],
    )
    assert again.json()["summary"] == {"created": 0, "updated": 0, "unchanged": 1}


@pytest.mark.parametrize(
    ("entry", "status", "summary"),
    [
        (
            {"targetingStrategy": "SINGLE_FACILITY", "tenantArticleId": "A", "title": "A"},
            400,
            "facility",
        ),
        (
            {
                "targetingStrategy": "SINGLE_FACILITY",
                "facility": {"tenantFacilityId": "AMS-01"},
                "tenantArticleId": "A",
            },
            400,
            "title",
        ),
        (
            {
                "targetingStrategy": "MULTI_SELECTOR",
                "tenantArticleId": "A",
                "title": "A",
                "selector": [],
            },
            400,
            "selector",
        ),
        (
            {
                "targetingStrategy": "SINGLE_FACILITY",
                "facility": {"tenantFacilityId": "NOPE"},
                "tenantArticleId": "A",
                "title": "A",
            },
            404,
            "Facility not found.",
        ),
        (
            {
                "targetingStrategy": "SINGLE_FACILITY",
                "facility": {"tenantFacilityId": "AMS-01"},
                "tenantArticleId": "A",
                "title": "A",
                "version": 3,
            },
            404,
            "Listing not found.",
        ),
        (
            {
                "targetingStrategy": "SINGLE_FACILITY",
                "facility": {"facilityRef": "x", "tenantFacilityId": "y"},
                "tenantArticleId": "A",
                "title": "A",
            },
            400,
            "facility",
        ),
    ],
)
def test_bad_bulk_upserts_change_nothing(api_client, facilities, entry, status, summary):
    response = bulk(api_client, [entry])

    assert response.status_code == status
    assert summary in response.json()[0]["summary"]
    assert not Listing.objects.exists()


def test_bulk_upsert_takes_at_most_25_facility_listings(api_client, facilities):
    entry = {
        "targetingStrategy": "MULTI_SELECTOR",
        "selector": [{"facility": {"tenantFacilityId": "AMS-01"}}] * 13,
        "title": "A",
    }

    response = bulk(
        api_client, [{**entry, "tenantArticleId": "A"}, {**entry, "tenantArticleId": "B"}]
    )

    assert response.status_code == 400
    assert "at most 25" in response.json()[0]["summary"]


def test_a_stale_version_is_a_conflict(api_client, facilities):
    listing = ListingFactory(facility=facilities[0], tenant_article_id="A")
    listing.version = 4
    listing.save()

    response = bulk(
        api_client,
        [
            {
                "targetingStrategy": "SINGLE_FACILITY",
                "facility": {"tenantFacilityId": "AMS-01"},
                "tenantArticleId": "A",
                "title": "A",
                "version": 3,
            }
        ],
    )

    assert response.status_code == 409
    assert response.json()[0]["version"] == 4


def test_listing_search(api_client, facilities):
    amsterdam, utrecht = facilities
    ListingFactory(
        facility=amsterdam, tenant_article_id="TSHIRT", out_of_stock_behaviour="BACKORDER"
    )
    ListingFactory(facility=amsterdam, tenant_article_id="JEANS", status="INACTIVE")
    ListingFactory(facility=utrecht, tenant_article_id="TSHIRT", price="5.00")

    def articles(query, **payload):
        response = api_client.post(
            "/api/listings/search", {"query": query, **payload}, format="json"
        )
        assert response.status_code == 200, response.json()
        return [
            (item["tenantArticleId"], item["facilityId"]) for item in response.json()["listings"]
        ]

    assert articles({"status": {"eq": "INACTIVE"}}) == [("JEANS", str(amsterdam.id))]
    assert articles({"outOfStockBehaviour": {"in": ["BACKORDER", "PREORDER"]}}) == [
        ("TSHIRT", str(amsterdam.id))
    ]
    assert articles({"price": {"lt": 10}}) == [("TSHIRT", str(utrecht.id))]
    assert len(articles({"price": {"lt": 1e15}})) == 3
    assert articles(
        {"facilityRef": {"eq": str(amsterdam.id)}}, sort=[{"tenantArticleId": "ASC"}]
    ) == [
        ("JEANS", str(amsterdam.id)),
        ("TSHIRT", str(amsterdam.id)),
    ]
    refused = api_client.post(
        "/api/listings/search", {"query": {"tags": {"exists": True}}}, format="json"
    )
    assert refused.status_code == 400 and "Searching by tags" in refused.json()[0]["summary"]


def partial_stock(identifier, units, **fields):
    return {"tenantPartialStockId": identifier, "stockinformation": {"stock": units}, **fields}


def test_partial_stocks_are_replaced_merged_read_and_deleted(api_client, facilities):
    listing = ListingFactory(facility=facilities[0], tenant_article_id="TSHIRT")
    url = "/api/facilities/AMS-01/listings/TSHIRT/partialstocks"

    put = api_client.put(
        url,
        {"version": 1, "partialStocks": [partial_stock("SHELF", 3), partial_stock("BACK", 2)]},
        format="json",
    )
    patch = api_client.patch(
        url,
        {
            "version": 2,
            "actions": [
                {
                    "action": "ModifyPartialStock",
                    "partialStocks": [
                        partial_stock("BACK", 5, location={"locationRef": "B-1"}),
                        partial_stock("WINDOW", 1),
                    ],
                }
            ],
        },
        format="json",
    )
    read = api_client.get(url)

    assert put.status_code == patch.status_code == read.status_code == 200
    assert {item["tenantPartialStockId"]: item["stockinformation"] for item in read.json()} == {
        "SHELF": {"stock": 3, "reserved": 0, "available": 3},
        "BACK": {"stock": 5, "reserved": 0, "available": 5},
        "WINDOW": {"stock": 1, "reserved": 0, "available": 1},
    }
    assert read.json()[1]["location"] == {"locationRef": "B-1"}
    listing.refresh_from_db()
    assert listing.version == 3

    stale = api_client.put(
        url, {"version": 1, "partialStocks": [partial_stock("X", 1)]}, format="json"
    )
    assert stale.status_code == 409
    assert api_client.delete(url).status_code == 200
    assert api_client.get(url).json() == []


@pytest.mark.parametrize(
    "body",
    [
        {"version": 1, "partialStocks": []},
        {"version": 1, "partialStocks": [{"tenantPartialStockId": "A"}]},
        {"version": 1, "partialStocks": [partial_stock("A", 1), partial_stock("A", 2)]},
        {"partialStocks": [partial_stock("A", 1)]},
    ],
)
def test_bad_partial_stocks_are_400(api_client, facilities, body):
    ListingFactory(facility=facilities[0], tenant_article_id="TSHIRT")

    response = api_client.put(
        "/api/facilities/AMS-01/listings/TSHIRT/partialstocks", body, format="json"
    )

    assert response.status_code == 400


def test_partial_stocks_of_an_unknown_listing_are_404(api_client, facilities):
    response = api_client.get("/api/facilities/AMS-01/listings/NOPE/partialstocks")

    assert response.status_code == 404
