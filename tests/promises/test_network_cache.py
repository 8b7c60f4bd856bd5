"""The adapter keeps the converted network per process; an edit must reach the next checkout."""

import pytest

from promises.snapshot import clear_network_cache
from tests.promises.helpers import example_promise, small_network

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cold_cache():
    clear_network_cache()
    yield
    clear_network_cache()


def shipping_facility(client):
    response = client.post("/api/promises/deliverypromise", example_promise(), format="json")
    assert response.status_code == 201, response.json()
    return response.json()["shipToCustomer"][0]["facility"]["tenantFacilityId"]


def test_taking_a_facility_offline_through_the_api_reroutes_the_very_next_checkout(api_client):
    network = small_network(
        warehouse_articles={"TSHIRT-W-2468": 50, "JEANS-B-2605": 50, "SNEAK-W-4891": 50}
    )
    first = shipping_facility(api_client)
    facility = network["store"] if first == "AMS-01" else network["warehouse"]
    current = api_client.get(f"/api/facilities/{facility.id}").json()

    response = api_client.patch(
        f"/api/facilities/{facility.id}",
        {"version": current["version"], "status": "OFFLINE"},
        format="json",
    )
    assert response.status_code == 200, response.json()

    assert shipping_facility(api_client) != first


def test_a_cached_network_costs_one_stamp_query_instead_of_the_network_reads(
    api_client, django_assert_max_num_queries
):
    small_network()
    shipping_facility(api_client)  # warms the cache
    with django_assert_max_num_queries(30) as captured:
        shipping_facility(api_client)
    tables = " ".join(query["sql"] for query in captured.captured_queries)
    assert 'inventory_facilitycarrierconnection"."cutoff_hour' not in tables
