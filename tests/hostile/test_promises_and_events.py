"""Malformed delivery promises, promise configuration and subscriptions."""

import pytest

from tests.hostile.helpers import Case, assert_refused, nested
from tests.hostile.test_orders import BEYOND_64_BITS, YEAR_0_UTC, YEAR_10000_UTC, order

pytestmark = pytest.mark.django_db

PROMISE = "/api/promises/deliverypromise"
CONFIGURATION = "/api/configurations/promises"


def promise(name, mentioning=None, **changes):
    body = order(**changes)
    body.pop("tenantOrderId", None)
    return Case(name, "POST", PROMISE, body, mentioning=mentioning)


def configuration(name, body, mentioning=None):
    return Case(name, "PUT", CONFIGURATION, body, mentioning=mentioning)


def subscription(case_name, mentioning=None, **changes):
    body = {"name": "feed", "event": "ORDER_CREATED", "target": {"type": "WEBHOOK"}}
    body["target"]["callbackUrl"] = "https://erp.example.com/events"
    body.update(changes)
    return Case(case_name, "POST", "/api/subscriptions", body, mentioning=mentioning)


CASES = [
    promise("promise orderDate in UTC year 10000", "orderDate", orderDate=YEAR_10000_UTC),
    promise("promise orderDate in UTC year 0", "orderDate", orderDate=YEAR_0_UTC),
    promise("promise customAttributes nested 254 deep", None, customAttributes=nested(254)),
    promise(
        "promise customAttributes nested 33 deep", "nested deeper", customAttributes=nested(33)
    ),
    promise("promise NUL in customAttributes", "NUL", customAttributes={"a\u0000": 1}),
    promise("promise status OPEN", "status", status="OPEN"),
    promise(
        "promise resource investment above 1",
        "level",
        additionalInfo={"resourceInvestment": {"level": 2}},
    ),
    promise("promise with a source", "source", source={"sourceRef": "x"}),
    promise(
        "promise quantity beyond 64 bits", "quantity", orderLineItems__0__quantity=BEYOND_64_BITS
    ),
    promise(
        "promise 10,000 line items",
        "orderLineItems",
        orderLineItems=[{"article": {"tenantArticleId": "A", "title": "A"}, "quantity": 1}]
        * 10_000,
    ),
    configuration(
        "configuration version 10**30",
        {"version": BEYOND_64_BITS, "invalidAfterTime": "PT8H"},
        "version",
    ),
    configuration(
        "invalidAfterTime PT1e11H",
        {"version": 0, "invalidAfterTime": "PT1e11H"},
        "invalidAfterTime",
    ),
    configuration(
        "invalidAfterTime 10**11 hours",
        {"version": 0, "invalidAfterTime": "PT100000000000H"},
        "30 days",
    ),
    configuration(
        "invalidAfterTime of 31 days", {"version": 0, "invalidAfterTime": "P31D"}, "30 days"
    ),
    configuration(
        "invalidAfterTime of 10**9 weeks",
        {"version": 0, "invalidAfterTime": "P999999999W"},
        "30 days",
    ),
    configuration("invalidAfterTime in years", {"version": 0, "invalidAfterTime": "P1Y"}, "years"),
    configuration(
        "invalidAfterTime a number", {"version": 0, "invalidAfterTime": 8}, "invalidAfterTime"
    ),
    configuration(
        "invalidAfterTime of seconds", {"version": 0, "invalidAfterTime": "PT30S"}, "60 seconds"
    ),
    configuration("invalidAfterTime with NUL", {"version": 0, "invalidAfterTime": "PT8H\u0000"}),
    subscription("unknown event", "event", event="ORDER_EXPLODED"),
    subscription("unknown target type", None, target={"type": "FTP", "callbackUrl": "ftp://x"}),
    subscription(
        "callbackUrl not a URL", None, target={"type": "WEBHOOK", "callbackUrl": "not a url"}
    ),
    subscription("NUL in the subscription name", None, name="feed\u0000"),
    subscription(
        "NUL in a webhook header",
        None,
        target={
            "type": "WEBHOOK",
            "callbackUrl": "https://erp.example.com/e",
            "headers": [{"key": "X-Token", "value": "a\u0000"}],
        },
    ),
    subscription("target a string", None, target="https://erp.example.com/e"),
]


@pytest.mark.parametrize("case", [case.param() for case in CASES])
def test_malformed_promise_or_subscription_is_refused(api_client, world, case):
    assert_refused(api_client, case, world)
