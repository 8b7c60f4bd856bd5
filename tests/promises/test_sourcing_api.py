"""POST /api/routing/sourcingoptions: the engine's answer on the wire, nothing reserved."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from config import clock
from inventory.models import Reservation
from orders.models import Order
from promises import services, sourcing_store
from tests.conftest import make_token_client
from tests.promises.test_adapter import demo_like_network

pytestmark = pytest.mark.django_db

URL = "/api/routing/sourcingoptions"
SCHEMAS = Path(__file__).resolve().parents[1] / "contract" / "routing.json"


@cache
def _definitions():
    return json.loads(SCHEMAS.read_text())["definitions"]


def contract_errors(schema_name, document):
    schema = {"$ref": f"#/definitions/{schema_name}", "definitions": _definitions()}
    validator = Draft7Validator(schema)
    return [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(document)]


def sourcing_request(lines=None, **order):
    lines = lines or [("TSHIRT-W-2468", 10), ("JEANS-B-2605", 3), ("SNEAK-W-4891", 1)]
    body = {
        "order": {
            "consumer": {
                "addresses": [
                    {
                        "country": "NL",
                        "city": "Amsterdam",
                        "postalCode": "1052 XM",
                        "coordinates": {"lat": 52.3676, "lon": 4.8707},
                    }
                ]
            },
            "orderLineItems": [
                {"article": {"tenantArticleId": article, "title": article}, "quantity": quantity}
                for article, quantity in lines
            ],
            "deliveryPreferences": {"shipping": {"serviceLevel": "DELIVERY"}},
            **order,
        },
        "resourceInvestment": {"level": 0.5},
    }
    return body


def test_example_order_options_explain_the_warehouse_choice(api_client):
    network = demo_like_network()
    response = api_client.post(URL, sourcing_request(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert contract_errors("SourcingOptionsResponse", body) == []
    [option] = body["result"]["options"]
    assert option["runId"] == body["id"]
    warehouse_id = str(network["warehouse"].id)
    facility_nodes = [node for node in option["nodes"] if node["type"] != "CUSTOMER"]
    assert [node["facilityRef"] for node in facility_nodes] == [warehouse_id]
    customer = next(node for node in option["nodes"] if node["type"] == "CUSTOMER")
    [transfer] = option["transfers"]
    assert transfer["sourceNodeRef"] == facility_nodes[0]["id"]
    assert transfer["targetNodeRef"] == customer["id"]
    assert transfer["carrier"] == {"carrierKey": "POSTNL", "carrierName": "PostNL"}
    assert transfer["timeLine"]["usedTransitTimeInDays"] == 2
    assert sorted((i["tenantArticleId"], i["quantity"]) for i in transfer["lineItems"]) == [
        ("JEANS-B-2605", 3),
        ("SNEAK-W-4891", 1),
        ("TSHIRT-W-2468", 10),
    ]
    assert option["nonAssignedOrderLineItems"] == []
    assert option["totalCosts"]["totalCosts"] == {
        "value": 4.95,
        "currency": "EUR",
        "decimalPlaces": 2,
    }
    ratings = {rating["id"]: rating for rating in option["ratingResults"]}
    assert ratings["numberOfDeliveries"]["penalty"] == 0
    assert "km" in ratings["geoDistance"]["explanation"]
    assert option["totalPenalty"] == pytest.approx(sum(r["penalty"] for r in ratings.values()))
    assert "estimatedDeliveryDate" in option
    # A what-if: nothing reserved, no order created.
    assert Reservation.objects.count() == 0
    assert Order.objects.count() == 0


def test_click_and_collect_option_has_a_pickup_node_and_transfers(api_client):
    network = demo_like_network()
    pickup = network["stores"][0]  # holds the T-shirts and one pair of jeans
    body = sourcing_request(
        deliveryPreferences={"collect": [{"tenantFacilityId": pickup.tenant_facility_id}]}
    )
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    [option] = response.json()["result"]["options"]
    assert contract_errors("SourcingOption", option) == []
    pickup_node = next(node for node in option["nodes"] if node.get("isPickUpLocation"))
    assert pickup_node["facilityRef"] == str(pickup.id)
    assert option["transfers"]
    for transfer in option["transfers"]:
        assert transfer["targetNodeRef"] == pickup_node["id"]
        assert {"calculationStartPoint", "earliestPickingStart", "latestPickingStart"} <= set(
            transfer["timeLine"]
        )
    assert "estimatedPickupDate" in option


def test_supplying_facilities_configurations_restrict_transfer_sources(api_client):
    network = demo_like_network()
    pickup, other_store = network["stores"][0], network["stores"][1]
    body = sourcing_request(
        deliveryPreferences={
            "collect": [
                {
                    "facilityRef": str(pickup.id),
                    "supplyingFacilitiesConfigurations": [
                        {
                            "tenantFacilityId": other_store.tenant_facility_id,
                            "deliveryEvents": [
                                {"deliveryTarget": "SHIP_TO_STORE", "deliveryTrigger": "DEFAULT"}
                            ],
                        }
                    ],
                }
            ]
        }
    )
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    [option] = response.json()["result"]["options"]
    # Only the named store may transfer (not the warehouse); with the pickup store's own
    # stock that covers the cart.
    sources = {t["sourceNodeRef"] for t in option["transfers"]}
    assert sources == {f"facility-{other_store.id}"}
    assert option["nonAssignedOrderLineItems"] == []


def test_requested_result_count_returns_ranked_alternatives(api_client):
    network = demo_like_network()
    body = sourcing_request()
    body["optimizationHints"] = {"requestedResultCount": 3}
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 201
    options = response.json()["result"]["options"]
    assert 2 <= len(options) <= 3
    assert contract_errors("SourcingOptionsResponse", response.json()) == []
    first_nodes = [n["facilityRef"] for n in options[0]["nodes"] if n["type"] != "CUSTOMER"]
    assert first_nodes == [str(network["warehouse"].id)]
    node_sets = [
        frozenset(n["facilityRef"] for n in option["nodes"] if n["type"] != "CUSTOMER")
        for option in options
    ]
    assert len(set(node_sets)) == len(node_sets)


def test_unsourceable_lines_are_listed_as_not_assigned(api_client):
    demo_like_network()
    response = api_client.post(URL, sourcing_request([("UNKNOWN-1", 2)]), format="json")
    assert response.status_code == 201
    [option] = response.json()["result"]["options"]
    assert option["nodes"] == [] and option["transfers"] == []
    assert option["nonAssignedOrderLineItems"] == [{"tenantArticleId": "UNKNOWN-1", "quantity": 2}]


@pytest.mark.parametrize(
    "mutate, fragment",
    [
        (lambda body: body.pop("order"), "order"),
        (lambda body: body["order"].update(unknownField=1), "unknownField"),
        (lambda body: body.update(resourceInvestment={"level": 2}), "level"),
        (lambda body: body["order"]["orderLineItems"][0].update(quantity=0), "quantity"),
        (lambda body: body["order"]["consumer"]["addresses"][0].pop("country"), "country"),
        (
            lambda body: body["order"].update(
                deliveryPreferences={"collect": [{"tenantFacilityId": "NOPE"}]}
            ),
            "unknown facility",
        ),
        (
            lambda body: body.update(optimizationHints={"requestedResultCount": 21}),
            "requestedResultCount",
        ),
    ],
)
def test_bad_input_is_a_400_api_error(api_client, mutate, fragment):
    demo_like_network()
    body = sourcing_request()
    mutate(body)
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert isinstance(errors, list) and errors[0]["summary"]
    assert fragment in json.dumps(errors)


def test_permissions(anonymous_client):
    demo_like_network()
    assert anonymous_client.post(URL, sourcing_request(), format="json").status_code == 401
    viewer = make_token_client("viewer", permissions=["orders.view_order"])
    assert viewer.post(URL, sourcing_request(), format="json").status_code == 201
    nobody = make_token_client("nobody", permissions=[])
    assert nobody.post(URL, sourcing_request(), format="json").status_code == 403


def test_stored_options_are_read_back_by_id_until_their_valid_until(api_client):
    demo_like_network()
    created = api_client.post(URL, sourcing_request(), format="json").json()
    valid_until = created["result"]["options"][0]["validUntil"]

    read = api_client.get(f"{URL}/{created['id']}")
    assert read.status_code == 200
    assert read.json() == created
    assert contract_errors("SourcingOptionsResponse", read.json()) == []
    assert api_client.get(f"{URL}/not-a-run").status_code == 404

    with clock.frozen_at(clock.now() + timedelta(hours=8, minutes=1)):
        gone = api_client.get(f"{URL}/{created['id']}")
        assert gone.status_code == 404
        assert "validUntil" in gone.json()[0]["description"]
        services.release_expired_promises()
    # The sweep dropped it: not even found at a time it would still be valid.
    assert sourcing_store.find(created["id"], clock.now()) is None
    assert valid_until.endswith("Z")


def test_an_unavailable_store_is_a_503_api_error_not_an_unreadable_id(api_client, monkeypatch):
    demo_like_network()
    store = sourcing_store.caches[sourcing_store.CACHE_ALIAS]

    def refuse(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(store, "set", refuse)
    response = api_client.post(URL, sourcing_request(), format="json")
    assert response.status_code == 503
    assert response.json()[0]["summary"].startswith("The store of sourcing options")
    assert "6379" not in response.content.decode()
    monkeypatch.setattr(store, "get", refuse)
    assert api_client.get(f"{URL}/00000000-0000-0000-0000-000000000001").status_code == 503


def test_another_web_process_reads_the_kept_answer(api_client):
    # gunicorn's workers are processes: the one that answers the GET is seldom the one that
    # answered the POST.
    demo_like_network()
    created = api_client.post(URL, sourcing_request(), format="json").json()
    program = (
        "import sys, django; django.setup()\n"
        "from promises.selectors import get_sourcing_options\n"
        "print(get_sourcing_options(sys.argv[1])['result']['options'][0]['runId'])"
    )
    other = subprocess.run(
        [sys.executable, "-c", program, created["id"]],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
    )
    assert other.stdout.strip() == created["id"]


def test_reading_stored_options_needs_the_read_permission(anonymous_client):
    demo_like_network()
    viewer = make_token_client("viewer", permissions=["orders.view_order"])
    run_id = viewer.post(URL, sourcing_request(), format="json").json()["id"]
    assert anonymous_client.get(f"{URL}/{run_id}").status_code == 401
    nobody = make_token_client("nobody", permissions=[])
    assert nobody.get(f"{URL}/{run_id}").status_code == 403
