"""The fence table (routing/fences.py): one entry per fence, switched by its configuration name.

A new fence is one `FENCES` entry plus one test here; `test_a_fence_is_one_table_entry` adds a
fence the way that entry would and checks the engine needs nothing else."""

import dataclasses

from routing import fences, solve
from routing.types import FENCE_NAMES, CollectDestination, RoutingConfiguration

from .builders import store, warehouse
from .test_scenarios import EXAMPLE_LINES, example_request


def test_every_configurable_fence_has_exactly_one_table_entry():
    assert sorted(fence.name for fence in fences.FENCES) == sorted(FENCE_NAMES)


def test_a_fence_is_one_table_entry(monkeypatch):
    def outside_amsterdam(scope, facilities):
        return [facility for facility in facilities if facility.latitude < 52.3]

    monkeypatch.setattr(
        fences,
        "FENCES",
        (*fences.FENCES, fences.Fence("amsterdamOnly", keeps_out=outside_amsterdam)),
    )
    facilities = (store("ams-centrum", 52.3731, 4.8922), warehouse("wh-utrecht"))
    availability = {("ams-centrum", "TSHIRT-W-2468"): 4, ("wh-utrecht", "TSHIRT-W-2468"): 50}
    request = example_request(
        facilities=facilities, availability=availability, lines=EXAMPLE_LINES[:1]
    )

    fenced = solve(request)
    switched_off = solve(
        dataclasses.replace(
            request, configuration=RoutingConfiguration(fences={"amsterdamOnly": False})
        )
    )

    assert [node.facility_id for node in fenced.nodes] == ["ams-centrum"]
    assert fenced.excluded_facilities == {"wh-utrecht": "amsterdamOnly"}
    assert sum(u.quantity for u in fenced.unassigned) == 6
    assert [node.facility_id for node in switched_off.nodes] == ["wh-utrecht"]
    assert switched_off.excluded_facilities == {}


def test_the_first_fence_in_table_order_is_the_one_reported():
    facilities = (
        store("offline-and-full", status="OFFLINE", remaining_capacity=0),
        store("full-without-ship-from-store", services=("PICKUP",), remaining_capacity=0),
        warehouse("wh-utrecht"),
    )
    availability = {(f.facility_id, "TSHIRT-W-2468"): 50 for f in facilities}
    decision = solve(
        example_request(facilities=facilities, availability=availability, lines=EXAMPLE_LINES[:1])
    )
    assert list(decision.excluded_facilities.items()) == [
        ("offline-and-full", "facilityStatus"),
        ("full-without-ship-from-store", "capacity"),
    ]


def test_a_pickup_store_refused_by_a_fence_sources_nothing_and_says_why():
    facilities = (store("ams-centrum", 52.3731, 4.8922, services=()), warehouse("wh-utrecht"))
    availability = {(f.facility_id, "TSHIRT-W-2468"): 50 for f in facilities}
    request = example_request(
        facilities=facilities,
        availability=availability,
        lines=EXAMPLE_LINES[:1],
        destination=CollectDestination("ams-centrum"),
    )

    decision = solve(request)

    assert decision.nodes == ()
    assert {u.reason for u in decision.unassigned} == {"The pickup facility does not offer PICKUP."}


def test_facility_country_keeps_foreign_facilities_out_once_switched_on():
    # Only the German warehouse holds the whole cart; Dutch stores hold part of it.
    availability = {
        ("ams-centrum", "TSHIRT-W-2468"): 4,
        ("wh-duisburg", "TSHIRT-W-2468"): 500,
    }
    request = example_request(availability=availability, lines=EXAMPLE_LINES[:1])
    # Off by default: the German warehouse ships the whole line to Amsterdam.
    default = solve(request)
    assert [node.facility_id for node in default.nodes] == ["wh-duisburg"]
    assert default.excluded_facilities == {}

    fenced = solve(
        dataclasses.replace(
            request, configuration=RoutingConfiguration(fences={"facilityCountry": True})
        )
    )
    assert fenced.excluded_facilities == {"wh-duisburg": "facilityCountry"}
    assert [node.facility_id for node in fenced.nodes] == ["ams-centrum"]
    assert sum(u.quantity for u in fenced.unassigned) == 6
    [reason] = {u.reason for u in fenced.unassigned}
    assert reason == "Only 4 available in the eligible facilities."
