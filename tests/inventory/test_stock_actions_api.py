"""POST /api/stocks/actions: delete by locations, products or ids, move to a location, and the
versionless upsert, with the reference's `StockActionResult`; stock that active reservations
hold is never deleted."""

import pytest

from inventory.models import Stock
from inventory.services.reservations import Allocation, reserve_stock
from tests.conftest import make_token_client
from tests.inventory.factories import FacilityFactory, ListingFactory, StockFactory

pytestmark = pytest.mark.django_db


def listed_stock(facility, article, value, **extra):
    ListingFactory(facility=facility, tenant_article_id=article)
    return StockFactory(facility=facility, tenant_article_id=article, value=value, extra=extra)


def act(client, action):
    return client.post("/api/stocks/actions", {"action": action}, format="json")


def done(response):
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.fixture
def store():
    return FacilityFactory(tenant_facility_id="AMS-01")


def test_delete_by_locations_deletes_only_the_stock_there(api_client, store):
    first = listed_stock(store, "TSHIRT", 4, locationRef="A-01")
    second = listed_stock(store, "JEANS", 2, locationRef="A-02")
    kept = listed_stock(store, "SNEAK", 1, locationRef="B-01")

    body = done(act(api_client, {"name": "DELETE_BY_LOCATIONS", "locationRefs": ["A-01", "A-02"]}))

    assert body["name"] == "DELETE_BY_LOCATIONS"
    assert sorted(body["result"]["ids"]) == sorted([str(first.id), str(second.id)])
    assert list(Stock.objects.values_list("id", flat=True)) == [kept.id]


def test_delete_by_products_and_by_ids(api_client, store):
    shirt = listed_stock(store, "TSHIRT", 4)
    jeans = listed_stock(store, "JEANS", 2)
    elsewhere = listed_stock(FacilityFactory(), "TSHIRT", 3)

    by_products = done(
        act(
            api_client,
            {"name": "DELETE_BY_PRODUCTS", "facilityRef": "AMS-01", "tenantArticleIds": ["TSHIRT"]},
        )
    )
    by_ids = done(
        act(api_client, {"name": "DELETE_BY_IDS", "ids": [str(jeans.id), "nope", str(shirt.id)]})
    )

    assert by_products["result"] == {"ids": [str(shirt.id)]}
    assert by_ids["result"] == {"ids": [str(jeans.id)]}  # the shirt was gone already
    assert list(Stock.objects.values_list("id", flat=True)) == [elsewhere.id]


def test_reserved_stock_is_not_deleted(api_client, store):
    stock = listed_stock(store, "TSHIRT", 4, locationRef="A-01")
    reserve_stock([Allocation(store.id, "TSHIRT", 1)], valid_until=None)

    response = act(api_client, {"name": "DELETE_BY_LOCATIONS", "locationRefs": ["A-01"]})

    assert response.status_code == 400
    assert response.json()[0]["summary"] == "Stock is reserved: TSHIRT."
    assert Stock.objects.filter(id=stock.id).exists()


def test_move_to_location_relocates_the_whole_stock(api_client, store):
    stock = listed_stock(store, "TSHIRT", 4, locationRef="A-01")
    reserve_stock([Allocation(store.id, "TSHIRT", 1)], valid_until=None)

    body = done(
        act(
            api_client,
            {
                "name": "MOVE_TO_LOCATION",
                "fromStockId": str(stock.id),
                "toLocationRef": "B-07",
                "amount": 4,
                "options": {"deleteFromStockIfZero": True},
            },
        )
    )

    moved = body["result"]["toStock"]
    assert (moved["id"], moved["locationRef"], moved["value"]) == (str(stock.id), "B-07", 4)
    assert (moved["reserved"], moved["available"], moved["version"]) == (1, 3, 2)
    stock.refresh_from_db()
    assert stock.extra["locationRef"] == "B-07"


@pytest.mark.parametrize(
    ("amount", "status", "summary"),
    [
        (2, 422, "Moving part of a stock is not supported."),
        (5, 400, "amount: 5 is more than the stock's value (4)."),
        (1.5, 400, "amount: Expected a whole number of units above 0."),
        (0, 400, "amount: Expected a whole number of units above 0."),
    ],
)
def test_move_to_location_refuses_what_it_cannot_do(api_client, store, amount, status, summary):
    stock = listed_stock(store, "TSHIRT", 4, locationRef="A-01")

    response = act(
        api_client,
        {
            "name": "MOVE_TO_LOCATION",
            "fromStockId": str(stock.id),
            "toLocationRef": "B",
            "amount": amount,
        },
    )

    assert response.status_code == status
    assert response.json()[0]["summary"] == summary
    stock.refresh_from_db()
    assert stock.extra["locationRef"] == "A-01"


def test_versionless_upsert_creates_and_updates_without_versions(api_client, store):
    existing = listed_stock(store, "TSHIRT", 4)
    ListingFactory(facility=store, tenant_article_id="JEANS")

    body = done(
        act(
            api_client,
            {
                "name": "UPDATE_VERSIONLESS",
                "stocks": [
                    {
                        "operationType": "UPDATE",
                        "id": str(existing.id),
                        "value": 9,
                        "locationRef": "C-3",
                    },
                    {
                        "operationType": "CREATE",
                        "facility": {"tenantFacilityId": "AMS-01"},
                        "tenantArticleId": "JEANS",
                        "value": 2,
                    },
                ],
            },
        )
    )

    results = body["result"]["operationResults"]
    assert [(r["status"], r["stock"]["tenantArticleId"], r["stock"]["value"]) for r in results] == [
        ("UPDATED", "TSHIRT", 9),
        ("CREATED", "JEANS", 2),
    ]
    assert results[0]["stock"]["locationRef"] == "C-3" and results[0]["stock"]["version"] == 2


@pytest.mark.parametrize(
    ("body", "summary"),
    [
        (
            {
                "action": {
                    "name": "UPDATE_VERSIONLESS",
                    "stocks": [{"operationType": "UPDATE", "value": 1}],
                }
            },
            "id",
        ),
        (
            {
                "action": {
                    "name": "UPDATE_VERSIONLESS",
                    "stocks": [{"id": "x", "value": 1, "version": 2, "operationType": "UPDATE"}],
                }
            },
            "version",
        ),
        ({"action": {"name": "SHRED"}}, "Unsupported action 'SHRED'"),
        ({"action": {"name": {"DELETE_BY_IDS": 1}}}, "Unsupported action a JSON dict"),
        ({"actions": [{"name": "DELETE_BY_IDS", "ids": []}]}, "actions: Deprecated"),
        ({}, "action: This field is required."),
    ],
)
def test_bad_actions_are_400(api_client, body, summary):
    response = api_client.post("/api/stocks/actions", body, format="json")

    assert response.status_code == 400
    assert summary in response.json()[0]["summary"]


def test_each_action_needs_its_own_permission(store):
    stock = listed_stock(store, "TSHIRT", 4)
    changer = make_token_client("changer", ["inventory.change_stock", "inventory.view_stock"])
    delete = {"name": "DELETE_BY_IDS", "ids": [str(stock.id)]}
    move = {
        "name": "MOVE_TO_LOCATION",
        "fromStockId": str(stock.id),
        "toLocationRef": "B",
        "amount": 4,
    }

    assert act(changer, delete).status_code == 403
    assert act(changer, move).status_code == 200
    assert Stock.objects.filter(id=stock.id).exists()
