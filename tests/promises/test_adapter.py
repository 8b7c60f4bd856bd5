"""promises.adapter: the engine input built from the database, in a bounded number of queries."""

import dataclasses
import datetime as dt
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.errors import InvalidInput
from inventory.models import CarrierStatus, FacilityStatus, OutOfStockBehaviour
from promises.adapter import build_routing_request
from promises.models import RoutingConfiguration
from routing import solve
from routing.types import CollectDestination
from tests.inventory.factories import (
    CarrierFactory,
    CountryServiceMappingFactory,
    FacilityCarrierConnectionFactory,
    FacilityFactory,
    ListingFactory,
    StockFactory,
    WarehouseFactory,
)
from tests.promises.helpers import example_promise, promised_order

pytestmark = pytest.mark.django_db

# Monday 23 November 2026, 10:00 in Amsterdam.
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
EXAMPLE = {"TSHIRT-W-2468": 10, "JEANS-B-2605": 3, "SNEAK-W-4891": 1}


def demo_like_network(store_count=3, carrier=None):
    """Amsterdam stores each holding part of the example order, a warehouse in Utrecht with all
    of it, and PostNL connected everywhere (NL → NL, 1–2 days, 4.95 EUR)."""
    if carrier is None:
        carrier = CarrierFactory(key="POSTNL", name="PostNL")
        CountryServiceMappingFactory(carrier=carrier)
    partial = [
        {"TSHIRT-W-2468": 10, "JEANS-B-2605": 1},
        {"JEANS-B-2605": 3, "SNEAK-W-4891": 1},
        {"TSHIRT-W-2468": 4, "SNEAK-W-4891": 2},
    ]
    stores = []
    for index in range(store_count):
        store = FacilityFactory(
            latitude=52.33 + 0.01 * (index % 10), longitude=4.85 + 0.01 * (index // 10)
        )
        FacilityCarrierConnectionFactory(facility=store, carrier=carrier)
        for article, value in partial[index % 3].items():
            StockFactory(facility=store, tenant_article_id=article, value=value)
        stores.append(store)
    warehouse = WarehouseFactory(name="Utrecht DC", latitude=52.0907, longitude=5.1214)
    FacilityCarrierConnectionFactory(facility=warehouse, carrier=carrier)
    for article in EXAMPLE:
        StockFactory(facility=warehouse, tenant_article_id=article, value=100)
    return {"stores": stores, "warehouse": warehouse, "carrier": carrier}


def test_example_order_is_routed_to_the_warehouse_with_carrier_data_and_explanation():
    network = demo_like_network()
    request = build_routing_request(example_promise(), now=NOW)
    # The example address has no coordinates: its city is placed offline.
    destination = request.destination
    assert (destination.country, destination.postal_code) == ("NL", "1052 XM")
    assert (round(destination.latitude, 2), round(destination.longitude, 2)) == (52.37, 4.89)
    assert destination.coordinates_source == "the centre of Amsterdam, NL (GeoNames city)"
    decision = solve(request)
    assert [node.facility_id for node in decision.nodes] == [str(network["warehouse"].id)]
    node = decision.nodes[0]
    assert node.carrier.carrier_key == "POSTNL"
    assert (node.estimate.min_delivery_days, node.estimate.max_delivery_days) == (1, 2)
    assert decision.total_costs.amount == 4.95
    assert decision.estimated_delivery_date == dt.date(2026, 11, 25)
    ratings = {result.name: result for result in decision.rating_results}
    assert ratings["numberOfDeliveries"].penalty == 0
    # Rated by distance from the resolved point: Utrecht is about 35 km from Amsterdam.
    assert 30 < ratings["geoDistance"].metric < 40
    assert "consumer at 52.3740, 4.8897 from the centre of Amsterdam" in (
        ratings["geoDistance"].explanation
    )
    assert decision.unassigned == ()


def test_query_count_does_not_grow_with_the_network():
    carrier = demo_like_network(store_count=3)["carrier"]
    with CaptureQueriesContext(connection) as small:
        small_request = build_routing_request(example_promise(), now=NOW)
    demo_like_network(store_count=30, carrier=carrier)
    with CaptureQueriesContext(connection) as large:
        large_request = build_routing_request(example_promise(), now=NOW)
    assert len(large_request.facilities) == len(small_request.facilities) + 31
    assert len(large.captured_queries) == len(small.captured_queries) <= 7


def test_facilities_carry_schedule_time_zone_connections_and_capacity():
    carrier = CarrierFactory(key="DHL", name="DHL")
    CountryServiceMappingFactory(
        carrier=carrier,
        destination_countries=["NL", "DE"],
        delivery_costs=[{"cost": 6.5, "currency": "EUR"}],
    )
    store = FacilityFactory(
        daily_order_capacity=0,
        closing_days=[{"date": "2020-12-25T00:00:00Z", "reason": "X", "recurrence": "YEARLY"}],
    )
    FacilityCarrierConnectionFactory(facility=store, carrier=carrier, cutoff_hour=15)
    StockFactory(facility=store, tenant_article_id="TSHIRT-W-2468", value=3)
    request = build_routing_request(example_promise([("TSHIRT-W-2468", 1)]), now=NOW)
    [facility] = request.facilities
    assert facility.timezone == "Europe/Amsterdam"
    assert facility.picking_times[0][0].start == dt.time(9, 0)
    assert facility.picking_times[6] == ()
    assert dt.date(2026, 12, 25) in facility.closing_days
    assert facility.remaining_capacity == 0
    [connection_] = facility.carrier_connections
    assert connection_.cutoff_hour == 15
    assert connection_.services[0].cost == 6.5
    assert connection_.services[0].destination_countries == frozenset({"NL", "DE"})
    # Capacity exhausted: the capacity fence keeps the order away from this store.
    decision = solve(request)
    assert decision.excluded_facilities == {str(store.id): "capacity"}


def test_availability_counts_active_reservations_only():
    store = FacilityFactory()
    carrier = CarrierFactory()
    CountryServiceMappingFactory(carrier=carrier)
    FacilityCarrierConnectionFactory(facility=store, carrier=carrier)
    stock = StockFactory(facility=store, tenant_article_id="TSHIRT-W-2468", value=5)
    promised_order(stock, 2, valid_until=NOW + timedelta(hours=1), now=NOW)
    promised_order(stock, 1, valid_until=NOW - timedelta(minutes=1), now=NOW - timedelta(hours=1))
    request = build_routing_request(example_promise([("TSHIRT-W-2468", 5)]), now=NOW)
    assert request.availability == {(str(store.id), "TSHIRT-W-2468"): 3}
    decision = solve(request)
    assert decision.reserved_quantities() == {(str(store.id), "TSHIRT-W-2468"): 3}
    assert [(u.quantity, u.backordered) for u in decision.unassigned] == [(2, False)]


def test_backorder_listing_lets_the_shortage_go_to_backorder():
    store = FacilityFactory()
    ListingFactory(
        facility=store,
        tenant_article_id="JEANS-B-2605",
        out_of_stock_behaviour=OutOfStockBehaviour.BACKORDER,
    )
    request = build_routing_request(example_promise([("JEANS-B-2605", 2)]), now=NOW)
    assert request.lines[0].allows_backorder is True
    assert solve(request).backordered[0].quantity == 2


def test_stored_configuration_is_merged_over_the_defaults():
    RoutingConfiguration.objects.create(
        id=1,
        max_split_count=2,
        fences={"carrier": {"active": False}, "unknownFence": {"active": False}},
        ratings={
            "preferStore": {"active": True, "maxPenalty": 70},
            "geoDistance": {"maxPenalty": "lots", "threshold": 500},
        },
    )
    configuration = build_routing_request(example_promise(), now=NOW).configuration
    assert configuration.max_split_count == 2
    assert configuration.fence_active("carrier") is False
    assert configuration.fence_active("facilityStatus") is True
    assert "unknownFence" not in configuration.fences
    assert configuration.rating("preferStore").active is True
    assert configuration.rating("preferStore").max_penalty == 70
    # Unusable hand-edited values fall back to the defaults; usable ones are taken.
    assert configuration.rating("geoDistance").max_penalty == 100
    assert configuration.rating("geoDistance").threshold == 500


def test_collect_accepts_facility_ref_or_tenant_facility_id():
    network = demo_like_network()
    pickup = network["stores"][0]
    supplier = network["warehouse"]
    references = ({"facilityRef": str(pickup.id)}, {"tenantFacilityId": pickup.tenant_facility_id})
    for reference in references:
        body = example_promise(
            deliveryPreferences={
                "collect": [
                    {
                        **reference,
                        "supplyingFacilities": [supplier.tenant_facility_id],
                    }
                ]
            }
        )
        request = build_routing_request(body, now=NOW)
        assert request.destination == CollectDestination(str(pickup.id))
        assert request.supplying_facility_ids == frozenset({str(supplier.id)})
        decision = solve(request)
        assert {t.source_facility_id for t in decision.transfers} <= {str(supplier.id)}
        assert decision.unassigned == ()


def test_unknown_facility_references_are_invalid_input():
    demo_like_network()
    body = example_promise(deliveryPreferences={"collect": [{"tenantFacilityId": "NOPE"}]})
    with pytest.raises(InvalidInput, match="unknown facility"):
        build_routing_request(body, now=NOW)
    body = example_promise(
        deliveryPreferences={"shipping": {"preselectedFacilities": [{"facilityRef": "x"}]}}
    )
    with pytest.raises(InvalidInput, match="preselectedFacilities"):
        build_routing_request(body, now=NOW)


def test_preselected_facilities_and_inactive_carriers_are_respected():
    network = demo_like_network()
    store = network["stores"][0]
    body = example_promise(
        [("TSHIRT-W-2468", 2)],
        deliveryPreferences={
            "shipping": {"preselectedFacilities": [{"tenantFacilityId": store.tenant_facility_id}]}
        },
    )
    decision = solve(build_routing_request(body, now=NOW))
    assert [node.facility_id for node in decision.nodes] == [str(store.id)]

    network["carrier"].status = CarrierStatus.INACTIVE
    network["carrier"].save()
    decision = solve(build_routing_request(body, now=NOW))
    assert decision.nodes == ()
    assert decision.excluded_facilities[str(store.id)] == "carrier"


def test_offline_facility_is_fenced_out():
    network = demo_like_network()
    network["warehouse"].status = FacilityStatus.OFFLINE
    network["warehouse"].save()
    decision = solve(build_routing_request(example_promise(), now=NOW, resource_investment=1.0))
    assert decision.excluded_facilities[str(network["warehouse"].id)] == "facilityStatus"
    assert decision.unassigned == ()  # the stores cover the order together
    assert 2 <= len(decision.nodes) <= 3


def test_example_order_on_the_demo_network_goes_to_a_warehouse_or_a_small_split():
    import io

    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    body = example_promise()
    body["consumer"]["addresses"][0]["coordinates"] = {"lat": 52.3676, "lon": 4.8707}
    request = build_routing_request(body, now=NOW)
    assert len(request.facilities) >= 5
    for level in (0.0, 1.0):
        decision = solve(dataclasses.replace(request, resource_investment=level))
        assert decision.unassigned == ()
        assert 1 <= len(decision.nodes) <= request.configuration.max_split_count
        if len(decision.nodes) == 1:
            assert decision.nodes[0].facility.location_type == "WAREHOUSE"
        for node in decision.nodes:
            assert node.carrier is not None and node.carrier.cost is not None
            assert node.estimate.min_delivery_days <= node.estimate.max_delivery_days
        ratings = {result.name: result for result in decision.rating_results}
        assert ratings["numberOfDeliveries"].metric == len(decision.nodes) - 1
        assert "km on average" in ratings["geoDistance"].explanation
        assert decision.total_costs.amount == pytest.approx(
            sum(node.carrier.cost for node in decision.nodes)
        )
    greedy = solve(dataclasses.replace(request, resource_investment=0.0))
    exact = solve(dataclasses.replace(request, resource_investment=1.0))
    assert exact.total_penalty <= greedy.total_penalty + 1e-9
