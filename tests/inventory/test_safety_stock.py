"""Safety stock: the units of a listing's stock that are never promised. Availability leaves
them out wherever it is computed (checkout, reservations, stock reads, stock summaries)."""

import pytest

from inventory.models import Listing
from inventory.services.reservations import Allocation, InsufficientStock, reserve_stock
from tests.promises.helpers import available, example_promise, small_network

pytestmark = pytest.mark.django_db


def set_safety_stock(client, facility, article, units):
    listing = client.get(f"/api/facilities/{facility.id}/listings/{article}").json()
    response = client.patch(
        f"/api/facilities/{facility.id}/listings/{article}",
        {
            "version": listing["version"],
            "actions": [{"action": "ModifyListing", "safetyStock": units}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()[0]["safetyStock"] == units


def test_a_promise_cannot_take_the_last_safety_stock_units(api_client):
    network = small_network({"SNEAK-W-4891": 5})
    store, sneakers = network["store"], network["stocks"]["SNEAK-W-4891"]
    set_safety_stock(api_client, store, "SNEAK-W-4891", 2)

    too_many = api_client.post(
        "/api/promises/deliverypromise",
        example_promise([("SNEAK-W-4891", 4)]),
        format="json",
    )
    assert too_many.status_code == 400
    assert "SNEAK-W-4891: requested 4, available 3" in too_many.json()[0]["description"]

    taken = api_client.post(
        "/api/promises/deliverypromise",
        example_promise([("SNEAK-W-4891", 3)]),
        format="json",
    )
    assert taken.status_code == 201, taken.json()
    # 5 on stock, 3 reserved, 2 kept back: nothing left to promise, not even one.
    assert available(sneakers) == 0
    last = api_client.post(
        "/api/promises/deliverypromise",
        example_promise([("SNEAK-W-4891", 1)]),
        format="json",
    )
    assert last.status_code == 400
    read = api_client.get(f"/api/stocks/{sneakers.id}").json()
    assert (read["value"], read["reserved"], read["available"]) == (5, 3, 0)


def test_the_reservation_check_under_the_lock_keeps_the_safety_stock(api_client):
    """The routing read and the locked re-check apply the same rule: a reservation racing a
    safety stock change cannot take the units kept back."""
    network = small_network({"SNEAK-W-4891": 5})
    stock = network["stocks"]["SNEAK-W-4891"]
    Listing.objects.filter(facility=stock.facility, tenant_article_id="SNEAK-W-4891").update(
        safety_stock=4
    )

    with pytest.raises(InsufficientStock) as refused:
        reserve_stock([Allocation(stock.facility_id, "SNEAK-W-4891", 2)], valid_until=None)

    assert refused.value.shortages[0].available == 1
    reserve_stock([Allocation(stock.facility_id, "SNEAK-W-4891", 1)], valid_until=None)


def test_the_stock_summaries_show_the_safety_stock_and_leave_it_out_of_availability(api_client):
    network = small_network({"SNEAK-W-4891": 5}, warehouse_articles={"SNEAK-W-4891": 10})
    set_safety_stock(api_client, network["store"], "SNEAK-W-4891", 2)
    # More safety stock than the warehouse has unreserved: it withholds what there is, no more.
    set_safety_stock(api_client, network["warehouse"], "SNEAK-W-4891", 12)
    api_client.post(
        "/api/promises/deliverypromise",
        example_promise([("SNEAK-W-4891", 1)]),
        format="json",
    )

    response = api_client.get("/api/stocks/summaries?tenantArticleIds=SNEAK-W-4891")

    assert response.status_code == 200, response.json()
    details = response.json()["stockSummaries"][0]["details"]
    assert details["stockOnHand"] == 15
    assert details["reserved"] == 1
    assert details["safetyStock"] == 14
    # Store: 5 − 1 reserved − 2 kept back = 2; warehouse: 10 − 12 → nothing.
    assert details["available"] == details["availableToPromise"] == 2
    # Physically there and unreserved, safety stock included.
    assert details["availableOnStock"] == 14
    stocks = api_client.get("/api/stocks?tenantArticleId=SNEAK-W-4891").json()["stocks"]
    assert sorted(stock["available"] for stock in stocks) == [0, 2]
