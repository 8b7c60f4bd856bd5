"""The engine on a small Dutch network: the documents' example order and typical cases."""

import dataclasses
import datetime as dt

from routing import solve
from routing.types import (
    RATING_NUMBER_OF_DELIVERIES,
    RATING_PREFER_STORE,
    CarrierConnection,
    CarrierService,
    CollectDestination,
    OrderLine,
    RatingSetting,
    RoutingConfiguration,
    RoutingRequest,
    ShippingDestination,
    default_ratings,
)

from .builders import MONDAY_MORNING, dhl_de, postnl, store, warehouse

AMSTERDAM_ADDRESS = ShippingDestination("NL", 52.3676, 4.8707, "1052 XM")
EXAMPLE_LINES = (
    OrderLine("l-tshirt", "TSHIRT-W-2468", 10),
    OrderLine("l-jeans", "JEANS-B-2605", 3),
    OrderLine("l-sneak", "SNEAK-W-4891", 1),
)


def network():
    return (
        store("ams-centrum", 52.3731, 4.8922),
        store("ams-zuid", 52.3389, 4.8725),
        store("haarlem", 52.3874, 4.6462),
        warehouse("wh-utrecht", 52.0907, 5.1214),
        warehouse("wh-duisburg", 51.4344, 6.7623, country="DE", carrier_connections=(dhl_de(),)),
    )


def example_availability():
    # No single store has the whole example order; both warehouses do.
    return {
        ("ams-centrum", "TSHIRT-W-2468"): 10,
        ("ams-centrum", "JEANS-B-2605"): 1,
        ("ams-zuid", "JEANS-B-2605"): 3,
        ("ams-zuid", "SNEAK-W-4891"): 1,
        ("haarlem", "TSHIRT-W-2468"): 4,
        ("haarlem", "SNEAK-W-4891"): 2,
        ("wh-utrecht", "TSHIRT-W-2468"): 120,
        ("wh-utrecht", "JEANS-B-2605"): 40,
        ("wh-utrecht", "SNEAK-W-4891"): 25,
        ("wh-duisburg", "TSHIRT-W-2468"): 500,
        ("wh-duisburg", "JEANS-B-2605"): 200,
        ("wh-duisburg", "SNEAK-W-4891"): 90,
    }


def example_request(**changes):
    request = RoutingRequest(
        lines=EXAMPLE_LINES,
        destination=AMSTERDAM_ADDRESS,
        facilities=network(),
        availability=example_availability(),
        now=MONDAY_MORNING,
    )
    return dataclasses.replace(request, **changes)


def ratings_by_name(decision):
    return {result.name: result for result in decision.rating_results}


def test_example_order_goes_to_the_nearby_warehouse_in_one_parcel():
    for level in (0.0, 0.5, 1.0):
        decision = solve(example_request(resource_investment=level))
        assert [node.facility_id for node in decision.nodes] == ["wh-utrecht"]
        assert decision.unassigned == ()
        node = decision.nodes[0]
        assert node.carrier.carrier_key == "POSTNL"
        assert (node.estimate.min_delivery_days, node.estimate.max_delivery_days) == (1, 2)
        assert decision.estimated_delivery_date == dt.date(2026, 11, 25)
        assert decision.total_costs.amount == 4.95
        ratings = ratings_by_name(decision)
        assert ratings[RATING_NUMBER_OF_DELIVERIES].penalty == 0
        assert "1 parcel(s) from 1 facility" in ratings[RATING_NUMBER_OF_DELIVERIES].explanation
        assert "4.95 EUR" in ratings["deliveryCosts"].explanation
        assert "km" in ratings["geoDistance"].explanation
        assert decision.reserved_quantities() == {
            ("wh-utrecht", "TSHIRT-W-2468"): 10,
            ("wh-utrecht", "JEANS-B-2605"): 3,
            ("wh-utrecht", "SNEAK-W-4891"): 1,
        }


def test_without_warehouses_the_order_is_split_across_stores():
    request = example_request(facilities=network()[:3], resource_investment=1.0)
    decision = solve(request)
    assert decision.unassigned == ()
    assert 2 <= len(decision.nodes) <= 3
    assert ratings_by_name(decision)[RATING_NUMBER_OF_DELIVERIES].metric == len(decision.nodes) - 1
    # Greedy may need more parcels; the exact search never does worse.
    greedy = solve(dataclasses.replace(request, resource_investment=0.0))
    assert decision.total_penalty <= greedy.total_penalty + 1e-9
    assert decision.search == "exact"


def test_preferring_stores_keeps_the_order_in_stores_when_configured():
    ratings = default_ratings()
    ratings[RATING_PREFER_STORE] = RatingSetting(True, 400.0)
    decision = solve(
        example_request(
            configuration=RoutingConfiguration(ratings=ratings), resource_investment=1.0
        )
    )
    assert all(node.facility.location_type == "STORE" for node in decision.nodes)
    assert decision.unassigned == ()


def test_splitting_off_needs_one_facility_with_everything():
    config = RoutingConfiguration(max_split_count=1)
    decision = solve(example_request(facilities=network()[:3], configuration=config))
    assert decision.nodes == ()
    assert {u.tenant_article_id for u in decision.not_assignable} == {
        "TSHIRT-W-2468",
        "JEANS-B-2605",
        "SNEAK-W-4891",
    }
    assert "splitting is off" in decision.unassigned[0].reason


def test_shortage_goes_to_backorder_when_the_listing_allows_it():
    lines = (
        OrderLine("l-tshirt", "TSHIRT-W-2468", 10, allows_backorder=True),
        OrderLine("l-rare", "RARE-1", 2, allows_backorder=True),
        OrderLine("l-gone", "GONE-1", 1, allows_backorder=False),
    )
    availability = {("ams-centrum", "TSHIRT-W-2468"): 6, ("ams-zuid", "RARE-1"): 1}
    decision = solve(
        example_request(lines=lines, availability=availability, facilities=network()[:3])
    )
    assert decision.reserved_quantities() == {
        ("ams-centrum", "TSHIRT-W-2468"): 6,
        ("ams-zuid", "RARE-1"): 1,
    }
    backordered = {(u.tenant_article_id, u.quantity) for u in decision.backordered}
    assert backordered == {("TSHIRT-W-2468", 4), ("RARE-1", 1)}
    assert [(u.tenant_article_id, u.quantity) for u in decision.not_assignable] == [("GONE-1", 1)]
    assert decision.not_assignable[0].reason == "No facility has this article available."
    assert {u.reason for u in decision.backordered} == {
        "Only 6 available in the eligible facilities.",
        "Only 1 available in the eligible facilities.",
    }


def test_fenced_out_facilities_are_reported_with_the_fence():
    facilities = (
        store("offline", status="OFFLINE"),
        store("no-ship-from-store", services=("PICKUP",)),
        store("full", remaining_capacity=0),
        store("wrong-country-carrier", carrier_connections=(dhl_de(),)),
        warehouse("wh-utrecht"),
    )
    availability = {(f.facility_id, "TSHIRT-W-2468"): 50 for f in facilities}
    decision = solve(
        example_request(facilities=facilities, availability=availability, lines=EXAMPLE_LINES[:1])
    )
    assert [node.facility_id for node in decision.nodes] == ["wh-utrecht"]
    assert decision.excluded_facilities == {
        "offline": "facilityStatus",
        "no-ship-from-store": "facilityService",
        "full": "capacity",
        "wrong-country-carrier": "carrier",
    }


def test_preselected_facilities_and_product_category_restrict_the_choice():
    decision = solve(example_request(preselected_facility_ids=frozenset({"wh-duisburg"})))
    assert [node.facility_id for node in decision.nodes] == ["wh-duisburg"]
    assert decision.nodes[0].carrier.carrier_key == "DHL"
    express = solve(example_request(carrier_product_category="EXPRESS"))
    assert [node.facility_id for node in express.nodes] == ["wh-utrecht"]
    assert express.nodes[0].carrier.product_category == "EXPRESS"
    assert express.nodes[0].estimate.min_delivery_days == 0
    nothing = solve(example_request(carrier_product_category="FORWARDING"))
    assert nothing.nodes == () and len(nothing.not_assignable) == 3


def test_click_and_collect_transfers_missing_stock_into_the_pickup_store():
    availability = example_availability()
    availability[("ams-centrum", "TSHIRT-W-2468")] = 40
    availability[("ams-centrum", "JEANS-B-2605")] = 25  # only the sneakers must travel
    request = example_request(
        destination=CollectDestination("ams-centrum"),
        availability=availability,
        resource_investment=1,
    )
    decision = solve(request)
    pickup_nodes = [node for node in decision.nodes if node.is_pickup_location]
    assert [node.facility_id for node in pickup_nodes] == ["ams-centrum"]
    assert decision.unassigned == ()
    assert decision.transfers
    for transfer in decision.transfers:
        assert transfer.target_facility_id == "ams-centrum"
        time_line = transfer.time_line
        assert time_line.calculation_start_point == MONDAY_MORNING
        assert time_line.earliest_picking_start <= time_line.latest_picking_start
        assert time_line.target_time <= decision.collect_target_time
    # Target time: within the pickup store's picking times (9–18 local).
    local = decision.collect_target_time
    assert 9 <= local.hour < 18
    assert [(a.tenant_article_id, a.quantity) for a in decision.transfers[0].allocations] == [
        ("SNEAK-W-4891", 1)
    ]
    assert pickup_nodes[0].quantity == 13
    explanation = ratings_by_name(decision)[RATING_NUMBER_OF_DELIVERIES].explanation
    assert "1 transfer(s) into the pickup store besides its own stock" in explanation


def test_collect_at_a_store_without_pickup_assigns_nothing():
    facilities = (store("no-pickup", services=("SHIP_FROM_STORE",)), *network()[3:])
    decision = solve(
        example_request(facilities=facilities, destination=CollectDestination("no-pickup"))
    )
    assert decision.nodes == ()
    assert "PICKUP" in decision.not_assignable[0].reason


def test_transfers_need_a_connection_allowing_ship_to_store():
    only_customers = postnl(targets={"SHIP_TO_CUSTOMER"})
    facilities = (
        store("pickup"),
        warehouse("wh-utrecht", carrier_connections=(only_customers,)),
    )
    availability = {("wh-utrecht", "TSHIRT-W-2468"): 10}
    decision = solve(
        example_request(
            facilities=facilities,
            availability=availability,
            lines=EXAMPLE_LINES[:1],
            destination=CollectDestination("pickup"),
        )
    )
    assert decision.nodes == ()
    assert decision.excluded_facilities == {"wh-utrecht": "carrier"}
    assert "excluded by a fence (carrier ×1)" in decision.not_assignable[0].reason


def test_preferred_carriers_are_chosen_where_available_but_never_exclude_a_facility():
    dhl_nl = CarrierConnection(
        "carrier-dhl",
        "DHL",
        "DHL",
        services=(CarrierService("NL", frozenset({"NL"}), "STANDARD", 1, 2, 9.0, "EUR"),),
    )
    both = (postnl(cost=3.95), dhl_nl)
    facilities = (
        warehouse("wh-both", carrier_connections=both),
        store("only-postnl", 52.37, 4.89),
    )
    availability = {("wh-both", "TSHIRT-W-2468"): 5, ("only-postnl", "TSHIRT-W-2468"): 5}
    request = example_request(
        facilities=facilities,
        availability=availability,
        lines=(OrderLine("l", "TSHIRT-W-2468", 10),),
        preferred_carrier_keys=frozenset({"DHL"}),
    )
    decision = solve(request)
    carriers = {node.facility_id: node.carrier.carrier_key for node in decision.nodes}
    assert carriers == {"wh-both": "DHL", "only-postnl": "POSTNL"}


def test_the_prioritised_carrier_wins_a_tie():
    """Two carriers with the same service, cost and transit at one facility: the carrier with
    the better (lower) configured priority is chosen, whatever the keys' order."""

    def carrier(key, priority):
        return CarrierConnection(
            f"carrier-{key.lower()}",
            key,
            key,
            services=(CarrierService("NL", frozenset({"NL"}), "STANDARD", 1, 2, 4.95, "EUR"),),
            priority=priority,
        )

    def chosen(*connections):
        request = example_request(
            facilities=(warehouse("wh", carrier_connections=connections),),
            availability={("wh", "TSHIRT-W-2468"): 5},
            lines=(OrderLine("l", "TSHIRT-W-2468", 1),),
        )
        return [node.carrier.carrier_key for node in solve(request).nodes]

    assert chosen(carrier("AAA", None), carrier("ZZZ", None)) == ["AAA"]  # the key decides
    assert chosen(carrier("AAA", 5), carrier("ZZZ", 1)) == ["ZZZ"]
    assert chosen(carrier("AAA", None), carrier("ZZZ", 9)) == ["ZZZ"]  # prioritised first
    # A priority only settles ties: the cheaper carrier still wins.
    cheaper = dataclasses.replace(
        carrier("AAA", 5),
        services=(CarrierService("NL", frozenset({"NL"}), "STANDARD", 1, 2, 3.95, "EUR"),),
    )
    assert chosen(cheaper, carrier("ZZZ", 1)) == ["AAA"]


def test_solving_leaves_the_cycle_collector_as_it_found_it():
    # solve pauses it for speed; a caller that had it on (every normal process) gets it back on.
    import gc

    request = example_request()
    assert gc.isenabled()
    solve(request)
    assert gc.isenabled()
    gc.disable()
    try:
        solve(request)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_workload_balancing_prefers_the_store_with_spare_daily_capacity():
    # Two Amsterdam stores hold the line; the nearer one can take one more order today.
    facilities = (
        store("ams-centrum", 52.3731, 4.8922, remaining_capacity=1),
        store("ams-west", 52.3700, 4.8400, remaining_capacity=25),
    )
    availability = {(f.facility_id, "TSHIRT-W-2468"): 30 for f in facilities}
    request = example_request(
        facilities=facilities, availability=availability, lines=EXAMPLE_LINES[:1]
    )
    decision = solve(request)
    assert [node.facility_id for node in decision.nodes] == ["ams-west"]
    workload = ratings_by_name(decision)["workloadBalancing"]
    assert workload.penalty == 0 and workload.metric == 25
    assert "can take 25.0 more orders today" in workload.explanation

    # Switched off, distance decides: the nearer store, nearly full, takes it.
    ratings = default_ratings()
    ratings["workloadBalancing"] = RatingSetting(False, 50.0, 10.0)
    unbalanced = solve(
        dataclasses.replace(request, configuration=RoutingConfiguration(ratings=ratings))
    )
    assert [node.facility_id for node in unbalanced.nodes] == ["ams-centrum"]
    assert "workloadBalancing" not in ratings_by_name(unbalanced)
