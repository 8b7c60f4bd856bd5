"""Malformed facilities, listings, carriers, mappings, stocks and inventory queries."""

import pytest

from tests.hostile.helpers import Case, assert_refused
from tests.hostile.test_orders import BEYOND_64_BITS, YEAR_10000_UTC

pytestmark = pytest.mark.django_db

MAPPING = "/api/carriers/{carrier}/configuration/countryservicemappings/{mapping}"
LISTINGS = "/api/facilities/{facility}/listings"
STOCK = "/api/stocks/{stock}"
ADDRESS = {
    "companyName": "DOMS",
    "street": "Oudegracht",
    "houseNumber": "1",
    "postalCode": "3511 AV",
    "city": "Utrecht",
    "country": "NL",
}


def facility(case_name, mentioning=None, **changes):
    body = {"name": "Utrecht", "address": dict(ADDRESS)}
    body.update(changes)
    return Case(case_name, "POST", "/api/facilities", body, mentioning=mentioning)


def listing(name, mentioning=None, **changes):
    body = {"tenantArticleId": "JEANS-B-2605", "title": "Jeans", **changes}
    return Case(name, "PUT", LISTINGS, {"listings": [body]}, mentioning=mentioning)


def carrier(case_name, mentioning=None, **changes):
    return Case(
        case_name,
        "POST",
        "/api/carriers",
        {"key": "DHL", "name": "DHL", **changes},
        mentioning=mentioning,
    )


def mapping(name, mentioning=None, **changes):
    body = {"carrierConfigurationVersion": 1, **changes}
    return Case(name, "PATCH", MAPPING, body, mentioning=mentioning)


def new_stock(name, mentioning=None, **changes):
    body = {"facilityRef": "AMS-01", "tenantArticleId": "JEANS-B-2605", "value": 3, **changes}
    return Case(name, "POST", "/api/stocks", body, mentioning=mentioning)


def stock_update(name, mentioning=None, **changes):
    return Case(name, "PUT", STOCK, {"value": 3, "version": 1, **changes}, mentioning=mentioning)


def query(name, path):
    return Case(name, "GET", path)


CASES = [
    facility("facility NUL in a customAttributes key", "NUL", customAttributes={"a\u0000": 1}),
    facility("facility name a number", "name", name=5),
    facility("facility unknown type", "type", type="CASTLE"),
    facility("facility lower-case country", "country", address={**ADDRESS, "country": "nl"}),
    facility(
        "facility closing day in year 10000",
        "closingDays",
        closingDays=[{"date": YEAR_10000_UTC, "reason": "x", "recurrence": "YEARLY"}],
    ),
    facility("facility tags a string", "tags", tags="AAA"),
    facility(
        "facility buffer beyond 64 bits",
        "fulfillmentProcessBuffer",
        fulfillmentProcessBuffer=BEYOND_64_BITS,
    ),
    facility("facility capacityEnabled a string", "capacityEnabled", capacityEnabled="true"),
    facility(
        "facility picking time ending before it starts",
        None,
        pickingTimes={
            "monday": [{"start": {"hour": 18, "minute": 0}, "end": {"hour": 9, "minute": 0}}]
        },
    ),
    listing("listing tags a string", "tags", tags="AAA"),
    listing("listing tag without id", "tags", tags=[{"value": "x"}]),
    listing("listing negative price", "price", price=-1),
    listing("listing weight a word", "weight", weight="heavy"),
    listing("listing NUL in tenantArticleId", None, tenantArticleId="JEANS\u0000"),
    listing("listing scannable code a number", "scannableCodes", scannableCodes=[1]),
    listing("listing unknown status", "status", status="SOLD_OUT"),
    Case("no listings", "PUT", LISTINGS, {"listings": []}),
    carrier("carrier key a number", "key", key=123),
    carrier("carrier NUL in a credentials key", "NUL", credentials={"us\u0000er": "x"}),
    carrier("carrier without name", "name", name=None),
    carrier("carrier unknown status", "status", status="BROKEN"),
    carrier(
        "carrier parcel weight a word", "defaultParcelWeightInGram", defaultParcelWeightInGram="1kg"
    ),
    mapping(
        "mapping transitTime without maxTransitDays",
        "maxTransitDays",
        transitTime={"minTransitDays": 1},
    ),
    mapping("mapping deliveryCosts without currency", "currency", deliveryCosts=[{"cost": 1}]),
    mapping(
        "mapping version beyond 64 bits",
        "carrierConfigurationVersion",
        carrierConfigurationVersion=BEYOND_64_BITS,
    ),
    mapping(
        "mapping transit days reversed",
        "maxTransitDays",
        transitTime={"minTransitDays": 3, "maxTransitDays": 1},
    ),
    mapping(
        "mapping destination without countryCode", "countryCode", destinations=[{"postalCodes": []}]
    ),
    new_stock("stock NUL in tenantArticleId", None, tenantArticleId="A\u0000"),
    new_stock("stock negative value", "value", value=-1),
    new_stock("stock value beyond 64 bits", "value", value=BEYOND_64_BITS),
    new_stock("stock value as a string", "value", value="5"),
    new_stock("stock NUL in customAttributes", "NUL", customAttributes={"a": "\u0000"}),
    stock_update("stock locationRef 0", "locationRef", locationRef=0),
    stock_update("stock value beyond 32 bits", "value", value=2**31),
    stock_update("stock version beyond 64 bits", "version", version=BEYOND_64_BITS),
    stock_update("stock conditions unknown", "conditions", conditions=["BROKEN"]),
    Case(
        "stock feed of 501 items",
        "PUT",
        "/api/stocks",
        {
            "stocks": [
                {"facilityRef": "AMS-01", "tenantArticleId": f"A{n}", "value": 1}
                for n in range(501)
            ]
        },
    ),
    Case("stock feed item a string", "PUT", "/api/stocks", {"stocks": ["A"]}),
    Case(
        "connection cutoff hour 24",
        "PUT",
        "/api/facilities/{facility}/carriers/{carrier}",
        {"version": 1, "cutoffTime": {"hour": 24, "minute": 0}},
    ),
    Case(
        "connection unknown delivery target",
        "PUT",
        "/api/facilities/{facility}/carriers/{carrier}",
        {"version": 1, "validDeliveryTargets": ["MOON"]},
    ),
    query("NUL in stocks facilityRef", "/api/stocks?facilityRef=%00"),
    query("NUL in summaries tenantArticleIds", "/api/stocks/summaries?tenantArticleIds=a%00"),
    query("NUL in facilities tenantFacilityId", "/api/facilities?tenantFacilityId=%00"),
    query("NUL in reservations tenantArticleId", "/api/reservations?tenantArticleId=%00"),
    query("NUL in an order id", "/api/orders/%00"),
    query("stocks size 101", "/api/stocks?size=101"),
    query("reservations size 101", "/api/reservations?size=101"),
    query("stocks size 1e400", "/api/stocks?size=1e400"),
    query("orders size a word", "/api/orders?size=many"),
    query("invalid stocks cursor", "/api/stocks?startAfterId=garbage"),
    query("invalid reservations cursor", "/api/reservations?after=garbage"),
    query("invalid orders cursor", "/api/orders?startAfterId=garbage"),
    query("invalid facilities cursor", "/api/facilities?startAfterId=garbage"),
    query("invalid subscriptions cursor", "/api/subscriptions?startAfterId=garbage"),
]


@pytest.mark.parametrize("case", [case.param() for case in CASES])
def test_malformed_inventory_request_is_refused(api_client, world, case):
    assert_refused(api_client, case, world)
