"""Every list endpoint declares its query parameters in the schema, with the reference's names,
and answers a parameter it does not know with a 400 naming the ones it does (a misspelt filter
must not return unfiltered data)."""

import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import resolve

pytestmark = pytest.mark.django_db

# The reference's GET collections (reference-api-subset.openapi.json), which the schema must
# document with their parameters.
COLLECTIONS = [
    "/api/carriers",
    "/api/carriers/{carrierId}/configuration/countryservicemappings",
    "/api/facilities",
    "/api/facilities/{facilityId}/carriers",
    "/api/facilities/{facilityId}/listings",
    "/api/facilities/{facilityId}/listings/{tenantArticleId}/partialstocks",
    "/api/orders",
    "/api/reservations",
    "/api/stocks",
    "/api/stocks/summaries",
    "/api/subscriptions",
    "/api/supportedevents",
]
# The reference's parameter names each of them must declare (where the reference has them).
REFERENCE_PARAMETERS = {
    "/api/carriers": {"size", "startAfterId"},
    "/api/facilities": {"startAfterId", "status", "size", "tenantFacilityId", "orderBy", "type"},
    "/api/facilities/{facilityId}/listings": {
        "startAfterId",
        "size",
        "tenantArticleIds",
        "scannableCode",
    },
    "/api/orders": {"startAfterId", "size", "tenantOrderId", "consumerId"},
    "/api/reservations": {"size", "after"},
    "/api/stocks": {
        "facilityRef",
        "tenantFacilityId",
        "tenantArticleId",
        "locationRef",
        "size",
        "startAfterId",
    },
    "/api/stocks/summaries": {
        "size",
        "startAfterId",
        "facilityServiceTypes",
        "facilityStatus",
        "facilityRefs",
        "allowStale",
        "tenantArticleIds",
        "maxPageSize",
    },
    "/api/subscriptions": {"startAfterId", "size"},
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def concrete(path):
    return re.sub(r"\{[^}]+\}", "NOPE-1", path)


def view_of(path):
    return resolve(concrete(path)).func.view_class


def declared_query_parameters(schema, path):
    operation = schema["paths"][path]["get"]
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}


def test_every_list_endpoint_declares_what_its_query_serializer_accepts(schema):
    listed = [path for path, methods in schema["paths"].items() if "get" in methods]
    with_queries = [path for path in listed if hasattr(view_of(path), "query_serializer")]
    assert set(COLLECTIONS) <= set(with_queries)
    for path in with_queries:
        accepted = set(view_of(path).query_serializer().fields)
        assert declared_query_parameters(schema, path) == accepted, path
    for path, names in REFERENCE_PARAMETERS.items():
        assert names <= declared_query_parameters(schema, path), path


def test_path_parameters_carry_the_reference_names(schema):
    names = {
        name
        for path in schema["paths"]
        if path.startswith("/api/") and "{" in path
        for name in re.findall(r"\{([^}]+)\}", path)
    }
    assert not {name for name in names if "_" in name}, names
    assert {"facilityId", "carrierId", "stockId", "reservationId", "tenantArticleId"} <= names
    assert "countryServiceMappingId" in names and "carrierRef" in names


@pytest.mark.parametrize("path", COLLECTIONS)
def test_an_unknown_query_parameter_is_a_400_naming_the_known_ones(api_client, path):
    accepted = list(view_of(path).query_serializer().fields)

    response = api_client.get(concrete(path), {"noSuchFilter": "X"})

    assert response.status_code == 400, response.content
    [error] = response.json()
    assert error["summary"] == "Unknown query parameter: noSuchFilter."
    for name in accepted:
        assert name in error["description"]


def test_a_misspelt_summary_filter_is_refused_not_ignored(api_client):
    response = api_client.get("/api/stocks/summaries", {"tenantArticleId": "TSHIRT-W-2468"})

    assert response.status_code == 400
    assert "tenantArticleIds" in response.json()[0]["description"]


def test_array_parameters_are_read_exploded_or_comma_separated(api_client):
    exploded = api_client.get("/api/stocks/summaries?tenantArticleIds=A&tenantArticleIds=B")
    comma = api_client.get("/api/stocks/summaries?tenantArticleIds=A,B")
    bad_enum = api_client.get("/api/facilities?status=ONLINE,CLOSED")

    assert exploded.status_code == comma.status_code == 200
    assert bad_enum.status_code == 400
    assert "ONLINE, SUSPENDED, OFFLINE" in bad_enum.json()[0]["summary"]
