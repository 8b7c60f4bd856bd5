"""Facilities over HTTP: reference field names round-trip, both facility references work,
optimistic locking, and bad input changes nothing."""

import pytest

from inventory.models import Facility
from tests.inventory.factories import FacilityFactory, StockFactory

pytestmark = pytest.mark.django_db

STORE = {
    "name": "Utrecht Centrum",
    "tenantFacilityId": "NL-UTR-01",
    "type": "MANAGED_FACILITY",
    "locationType": "STORE",
    "status": "ONLINE",
    "address": {
        "companyName": "DOMS Retail B.V.",
        "street": "Oudegracht",
        "houseNumber": "120",
        "postalCode": "3511 AV",
        "city": "Utrecht",
        "country": "NL",
        "resolvedCoordinates": {"lat": 52.0907, "lon": 5.1214},
    },
    "services": [{"type": "SHIP_FROM_STORE"}, {"type": "PICKUP"}],
    "pickingTimes": {
        "monday": [{"start": {"hour": 9, "minute": 0}, "end": {"hour": 18, "minute": 0}}],
        "saturday": [{"start": {"hour": 10, "minute": 0}, "end": {"hour": 17, "minute": 30}}],
    },
    "closingDays": [
        {"date": "2026-12-25T00:00:00Z", "reason": "Christmas", "recurrence": "YEARLY"}
    ],
    "fulfillmentProcessBuffer": 180,
    "contact": {"firstName": "Anna", "lastName": "de Vries"},
    "customAttributes": {"region": "Midden"},
}


def create(api_client, body=None):
    response = api_client.post("/api/facilities", body or STORE, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_and_read_round_trips_reference_fields(api_client):
    created = create(api_client)
    for field in (
        "name",
        "tenantFacilityId",
        "type",
        "locationType",
        "status",
        "address",
        "services",
        "pickingTimes",
        "fulfillmentProcessBuffer",
        "contact",
        "customAttributes",
    ):
        assert created[field] == STORE[field], field
    assert created["closingDays"][0]["reason"] == "Christmas"
    assert created["version"] == 1 and created["id"]

    by_id = api_client.get(f"/api/facilities/{created['id']}").json()
    by_tenant_id = api_client.get("/api/facilities/NL-UTR-01").json()
    assert by_id == by_tenant_id == created

    facility = Facility.objects.get(id=created["id"])
    assert (facility.country, facility.postal_code, facility.city) == ("NL", "3511 AV", "Utrecht")
    assert (facility.latitude, facility.longitude) == (52.0907, 5.1214)


def test_defaults_buffer_and_type(api_client):
    body = {k: v for k, v in STORE.items() if k not in ("fulfillmentProcessBuffer", "type")}
    created = create(api_client, body)
    assert created["fulfillmentProcessBuffer"] == 240
    assert created["type"] == "MANAGED_FACILITY"


def test_list_filters_and_stripped_fields(api_client, django_assert_max_num_queries):
    FacilityFactory.create_batch(5)
    FacilityFactory(status="OFFLINE", tenant_facility_id="OFF-1")
    with django_assert_max_num_queries(6):
        response = api_client.get("/api/facilities?size=3")
    body = response.json()
    assert body["total"] == 6 and len(body["facilities"]) == 3
    first = body["facilities"][0]
    assert {"id", "version", "name", "status", "type", "city", "country", "postalCode"} <= set(
        first
    )

    next_page = api_client.get(
        f"/api/facilities?size=3&startAfterId={body['facilities'][-1]['id']}"
    )
    ids = [f["id"] for f in body["facilities"] + next_page.json()["facilities"]]
    assert len(set(ids)) == 6

    offline = api_client.get("/api/facilities?status=OFFLINE").json()
    assert [f["tenantFacilityId"] for f in offline["facilities"]] == ["OFF-1"]
    assert api_client.get("/api/facilities?tenantFacilityId=OFF-1").json()["total"] == 1


def test_put_replaces_and_bumps_version(api_client):
    created = create(api_client)
    body = {
        **{k: v for k, v in STORE.items() if k not in ("contact", "customAttributes")},
        "name": "Utrecht Hoog Catharijne",
        "capacityEnabled": False,
        "version": 1,
    }
    response = api_client.put(f"/api/facilities/{created['id']}", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Utrecht Hoog Catharijne"
    assert response.json()["version"] == 2
    assert "contact" not in response.json()  # replaced, not merged


def test_patch_by_tenant_id_and_version_conflict(api_client):
    create(api_client)
    response = api_client.patch(
        "/api/facilities/NL-UTR-01",
        {"type": "MANAGED_FACILITY", "version": 1, "status": "SUSPENDED"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "SUSPENDED" and response.json()["version"] == 2
    assert response.json()["address"] == STORE["address"]  # untouched

    stale = api_client.patch(
        "/api/facilities/NL-UTR-01",
        {"type": "MANAGED_FACILITY", "version": 1, "status": "ONLINE"},
        format="json",
    )
    assert stale.status_code == 409
    assert stale.json()[0]["version"] == 2 and stale.json()[0]["requestVersion"] == 1
    assert Facility.objects.get().status == "SUSPENDED"


def test_patch_with_modify_facility_actions(api_client):
    created = create(api_client)
    response = api_client.patch(
        f"/api/facilities/{created['id']}",
        {"version": 1, "actions": [{"action": "ModifyFacility", "name": "Renamed"}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Renamed"


@pytest.mark.parametrize(
    "change",
    [
        {"address": {**STORE["address"], "resolvedCoordinates": {"lat": 91, "lon": 5}}},
        {"address": {**STORE["address"], "resolvedCoordinates": {"lat": 52, "lon": -180.5}}},
        {"status": "CLOSED"},
        {"locationType": "SHOP"},
        {"services": [{"type": "SAME_DAY"}]},
        {"fulfillmentProcessBuffer": -1},
        {"address": {**STORE["address"], "country": "Netherlands"}},
        {
            "pickingTimes": {
                "monday": [{"start": {"hour": 18, "minute": 0}, "end": {"hour": 9, "minute": 0}}]
            }
        },
        {"unknownField": 1},
    ],
)
def test_bad_input_is_400_and_creates_nothing(api_client, change):
    response = api_client.post("/api/facilities", {**STORE, **change}, format="json")
    assert response.status_code == 400
    assert response.json()[0]["summary"]
    assert not Facility.objects.exists()


def test_duplicate_tenant_facility_id_is_409(api_client):
    create(api_client)
    response = api_client.post("/api/facilities", STORE, format="json")
    assert response.status_code == 409
    assert Facility.objects.count() == 1


def test_unknown_facility_is_404_api_error(api_client):
    for path in (
        "/api/facilities/not-a-uuid",
        "/api/facilities/00000000-0000-0000-0000-000000000000",
    ):
        response = api_client.get(path)
        assert response.status_code == 404
        assert response.json()[0]["summary"] == "Facility not found."


def test_delete_facility_removes_it_and_its_stock(api_client):
    stock = StockFactory()
    response = api_client.delete(f"/api/facilities/{stock.facility_id}")
    assert response.status_code == 200
    assert not Facility.objects.exists()


def test_permissions_per_method(db):
    from tests.conftest import make_token_client

    viewer = make_token_client("viewer", permissions=["inventory.view_facility"])
    assert viewer.get("/api/facilities").status_code == 200
    assert viewer.post("/api/facilities", STORE, format="json").status_code == 403
    assert not Facility.objects.exists()
