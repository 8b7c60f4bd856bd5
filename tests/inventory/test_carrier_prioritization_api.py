"""Carrier prioritisation: a carrier's configuration (PUT /api/carriers/{carrierId}/configuration)
carries its `thresholdPriceValue`; POST /api/facilities/{facilityId}/carriers/prioritization
ranks the facility's carriers by it for a parcel value, and a promise's routing prefers the
prioritised carrier where two carriers are otherwise equal."""

import pytest

from inventory.models import CarrierCountryServiceMapping
from tests.inventory.factories import (
    CarrierFactory,
    CountryServiceMappingFactory,
    FacilityCarrierConnectionFactory,
)
from tests.promises.helpers import example_promise, small_network

pytestmark = pytest.mark.django_db


def threshold(priority, low=0, high=100000, currency="EUR"):
    return {
        "priority": priority,
        "priceRange": {"from": low, "to": high, "currency": currency, "decimalPlaces": 2},
    }


def configure(client, carrier, **fields):
    current = client.get(f"/api/carriers/{carrier.id}/configuration").json()
    body = {
        "version": current["version"],
        "carrierRef": str(carrier.id),
        "returnLabel": False,
        **fields,
    }
    response = client.put(f"/api/carriers/{carrier.id}/configuration", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_the_configuration_is_replaced_under_its_version_and_read_back(api_client):
    carrier = CarrierFactory(key="POSTNL")
    kept = CountryServiceMappingFactory(carrier=carrier)
    dropped = CountryServiceMappingFactory(carrier=carrier, source_country="DE")

    body = configure(
        api_client,
        carrier,
        returnLabel=True,
        thresholdPriceValue=threshold(2),
        mustBeWeighed=True,
        countryServiceMappings=[
            {
                "id": str(kept.id),
                "source": {"countryCode": "NL"},
                "destinations": [{"countryCode": "NL"}, {"countryCode": "BE"}],
                "transitTime": {"minTransitDays": 1, "maxTransitDays": 3},
            },
            {"source": {"countryCode": "BE"}, "destinations": [{"countryCode": "BE"}]},
        ],
    )

    assert (body["version"], body["returnLabel"], body["mustBeWeighed"]) == (2, True, True)
    assert body["thresholdPriceValue"] == threshold(2)
    assert body == api_client.get(f"/api/carriers/{carrier.id}/configuration").json()
    mappings = {m["id"]: m for m in body["countryServiceMappings"]}
    assert mappings[str(kept.id)]["destinationCountries"] == ["NL", "BE"]
    assert not CarrierCountryServiceMapping.objects.filter(id=dropped.id).exists()
    assert len(mappings) == 2

    stale = api_client.put(
        f"/api/carriers/{carrier.id}/configuration",
        {"version": 1, "carrierRef": str(carrier.id), "returnLabel": False},
        format="json",
    )
    assert stale.status_code == 409
    # Without countryServiceMappings the mappings stay; without thresholdPriceValue the
    # carrier is no longer prioritised.
    again = configure(api_client, carrier)
    assert len(again["countryServiceMappings"]) == 2 and "thresholdPriceValue" not in again


@pytest.mark.parametrize(
    ("fields", "summary"),
    [
        ({"thresholdPriceValue": threshold(0)}, "thresholdPriceValue.priority"),
        (
            {"thresholdPriceValue": threshold(1, low=500, high=100)},
            "thresholdPriceValue.priceRange",
        ),
        ({"thresholdPriceValue": {"priority": 1}}, "thresholdPriceValue.priceRange"),
        ({"carrierRef": "someone-else"}, "carrierRef"),
        ({"returnLabel": "yes"}, "returnLabel"),
    ],
)
def test_bad_configurations_are_400(api_client, fields, summary):
    carrier = CarrierFactory()
    body = {"version": 1, "carrierRef": str(carrier.id), "returnLabel": False, **fields}

    response = api_client.put(f"/api/carriers/{carrier.id}/configuration", body, format="json")

    assert response.status_code == 400
    assert response.json()[0]["summary"].startswith(summary)


def test_prioritization_ranks_the_facilitys_carriers_for_a_parcel_value(api_client):
    network = small_network()
    store = network["store"]
    cheap = CarrierFactory(key="CHEAP")
    premium = CarrierFactory(key="PREMIUM")
    unranked = CarrierFactory(key="UNRANKED")
    for carrier in (cheap, premium, unranked):
        FacilityCarrierConnectionFactory(facility=store, carrier=carrier)
    configure(api_client, network["carrier"], thresholdPriceValue=threshold(3))
    configure(api_client, cheap, thresholdPriceValue=threshold(1, high=5000))
    configure(api_client, premium, thresholdPriceValue=threshold(2, low=5000))

    def ranking(product_value=None):
        body = {"productValue": product_value} if product_value else {}
        response = api_client.post(
            f"/api/facilities/{store.id}/carriers/prioritization", body, format="json"
        )
        assert response.status_code == 200, response.json()
        result = response.json()
        return (
            [(item["carrier"]["key"], item["priority"]) for item in result["recommendedCarriers"]],
            [item["carrier"]["key"] for item in result["otherCarriers"]],
        )

    # €25.00 (2500 cents): CHEAP's range, not PREMIUM's.
    assert ranking({"value": 2500, "currency": "EUR", "decimalPlaces": 2}) == (
        [("CHEAP", 1), ("POSTNL", 3)],
        ["PREMIUM"],
    )
    assert ranking({"value": 80, "currency": "EUR", "decimalPlaces": 0}) == (
        [("PREMIUM", 2), ("POSTNL", 3)],
        ["CHEAP"],
    )
    assert ranking({"value": 2500, "currency": "CHF", "decimalPlaces": 2}) == (
        [],
        ["CHEAP", "PREMIUM", "POSTNL"],
    )
    assert ranking() == ([("CHEAP", 1), ("PREMIUM", 2), ("POSTNL", 3)], [])
    bad = api_client.post(
        f"/api/facilities/{store.id}/carriers/prioritization",
        {"productValue": {"value": 0, "currency": "EUR", "decimalPlaces": 2}},
        format="json",
    )
    assert bad.status_code == 400


def test_a_promise_ships_with_the_prioritised_carrier_of_two_equal_ones(api_client):
    network = small_network({"SNEAK-W-4891": 5})
    # A second carrier at the store with the same service as POSTNL, its key sorting first.
    rival = CarrierFactory(key="AAA_PARCELS", name="AAA Parcels")
    CountryServiceMappingFactory(carrier=rival)
    FacilityCarrierConnectionFactory(facility=network["store"], carrier=rival)

    def carrier_of_a_promise():
        response = api_client.post(
            "/api/promises/deliverypromise",
            example_promise([("SNEAK-W-4891", 1)]),
            format="json",
        )
        assert response.status_code == 201, response.json()
        return response.json()["shipToCustomer"][0]["carriers"][0]["carrierKey"]

    assert carrier_of_a_promise() == "AAA_PARCELS"  # a tie, no priorities: the key decides
    # The configuration write changes the carrier, so the next checkout's network is fresh.
    configure(api_client, network["carrier"], thresholdPriceValue=threshold(1))
    assert carrier_of_a_promise() == "POSTNL"
