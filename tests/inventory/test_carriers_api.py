"""Carriers, country service mappings and facility connections over HTTP."""

import pytest

from inventory.models import Carrier, CarrierCountryServiceMapping, FacilityCarrierConnection
from tests.inventory.factories import (
    CarrierFactory,
    CountryServiceMappingFactory,
    FacilityCarrierConnectionFactory,
    FacilityFactory,
)

pytestmark = pytest.mark.django_db


def test_carrier_create_read_list_patch(api_client, django_assert_max_num_queries):
    response = api_client.post(
        "/api/carriers",
        {"key": "POSTNL", "name": "PostNL", "status": "ACTIVE", "deliveryType": "DELIVERY"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    carrier = response.json()
    assert carrier["key"] == "POSTNL" and carrier["deliveryType"] == "DELIVERY"
    assert carrier["defaultParcelHeightInCm"] == 10 and carrier["version"] == 1

    assert api_client.get(f"/api/carriers/{carrier['id']}").json() == carrier
    assert api_client.get("/api/carriers/POSTNL").json()["id"] == carrier["id"]
    CarrierFactory.create_batch(3)
    with django_assert_max_num_queries(5):
        listing = api_client.get("/api/carriers").json()
    assert listing["total"] == 4 and {"id", "key", "name", "version"} <= set(listing["carriers"][0])

    patched = api_client.patch(
        f"/api/carriers/{carrier['id']}",
        {"version": 1, "actions": [{"action": "ModifyCarrier", "status": "INACTIVE"}]},
        format="json",
    )
    assert patched.status_code == 200 and patched.json()["status"] == "INACTIVE"
    stale = api_client.patch(
        f"/api/carriers/{carrier['id']}",
        {"version": 1, "actions": [{"action": "ModifyCarrier", "name": "x"}]},
        format="json",
    )
    assert stale.status_code == 409
    assert Carrier.objects.get(key="POSTNL").name == "PostNL"


def test_carrier_bad_status_is_400(api_client):
    response = api_client.post(
        "/api/carriers", {"key": "X", "name": "X", "status": "BROKEN"}, format="json"
    )
    assert response.status_code == 400
    assert not Carrier.objects.exists()


def test_country_service_mappings_round_trip(api_client):
    carrier = CarrierFactory()
    base = f"/api/carriers/{carrier.id}/configuration/countryservicemappings"
    body = {
        "carrierConfigurationVersion": 1,
        "source": {"countryCode": "NL"},
        "destinations": [{"countryCode": "DE", "postalCodes": ["10115"]}],
        "carrierProductCategory": "EXPRESS",
        "transitTime": {"minTransitDays": 1, "maxTransitDays": 2},
        "deliveryCosts": [{"cost": 9.95, "currency": "EUR"}],
    }
    response = api_client.post(base, body, format="json")
    assert response.status_code == 201, response.json()
    mapping = response.json()
    assert mapping["source"] == {"countryCode": "NL"}
    assert mapping["destinations"] == body["destinations"]
    assert mapping["destinationCountries"] == ["DE"]
    assert mapping["transitTime"] == body["transitTime"]
    assert mapping["deliveryCosts"] == body["deliveryCosts"]
    assert mapping["carrierProductCategory"] == "EXPRESS"

    assert api_client.get(base).json() == [mapping]
    assert api_client.get(f"{base}/{mapping['id']}").json() == mapping
    configuration = api_client.get(f"/api/carriers/{carrier.id}/configuration").json()
    assert configuration["version"] == 2

    stale = api_client.patch(
        f"{base}/{mapping['id']}", {"carrierConfigurationVersion": 1}, format="json"
    )
    assert stale.status_code == 409
    patched = api_client.patch(
        f"{base}/{mapping['id']}",
        {
            "carrierConfigurationVersion": 2,
            "transitTime": {"minTransitDays": 2, "maxTransitDays": 3},
        },
        format="json",
    )
    assert patched.status_code == 200 and patched.json()["transitTime"]["maxTransitDays"] == 3

    assert api_client.delete(f"{base}/{mapping['id']}").status_code == 200
    assert not CarrierCountryServiceMapping.objects.exists()
    assert api_client.get(f"{base}/{mapping['id']}").status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"carrierProductCategory": "SLOW"},
        {"transitTime": {"minTransitDays": 3, "maxTransitDays": 1}},
        {"deliveryCosts": [{"cost": -1, "currency": "EUR"}]},
        {"source": {"countryCode": "nl"}},
    ],
)
def test_bad_mapping_is_400(api_client, change):
    carrier = CarrierFactory()
    body = {
        "carrierConfigurationVersion": 1,
        "source": {"countryCode": "NL"},
        "destinations": [{"countryCode": "NL"}],
        **change,
    }
    response = api_client.post(
        f"/api/carriers/{carrier.id}/configuration/countryservicemappings", body, format="json"
    )
    assert response.status_code == 400
    assert not CarrierCountryServiceMapping.objects.exists()


def test_facility_carrier_connection(api_client):
    facility = FacilityFactory(tenant_facility_id="NL-AMS-01")
    carrier = CarrierFactory(key="DHL")
    path = "/api/facilities/NL-AMS-01/carriers/DHL"
    assert api_client.get(path).status_code == 404
    body = {
        "status": "ACTIVE",
        "cutoffTime": {"hour": 15, "minute": 30},
        "validDeliveryTargets": ["SHIP_TO_CUSTOMER", "SHIP_TO_STORE"],
        "deliveryAreas": [{"country": "NL", "postalCode": "1012"}],
    }
    response = api_client.post(path, body, format="json")
    assert response.status_code == 201, response.json()
    connection = response.json()
    for field, value in body.items():
        assert connection[field] == value
    assert connection["carrierRef"] == str(carrier.id)
    assert connection["facilityRef"] == str(facility.id)
    assert connection["key"] == "DHL"
    assert api_client.post(path, body, format="json").status_code == 409

    same = api_client.get(f"/api/facilities/{facility.id}/carriers/{carrier.id}").json()
    assert same == connection

    updated = api_client.put(
        path, {"version": 1, "cutoffTime": {"hour": 12, "minute": 0}}, format="json"
    )
    assert updated.status_code == 200 and updated.json()["cutoffTime"] == {"hour": 12, "minute": 0}
    bad = api_client.put(
        path, {"version": 2, "cutoffTime": {"hour": 24, "minute": 0}}, format="json"
    )
    assert bad.status_code == 400
    bad_target = api_client.put(
        path, {"version": 2, "validDeliveryTargets": ["SHIP_TO_MOON"]}, format="json"
    )
    assert bad_target.status_code == 400
    assert FacilityCarrierConnection.objects.get().cutoff_hour == 12

    carriers = api_client.get("/api/facilities/NL-AMS-01/carriers").json()
    assert carriers["total"] == 1 and carriers["carriers"][0]["key"] == "DHL"


def test_connection_to_unknown_carrier_is_404(api_client):
    facility = FacilityFactory()
    response = api_client.post(f"/api/facilities/{facility.id}/carriers/NOPE", {}, format="json")
    assert response.status_code == 404


def test_factories_build_a_connected_network(db):
    connection = FacilityCarrierConnectionFactory()
    CountryServiceMappingFactory(carrier=connection.carrier)
    assert connection.carrier.country_service_mappings.count() == 1
