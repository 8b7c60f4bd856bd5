"""Stock and reservations over HTTP: value, reserved and available on every read; writes never
push a value below what active reservations hold; bad input changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inventory.models import Reservation, Stock
from inventory.selectors.availability import availability
from inventory.services.reservations import Allocation, reserve_stock
from orders.models import Order, OrderLineItem
from tests.inventory.factories import FacilityFactory, ListingFactory, StockFactory

pytestmark = pytest.mark.django_db


def listed_stock(value=10, **kwargs):
    stock = StockFactory(value=value, **kwargs)
    ListingFactory(facility=stock.facility, tenant_article_id=stock.tenant_article_id)
    return stock


def order_line(article, quantity=1):
    order = Order.objects.create(order_date=timezone.now(), tenant_order_id="WEB-1")
    return OrderLineItem.objects.create(order=order, tenant_article_id=article, quantity=quantity)


def reserve(stock, quantity, *, valid_until=None, line=None):
    return reserve_stock(
        [
            Allocation(
                stock.facility_id,
                stock.tenant_article_id,
                quantity,
                line.id if line else None,
            )
        ],
        valid_until=valid_until,
    )[0]


def test_create_stock_by_tenant_facility_id_and_read_levels(api_client):
    facility = FacilityFactory(tenant_facility_id="NL-AMS-01")
    ListingFactory(facility=facility, tenant_article_id="TSHIRT-W-2468")
    response = api_client.post(
        "/api/stocks",
        {
            "tenantFacilityId": "NL-AMS-01",
            "tenantArticleId": "TSHIRT-W-2468",
            "value": 12,
            "locationRef": "SHELF-A",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    stock = response.json()
    assert stock["facilityRef"] == str(facility.id)
    assert stock["value"] == 12 and stock["reserved"] == 0 and stock["available"] == 12
    assert stock["locationRef"] == "SHELF-A"

    reserve(Stock.objects.get(), 5, valid_until=timezone.now() + timedelta(hours=1))
    read = api_client.get(f"/api/stocks/{stock['id']}").json()
    assert (read["value"], read["reserved"], read["available"]) == (12, 5, 7)
    assert read["facility"] == {"facilityRef": str(facility.id), "tenantFacilityId": "NL-AMS-01"}
    assert (
        api_client.post(
            "/api/stocks",
            {
                "facility": {"facilityRef": str(facility.id)},
                "tenantArticleId": "TSHIRT-W-2468",
                "value": 1,
            },
            format="json",
        ).status_code
        == 409
    )


@pytest.mark.parametrize(
    "body, status",
    [
        ({"tenantFacilityId": "NL-AMS-01", "tenantArticleId": "TSHIRT-W-2468", "value": -1}, 400),
        ({"tenantFacilityId": "NOWHERE", "tenantArticleId": "TSHIRT-W-2468", "value": 1}, 404),
        ({"tenantFacilityId": "NL-AMS-01", "tenantArticleId": "UNLISTED", "value": 1}, 404),
        ({"tenantArticleId": "TSHIRT-W-2468", "value": 1}, 400),
        (
            {
                "tenantFacilityId": "NL-AMS-01",
                "tenantArticleId": "TSHIRT-W-2468",
                "value": 1,
                "x": 1,
            },
            400,
        ),
    ],
)
def test_bad_stock_creation_changes_nothing(api_client, body, status):
    facility = FacilityFactory(tenant_facility_id="NL-AMS-01")
    ListingFactory(facility=facility, tenant_article_id="TSHIRT-W-2468")
    response = api_client.post("/api/stocks", body, format="json")
    assert response.status_code == status
    assert response.json()[0]["summary"]
    assert not Stock.objects.exists()


def test_list_stocks_has_levels_in_constant_queries(api_client, django_assert_max_num_queries):
    facility = FacilityFactory(tenant_facility_id="NL-AMS-01")
    stocks = [listed_stock(value=10, facility=facility) for _ in range(8)]
    for stock in stocks:
        reserve(stock, 3)
    with django_assert_max_num_queries(6):
        body = api_client.get("/api/stocks?tenantFacilityId=NL-AMS-01&size=5").json()
    assert body["total"] == 8 and len(body["stocks"]) == 5
    assert all((s["reserved"], s["available"]) == (3, 7) for s in body["stocks"])
    assert body["pageInfo"]["hasNextPage"] is True
    rest = api_client.get(
        f"/api/stocks?tenantFacilityId=NL-AMS-01&startAfterId={body['pageInfo']['endCursor']}"
    ).json()
    assert len(rest["stocks"]) == 3 and rest["pageInfo"]["hasNextPage"] is False
    one = api_client.get(f"/api/stocks?tenantArticleId={stocks[0].tenant_article_id}").json()
    assert [s["id"] for s in one["stocks"]] == [str(stocks[0].id)]


def test_bulk_upsert_creates_updates_and_is_all_or_nothing(api_client):
    facility = FacilityFactory(tenant_facility_id="NL-AMS-01")
    existing = listed_stock(value=5, facility=facility)
    ListingFactory(facility=facility, tenant_article_id="NEW-1")
    response = api_client.put(
        "/api/stocks",
        {
            "stocks": [
                {"tenantFacilityId": "NL-AMS-01", "tenantArticleId": "NEW-1", "value": 4},
                {
                    "facilityRef": str(facility.id),
                    "tenantArticleId": existing.tenant_article_id,
                    "value": 8,
                },
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert [r["status"] for r in response.json()] == ["CREATED", "UPDATED"]
    assert response.json()[1]["stock"]["value"] == 8
    assert response.json()[1]["stock"]["version"] == 2

    by_id = api_client.put(
        "/api/stocks",
        {"stocks": [{"id": str(existing.id), "value": 8, "version": 2}]},
        format="json",
    )
    assert by_id.json()[0]["status"] == "UNCHANGED"
    stale = api_client.put(
        "/api/stocks",
        {"stocks": [{"id": str(existing.id), "value": 1, "version": 1}]},
        format="json",
    )
    assert stale.status_code == 409

    failing = api_client.put(
        "/api/stocks",
        {
            "stocks": [
                {"id": str(existing.id), "value": 100},
                {"tenantFacilityId": "NL-AMS-01", "tenantArticleId": "UNLISTED", "value": 1},
            ]
        },
        format="json",
    )
    assert failing.status_code == 404
    existing.refresh_from_db()
    assert existing.value == 8 and Stock.objects.count() == 2
    negative = api_client.put(
        "/api/stocks",
        {"stocks": [{"id": str(existing.id), "value": 1}, {"id": str(existing.id), "value": -5}]},
        format="json",
    )
    assert negative.status_code == 400
    existing.refresh_from_db()
    assert existing.value == 8


def test_bulk_upsert_results_match_what_a_read_returns(api_client):
    """Created rows are rendered from memory (never re-read): they must look exactly like a
    later read, extra fields, timestamps and levels included; existing rows report their
    reservations."""
    facility = FacilityFactory(tenant_facility_id="NL-AMS-01")
    held = listed_stock(value=10, facility=facility, tenant_article_id="HELD")
    reserve(held, 4)
    ListingFactory(facility=facility, tenant_article_id="NEW-1")
    ListingFactory(facility=facility, tenant_article_id="NEW-2")
    response = api_client.put(
        "/api/stocks",
        {
            "stocks": [
                {"tenantFacilityId": "NL-AMS-01", "tenantArticleId": "NEW-2", "value": 3},
                {
                    "tenantFacilityId": "NL-AMS-01",
                    "tenantArticleId": "NEW-1",
                    "value": 0,
                    "locationRef": "AISLE-7",
                    "customAttributes": {"colour": "red"},
                },
                {"tenantFacilityId": "NL-AMS-01", "tenantArticleId": "HELD", "value": 6},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    results = response.json()
    assert [(r["status"], r["stock"]["tenantArticleId"]) for r in results] == [
        ("CREATED", "NEW-2"),
        ("CREATED", "NEW-1"),
        ("UPDATED", "HELD"),
    ]
    levels = [
        (r["stock"]["value"], r["stock"]["reserved"], r["stock"]["available"]) for r in results
    ]
    assert levels == [(3, 0, 3), (0, 0, 0), (6, 4, 2)]
    assert results[1]["stock"]["locationRef"] == "AISLE-7"
    for result in results:
        read = api_client.get(f"/api/stocks/{result['stock']['id']}").json()
        read.pop("facility"), result["stock"].pop("facility")  # reads add tenantFacilityId
        assert result["stock"] == read
    assert Stock.objects.get(tenant_article_id="NEW-1").extra == {
        "locationRef": "AISLE-7",
        "customAttributes": {"colour": "red"},
    }


def test_value_below_reserved_is_refused_naming_the_article(api_client):
    stock = listed_stock(value=10, tenant_article_id="JEANS-B-2605")
    reserve(stock, 6)
    response = api_client.put(f"/api/stocks/{stock.id}", {"value": 5}, format="json")
    assert response.status_code == 400
    assert "JEANS-B-2605" in response.json()[0]["summary"]
    bulk = api_client.put(
        "/api/stocks", {"stocks": [{"id": str(stock.id), "value": 2}]}, format="json"
    )
    assert bulk.status_code == 400
    stock.refresh_from_db()
    assert stock.value == 10

    ok = api_client.put(f"/api/stocks/{stock.id}", {"value": 6}, format="json")
    assert ok.status_code == 200 and ok.json()["available"] == 0

    assert api_client.delete(f"/api/stocks/{stock.id}").status_code == 400
    assert Stock.objects.filter(id=stock.id).exists()


def test_put_stock_version_and_delete(api_client):
    stock = listed_stock(value=3)
    assert (
        api_client.put(
            f"/api/stocks/{stock.id}", {"value": 4, "version": 7}, format="json"
        ).status_code
        == 409
    )
    response = api_client.put(f"/api/stocks/{stock.id}", {"value": 4, "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    assert api_client.delete(f"/api/stocks/{stock.id}").status_code == 200
    assert api_client.get(f"/api/stocks/{stock.id}").status_code == 404
    assert api_client.get("/api/stocks/not-a-uuid").status_code == 404


def test_expired_reservation_stops_counting_at_valid_until_without_sweep(api_client):
    stock = listed_stock(value=10)
    valid_until = timezone.now() + timedelta(minutes=15)
    reserve(stock, 4, valid_until=valid_until)
    key = (stock.facility_id, stock.tenant_article_id)

    just_before = availability(
        [stock.tenant_article_id], now=valid_until - timedelta(microseconds=1)
    )
    at_expiry = availability([stock.tenant_article_id], now=valid_until)
    assert just_before[key].available == 6
    assert at_expiry[key].available == 10  # no sweep ran: the row is still there
    assert Reservation.objects.count() == 1

    # The API reads at the real clock; a reservation that already expired does not count.
    Reservation.objects.update(valid_until=timezone.now() - timedelta(seconds=1))
    read = api_client.get(f"/api/stocks/{stock.id}").json()
    assert (read["reserved"], read["available"]) == (0, 10)


def test_stock_summaries(api_client, django_assert_max_num_queries):
    facilities = [FacilityFactory() for _ in range(3)]
    for index, facility in enumerate(facilities):
        stock = listed_stock(value=5 + index, facility=facility, tenant_article_id="TSHIRT-W-2468")
        reserve(stock, 1)
        listed_stock(value=2, facility=facility, tenant_article_id="JEANS-B-2605")
    with django_assert_max_num_queries(8):
        response = api_client.get(
            "/api/stocks/summaries?tenantArticleIds=TSHIRT-W-2468&tenantArticleIds=JEANS-B-2605"
        )
    summaries = {s["article"]["tenantArticleId"]: s for s in response.json()["stockSummaries"]}
    assert response.json()["total"] == 2
    shirt = summaries["TSHIRT-W-2468"]
    assert shirt["details"]["stockOnHand"] == 18 and shirt["details"]["reserved"] == 3
    assert shirt["details"]["available"] == 15
    assert sorted(shirt["includedFacilityRefs"]) == sorted(str(f.id) for f in facilities)
    only_first = api_client.get(
        f"/api/stocks/summaries?tenantArticleIds=TSHIRT-W-2468&facilityRefs={facilities[0].id}"
    ).json()["stockSummaries"][0]
    assert only_first["details"]["stockOnHand"] == 5


def test_reservations_list_filters_and_detail(api_client, django_assert_max_num_queries):
    stock = listed_stock(value=10, tenant_article_id="SNEAK-W-4891")
    other = listed_stock(value=10)
    line = order_line("SNEAK-W-4891", 2)
    valid_until = timezone.now() + timedelta(hours=1)
    held = reserve(stock, 2, valid_until=valid_until, line=line)
    reserve(other, 1)
    with django_assert_max_num_queries(6):
        body = api_client.get("/api/reservations").json()
    assert body["total"] == 2
    by_order = api_client.get(f"/api/reservations?orderRef={line.order_id}").json()
    assert [r["id"] for r in by_order["reservations"]] == [str(held.id)]
    by_article = api_client.get("/api/reservations?tenantArticleId=SNEAK-W-4891").json()
    assert by_article["total"] == 1
    by_facility = api_client.get(f"/api/reservations?facilityRef={other.facility_id}").json()
    assert by_facility["total"] == 1 and by_facility["reservations"][0]["validUntil"] is None

    detail = api_client.get(f"/api/reservations/{held.id}").json()
    assert detail["facilityRef"] == str(stock.facility_id)
    assert detail["tenantArticleId"] == "SNEAK-W-4891" and detail["quantity"] == 2
    assert detail["relatedRefs"] == {"orderRefs": [str(line.order_id)]}
    assert detail["orderLineItemRef"] == str(line.id)
    assert detail["host"] == {"type": "STOCK", "reference": str(stock.id)}
    assert detail["validUntil"] and detail["active"] is True
    assert api_client.get("/api/reservations/nope").status_code == 404


def test_read_only_user_cannot_write_stock(read_only_client):
    stock = listed_stock()
    assert read_only_client.get(f"/api/stocks/{stock.id}").status_code == 200
    response = read_only_client.put(f"/api/stocks/{stock.id}", {"value": 0}, format="json")
    assert response.status_code == 403
    stock.refresh_from_db()
    assert stock.value == 10
