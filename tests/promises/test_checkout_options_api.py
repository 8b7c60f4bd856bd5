"""The checkout options over HTTP on the demo network: the reference's response schemas, nothing
reserved or written, and a promise made right after agrees with what they said."""

import datetime as dt
import io
import json
from functools import cache
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft7Validator

from config import clock
from config.models import IdempotencyKey
from events.models import OutboxEvent
from inventory.models import Facility, FacilityDailyOrders, Reservation
from orders.models import Order
from tests.conftest import make_token_client
from tests.promises.helpers import example_promise

pytestmark = pytest.mark.django_db

BASE = "/api/promises/checkoutoptions"
SCHEMAS = Path(__file__).resolve().parents[1] / "contract" / "checkout.json"
# Monday 23 November 2026, 10:00 in Amsterdam: every demo facility is inside a picking window.
MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
AMSTERDAM = {"street": "Rombout Hogerbeetsstraat", "houseNumber": "96", "postalCode": "1052 XM"}
AMSTERDAM = {**AMSTERDAM, "city": "Amsterdam", "country": "NL"}
ARTICLE = "TSHIRT-W-2468"


@cache
def _definitions():
    return json.loads(SCHEMAS.read_text())["definitions"]


def contract_errors(schema_name, document):
    schema = {"$ref": f"#/definitions/{schema_name}", "definitions": _definitions()}
    return [f"{list(e.path)}: {e.message}" for e in Draft7Validator(schema).iter_errors(document)]


@pytest.fixture
def demo_network(db):
    call_command("seed_demo", articles=20, stdout=io.StringIO())


def store(tenant_facility_id="ST-NL-AMSTERDAM"):
    return str(Facility.objects.get(tenant_facility_id=tenant_facility_id).id)


def post(client, path, body):
    with clock.frozen_at(MONDAY):
        return client.post(f"{BASE}{path}", body, format="json")


def requests_of_every_endpoint():
    """(path, body, response schema) for each endpoint, as a shop would send them."""
    amsterdam_store = store()
    return [
        (
            "/delivery/earliest",
            {"consumerAddress": AMSTERDAM, "tenantArticleIds": [ARTICLE, "JEANS-B-2605"]},
            "CheckoutOptionsDeliveryEarliestResponse",
        ),
        (
            "/delivery/timeperiod",
            {"basket": [{"tenantArticleId": ARTICLE, "quantity": 2}], "consumerAddress": AMSTERDAM},
            "CheckoutOptionsDeliveryTimePeriodResponse",
        ),
        (
            "/delivery/timepoint",
            {
                "desiredDeliveryDate": "2026-11-26T12:00:00.000Z",
                "tenantArticleIds": [ARTICLE],
                "facilities": [
                    {"facilityRef": amsterdam_store, "latestPickingStart": "2026-11-23T15:00:00Z"}
                ],
            },
            "CheckoutOptionsDeliveryTimePointResponse",
        ),
        (
            "/collect/earliest",
            {"tenantArticleIds": [ARTICLE], "facilities": [{"tenantFacilityRef": "ST-NL-UTRECHT"}]},
            "CheckoutOptionsCollectEarliestResponse",
        ),
        (
            "",
            {
                "consumerAddress": AMSTERDAM,
                "orderLineItems": [{"article": {"tenantArticleId": ARTICLE}, "quantity": 1}],
                "deliveryPreferences": {"shipping": {"serviceLevel": "DELIVERY"}},
            },
            "ResponseForSFSCheckoutOptions",
        ),
        (
            "",
            {
                "orderLineItems": [{"article": {"tenantArticleId": ARTICLE}, "quantity": 1}],
                "deliveryPreferences": {"collect": [{"facilityRef": amsterdam_store}]},
            },
            "ResponseForCNCCheckoutOptions",
        ),
    ]


def written_rows():
    return [
        model.objects.count()
        for model in (Order, Reservation, FacilityDailyOrders, OutboxEvent, IdempotencyKey)
    ]


def test_every_endpoint_answers_the_reference_schema_and_reserves_nothing(demo_network):
    client = make_token_client("shop", permissions="view")  # a read, like sourcing options
    before = written_rows()
    for path, body, schema in requests_of_every_endpoint():
        response = post(client, path, body)
        assert response.status_code == 200, (path, response.json())
        answer = response.json()
        assert contract_errors(schema, answer) == [], (path, answer)
        assert response["Cache-Control"] == "private, max-age=60"
        assert response["ETag"].startswith('W/"')
        assert answer[next(iter(answer))], (path, answer)  # something was found
    assert written_rows() == before


def test_the_product_page_says_when_and_with_whom(demo_network, api_client):
    response = post(
        api_client,
        "/delivery/earliest",
        {
            "consumerAddress": AMSTERDAM,
            "tenantArticleIds": [ARTICLE],
            "includeCalculationHints": True,
        },
    )
    [item] = response.json()["checkoutOptions"]
    # Leaves a Dutch facility today, arrives Tuesday (midnight Amsterdam time, in UTC).
    assert item["earliestPredictedDeliveryDate"] == "2026-11-23T23:00:00.000Z"
    [carrier] = item["availableCarriers"]
    assert carrier["name"] == "PostNL"
    # PostNL's calendar in the demo: no delivery on Sundays.
    assert carrier["nonDeliveryDays"][:2] == ["2026-11-29", "2026-12-06"]
    assert any("Geo distance" in hint for hint in response.json()["calculationHints"])


def test_a_promise_right_after_agrees_with_the_options(demo_network, api_client):
    period = post(
        api_client,
        "/delivery/timeperiod",
        {"basket": [{"tenantArticleId": ARTICLE, "quantity": 1}], "consumerAddress": AMSTERDAM},
    ).json()["checkoutOptions"]
    first_all = next(day for day in period if day["overallStatus"] == "ALL")
    earliest = post(
        api_client,
        "/delivery/earliest",
        {"consumerAddress": AMSTERDAM, "tenantArticleIds": [ARTICLE]},
    ).json()["checkoutOptions"][0]
    sfs = post(
        api_client,
        "",
        {
            "consumerAddress": AMSTERDAM,
            "orderLineItems": [{"article": {"tenantArticleId": ARTICLE}, "quantity": 1}],
            "deliveryPreferences": {"shipping": {}},
        },
    ).json()["facilities"]

    with clock.frozen_at(MONDAY):
        promised = api_client.post(
            "/api/promises/deliverypromise", example_promise([(ARTICLE, 1)]), format="json"
        )
    assert promised.status_code == 201, promised.json()
    body = promised.json()
    [shipment] = body["shipToCustomer"]
    [carrier] = shipment["carriers"]
    # The same facility (first in the cart options), carrier and dates.
    assert shipment["facility"]["facilityRef"] == sfs[0]["facilityRef"]
    assert carrier["carrierRef"] == earliest["availableCarriers"][0]["carrierRef"]
    assert sfs[0]["deliveryOptions"][0]["products"] == carrier["products"]
    estimated = dt.date.fromisoformat(body["sourcingOption"]["estimatedDeliveryDate"])
    amsterdam_midnight = dt.datetime.combine(estimated, dt.time(), tzinfo=clock_zone())
    assert first_all["date"] == amsterdam_midnight.astimezone(dt.UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z"
    )
    [product] = carrier["products"]
    min_days = product["estimatedDeliveryTime"]["minDeliveryDays"]
    assert earliest["earliestPredictedDeliveryDate"].startswith(
        str(dt.date(2026, 11, 23) + dt.timedelta(days=min_days - 1))  # 23:00Z the day before
    )


def clock_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Amsterdam")


def test_a_collect_right_after_is_ready_when_the_options_said(demo_network, api_client):
    utrecht = store("ST-NL-UTRECHT")
    [option] = post(
        api_client,
        "/collect/earliest",
        {"tenantArticleIds": [ARTICLE], "facilities": [{"facilityRef": utrecht}]},
    ).json()["checkoutOptions"]
    body = example_promise([(ARTICLE, 1)])
    body["deliveryPreferences"] = {"collect": [{"facilityRef": utrecht}]}
    with clock.frozen_at(MONDAY):
        promised = api_client.post("/api/promises/deliverypromise", body, format="json")
    assert promised.status_code == 201, promised.json()
    assert promised.json()["collect"]["targetTime"] == option["earliestPredictedProvisioningDate"]
    assert option["available"] == 4  # the demo's Utrecht store holds 4 T-shirts


def test_christmas_days_are_no_delivery_days_in_the_period(demo_network, api_client):
    body = {
        "basket": [{"tenantArticleId": ARTICLE, "quantity": 1}],
        "consumerAddress": AMSTERDAM,
        "startDate": "2026-12-23T12:00:00Z",
        "endDate": "2026-12-29T12:00:00Z",
    }
    with clock.frozen_at(dt.datetime(2026, 12, 23, 8, 0, tzinfo=dt.UTC)):
        response = api_client.post(f"{BASE}/delivery/timeperiod", body, format="json")
    statuses = {
        day["date"][:10]: day["overallStatus"] for day in response.json()["checkoutOptions"]
    }
    # (dates are Amsterdam midnights in UTC: "2026-12-24T23:00Z" is 25 December)
    assert statuses == {
        "2026-12-22": "NONE",  # 23 December: not yet
        "2026-12-23": "ALL",  # 24 December
        "2026-12-24": "NONE",  # Christmas Day
        "2026-12-25": "NONE",  # Second Day of Christmas
        "2026-12-26": "NONE",  # Sunday
        "2026-12-27": "ALL",
        "2026-12-28": "ALL",
    }


def test_the_etag_moves_with_the_network(demo_network, api_client):
    body = {"consumerAddress": AMSTERDAM, "tenantArticleIds": [ARTICLE]}
    first = post(api_client, "/delivery/earliest", body)
    again = post(api_client, "/delivery/earliest", body)
    facility = Facility.objects.get(tenant_facility_id="ST-NL-HAARLEM")
    facility.fulfillment_process_buffer += 1
    facility.version += 1
    facility.save()
    changed = post(api_client, "/delivery/earliest", body)
    assert first["ETag"] == again["ETag"] != changed["ETag"]


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        (
            "/delivery/earliest",
            {"consumerAddress": AMSTERDAM, "tenantArticleIds": [ARTICLE], "filter": {"tags": []}},
            "filter: Not supported",
        ),
        (
            "/delivery/timepoint",
            {
                "desiredDeliveryDate": "2026-11-26T12:00:00Z",
                "tenantArticleIds": [ARTICLE],
                "facilities": [
                    {"facilityRef": "NO-SUCH", "latestPickingStart": "2026-11-23T15:00:00Z"}
                ],
            },
            "facilities: unknown facility.",
        ),
        (
            "/delivery/timeperiod",
            {
                "basket": [{"tenantArticleId": ARTICLE, "quantity": 1}],
                "consumerAddress": AMSTERDAM,
                "startDate": "2026-11-23T00:00:00Z",
                "endDate": "2027-02-23T00:00:00Z",
            },
            "The period may span at most 62 days.",
        ),
        (
            "/delivery/earliest",
            {"consumerAddress": AMSTERDAM, "tenantArticleIds": []},
            "tenantArticleIds",
        ),
        (
            "",
            {
                "orderLineItems": [{"article": {"tenantArticleId": ARTICLE}, "quantity": 1}],
                "deliveryPreferences": {},
            },
            "consumerAddress: Required for shipping",
        ),
    ],
)
def test_bad_requests_are_an_api_error_and_write_nothing(
    demo_network, api_client, path, body, message
):
    before = written_rows()
    response = post(api_client, path, body)
    assert response.status_code == 400, response.json()
    assert message in response.json()[0]["summary"]
    assert written_rows() == before


def test_permissions_are_the_sourcing_options_ones(demo_network, anonymous_client):
    body = {"consumerAddress": AMSTERDAM, "tenantArticleIds": [ARTICLE]}
    assert post(anonymous_client, "/delivery/earliest", body).status_code == 401
    no_rights = make_token_client("nobody", permissions=[])
    assert post(no_rights, "/delivery/earliest", body).status_code == 403


def test_a_promise_without_coordinates_is_rated_by_distance_from_its_city(demo_network, api_client):
    with clock.frozen_at(MONDAY):
        response = api_client.post(
            "/api/promises/deliverypromise", example_promise([(ARTICLE, 1)]), format="json"
        )
    assert response.status_code == 201, response.json()
    ratings = {r["id"]: r for r in response.json()["sourcingOption"]["ratingResults"]}
    distance = ratings["geoDistance"]
    assert distance["metric"] is not None and distance["metric"] < 20  # an Amsterdam facility
    assert distance["destinationCoordinates"] == {
        "lat": 52.37403,
        "lon": 4.88969,
        "source": "the centre of Amsterdam, NL (GeoNames city)",
    }
    assert "from the centre of Amsterdam, NL (GeoNames city)" in distance["explanation"]


def test_a_time_point_is_met_only_by_facilities_that_can_still_pick_in_time(
    demo_network, api_client
):
    amsterdam, utrecht = store(), store("ST-NL-UTRECHT")
    body = {
        "desiredDeliveryDate": "2026-11-25T12:00:00Z",
        "tenantArticleIds": [ARTICLE],
        "facilities": [
            # Picking at the Amsterdam store has started (09:30–18:00): in time.
            {"facilityRef": amsterdam, "latestPickingStart": "2026-11-23T12:00:00Z"},
            # Before Utrecht could start: not in time, whatever it holds.
            {"facilityRef": utrecht, "latestPickingStart": "2026-11-23T08:00:00Z"},
        ],
    }
    items = post(api_client, "/delivery/timepoint", body).json()["items"]
    assert [(i["facilityRef"], i["available"]) for i in items] == [(amsterdam, 6), (utrecht, 0)]
