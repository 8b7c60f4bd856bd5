"""POST /api/stocks/search, /api/reservations/search and /api/listings/search: the reference's
query operators, nested and/or, sorts and cursor pagination; filters we cannot answer are
refused with a 400 that says so."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inventory.models import Stock
from inventory.services.reservations import Allocation, reserve_stock
from orders.models import Order, OrderLineItem
from tests.inventory.factories import FacilityFactory, ListingFactory, StockFactory

pytestmark = pytest.mark.django_db


def listed_stock(facility, article, value, **extra):
    ListingFactory(facility=facility, tenant_article_id=article)
    return StockFactory(facility=facility, tenant_article_id=article, value=value, extra=extra)


def search(client, entity, body):
    response = client.post(f"/api/{entity}/search", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.fixture
def stocks():
    amsterdam = FacilityFactory(tenant_facility_id="AMS-01")
    utrecht = FacilityFactory(tenant_facility_id="UTR-01")
    return {
        "shirt_ams": listed_stock(amsterdam, "TSHIRT", 5, locationRef="A-01"),
        "jeans_ams": listed_stock(amsterdam, "JEANS", 0, locationRef="A-02"),
        "shirt_utr": listed_stock(utrecht, "TSHIRT", 12, tenantStockId="UTR-SHIRT"),
        "sneak_utr": listed_stock(utrecht, "SNEAK", 3),
        "amsterdam": amsterdam,
        "utrecht": utrecht,
    }


def found(body, entity="stocks"):
    return sorted(item["tenantArticleId"] + "@" + item["facilityRef"][:4] for item in body[entity])


def ids(body, entity="stocks"):
    return [item["id"] for item in body[entity]]


def test_stock_search_operators(api_client, stocks):
    ams, utr = str(stocks["amsterdam"].id), str(stocks["utrecht"].id)

    def articles(query, **payload):
        body = search(api_client, "stocks", {"query": query, **payload})
        return sorted((item["tenantArticleId"], item["facilityRef"]) for item in body["stocks"])

    assert articles({"tenantArticleId": {"eq": "TSHIRT"}}) == sorted(
        [("TSHIRT", ams), ("TSHIRT", utr)]
    )
    assert articles({"facilityRef": {"eq": ams}, "value": {"gt": 0}}) == [("TSHIRT", ams)]
    assert articles(
        {"tenantFacilityId": {"in": ["UTR-01"]}, "tenantArticleId": {"notEq": "SNEAK"}}
    ) == [("TSHIRT", utr)]
    assert articles({"value": {"gte": 3, "lt": 12}}) == sorted([("SNEAK", utr), ("TSHIRT", ams)])
    # 4.5 is no stock value: eq finds nothing, gt means ≥ 5.
    assert articles({"value": {"eq": 4.5}}) == []
    assert articles({"value": {"gt": 4.5}}) == sorted([("TSHIRT", ams), ("TSHIRT", utr)])
    # Beyond what a stock value can be: no row, or every row, never a database error.
    assert articles({"value": {"eq": 1e12}}) == articles({"value": {"gt": 1e12}}) == []
    assert (
        len(articles({"value": {"lt": 1e12, "gte": -1e12}, "or": [{"value": {"notEq": 1e12}}]}))
        == 4
    )
    assert articles({"locationRef": {"eq": "A-02"}}) == [("JEANS", ams)]
    assert articles({"tenantStockId": {"in": ["UTR-SHIRT", "NOPE"]}}) == [("TSHIRT", utr)]
    assert articles(
        {"or": [{"locationRef": {"eq": "A-01"}}, {"tenantArticleId": {"eq": "SNEAK"}}]}
    ) == sorted([("SNEAK", utr), ("TSHIRT", ams)])
    assert articles({"and": [{"facilityRef": {"notIn": [ams]}}, {"value": {"notIn": [12]}}]}) == [
        ("SNEAK", utr)
    ]
    assert articles({"tenantFacilityId": {"eq": "NOPE"}}) == []
    assert len(articles({"tenantFacilityId": {"notEq": "NOPE"}})) == 4
    assert len(articles({"tenantFacilityId": {"notIn": ["AMS-01", "NOPE"]}})) == 2
    # A facilityRef that is no id names no facility; not equal to it is every stock.
    assert articles({"facilityRef": {"eq": "AMS-01"}}) == []
    assert len(articles({"facilityRef": {"notEq": "AMS-01"}})) == 4
    assert len(articles({})) == 4


def test_stock_search_renders_stocks_with_their_levels(api_client, stocks):
    shirt = stocks["shirt_utr"]
    reserve_stock(
        [Allocation(shirt.facility_id, "TSHIRT", 4)],
        valid_until=timezone.now() + timedelta(hours=1),
    )

    body = search(
        api_client,
        "stocks",
        {"query": {"id": {"eq": str(shirt.id)}}, "options": {"withTotal": True}},
    )

    assert body["total"] == 1
    [stock] = body["stocks"]
    assert (stock["value"], stock["reserved"], stock["available"]) == (12, 4, 8)
    assert stock["facility"] == {
        "facilityRef": str(shirt.facility_id),
        "tenantFacilityId": "UTR-01",
    }
    assert stock["tenantStockId"] == "UTR-SHIRT"


def test_stock_search_pages_with_cursors_in_either_direction(api_client, stocks):
    query = {"query": {}, "sort": [{"value": "DESC"}]}
    first = search(api_client, "stocks", {**query, "size": 3})
    assert [stock["value"] for stock in first["stocks"]] == [12, 5, 3]
    assert first["pageInfo"]["hasNextPage"] and not first["pageInfo"]["hasPreviousPage"]
    assert "total" not in first

    second = search(
        api_client, "stocks", {**query, "size": 3, "after": first["pageInfo"]["endCursor"]}
    )
    assert [stock["value"] for stock in second["stocks"]] == [0]
    assert not second["pageInfo"]["hasNextPage"] and second["pageInfo"]["hasPreviousPage"]

    back = search(
        api_client, "stocks", {**query, "last": 2, "before": second["pageInfo"]["startCursor"]}
    )
    assert [stock["value"] for stock in back["stocks"]] == [5, 3]
    assert back["pageInfo"]["hasNextPage"] and back["pageInfo"]["hasPreviousPage"]

    # By default in article order (then id); startAfterId continues after the stock it names.
    first_two = search(api_client, "stocks", {"query": {}, "size": 2})
    rest = search(
        api_client, "stocks", {"query": {}, "startAfterId": first_two["stocks"][-1]["id"]}
    )
    in_order = first_two["stocks"] + rest["stocks"]
    keys = [(stock["tenantArticleId"], stock["id"]) for stock in in_order]
    assert keys == sorted(keys) and len(keys) == 4
    assert [stock["tenantArticleId"] for stock in in_order] == [
        "JEANS",
        "SNEAK",
        "TSHIRT",
        "TSHIRT",
    ]


def all_pages(client, body):
    """Every stock of a search, page after page of 2, and the last page read backwards."""
    rows, after = [], {}
    while True:
        page = search(client, "stocks", {**body, "size": 2, **after})
        rows += page["stocks"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = {"after": page["pageInfo"]["endCursor"]}
    before = search(
        client, "stocks", {**body, "last": 2, "before": page["pageInfo"]["startCursor"]}
    )
    return rows, before["stocks"]


def test_a_facilitys_stock_pages_in_value_and_last_modified_order(api_client, stocks):
    """A search naming its facility sorts that facility's rows instead of walking the sort
    index: the same order, and cursors, as over all stock."""
    amsterdam = stocks["amsterdam"]
    for article, value in (("SOCKS", 5), ("CAP", 9), ("BELT", 5)):
        listed_stock(amsterdam, article, value)
    held = Stock.objects.filter(facility=amsterdam)
    by_value = sorted(held, key=lambda stock: (stock.value, str(stock.id)), reverse=True)
    by_change = sorted(held, key=lambda stock: (stock.last_modified, str(stock.id)))

    for sort, expected in (({"value": "DESC"}, by_value), ({"lastModified": "ASC"}, by_change)):
        body = {"query": {"facilityRef": {"eq": str(amsterdam.id)}}, "sort": [sort]}
        rows, before_last_page = all_pages(api_client, body)

        assert ids({"stocks": rows}) == [str(stock.id) for stock in expected]
        assert ids({"stocks": before_last_page}) == [str(stock.id) for stock in expected[2:4]]
    assert [stock.value for stock in by_value] == [9, 5, 5, 5, 0]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"query": {"receiptDate": {"gt": "2026-01-01T00:00:00Z"}}}, "Searching by receiptDate"),
        ({"query": {"traits": {"contains": {"eq": "PICKABLE"}}}}, "Searching by traits"),
        ({"query": {}, "sort": [{"locationName": "ASC"}]}, "Sorting by locationName"),
        ({"query": {"value": {"eq": "5"}}}, "query.value.eq"),
        ({"query": {"tenantArticleId": {"in": ["A"] * 26}}}, "query.tenantArticleId.in"),
        ({"query": {}, "size": 3, "last": 3}, "size cannot be used together with last"),
        ({"query": {}, "after": "not-a-cursor"}, "Invalid cursor."),
        ({"query": {"nope": {}}}, "query.nope"),
        ({}, "query"),
    ],
)
def test_stock_search_refuses_what_it_cannot_answer(api_client, stocks, body, message):
    response = api_client.post("/api/stocks/search", body, format="json")

    assert response.status_code == 400
    assert message in response.json()[0]["summary"]


def test_search_is_a_read(read_only_client, anonymous_client, stocks):
    assert (
        read_only_client.post("/api/stocks/search", {"query": {}}, format="json").status_code == 200
    )
    assert (
        anonymous_client.post("/api/stocks/search", {"query": {}}, format="json").status_code == 401
    )


def test_reservation_search(api_client, stocks):
    order = Order.objects.create(order_date=timezone.now(), tenant_order_id="WEB-1")
    line = OrderLineItem.objects.create(order=order, tenant_article_id="TSHIRT", quantity=2)
    held = reserve_stock(
        [Allocation(stocks["amsterdam"].id, "TSHIRT", 2, line.id)],
        valid_until=timezone.now() + timedelta(hours=1),
    )[0]
    other = reserve_stock([Allocation(stocks["utrecht"].id, "SNEAK", 1)], valid_until=None)[0]

    by_order = search(
        api_client,
        "reservations",
        {"query": {"relatedRefs": {"orderRefs": {"contains": {"eq": str(order.id)}}}}},
    )
    by_facility = search(
        api_client,
        "reservations",
        {
            "query": {"facilityRef": {"eq": str(stocks["utrecht"].id)}},
            "options": {"withTotal": True},
        },
    )
    newest_first = search(api_client, "reservations", {"query": {}, "sort": [{"created": "DESC"}]})
    # Naming the facilities: their reservations sorted, not the created index walked.
    named = {
        "or": [{"facilityRef": {"eq": str(stocks[name].id)}} for name in stocks if "_" not in name]
    }
    newest_named = search(
        api_client, "reservations", {"query": named, "sort": [{"created": "DESC"}]}
    )

    assert ids(by_order, "reservations") == [str(held.id)]
    assert by_order["reservations"][0]["relatedRefs"] == {"orderRefs": [str(order.id)]}
    assert ids(by_facility, "reservations") == [str(other.id)] and by_facility["total"] == 1
    assert ids(newest_first, "reservations") == [str(other.id), str(held.id)]
    assert ids(newest_named, "reservations") == ids(newest_first, "reservations")
    refused = api_client.post(
        "/api/reservations/search",
        {"query": {"relatedRefs": {"pickJobRefs": {"contains": {"eq": "x"}}}}},
        format="json",
    )
    assert refused.status_code == 400
    assert "relatedRefs.pickJobRefs" in refused.json()[0]["summary"]
