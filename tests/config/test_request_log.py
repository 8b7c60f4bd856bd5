"""One log line per request with its id, and nothing about the consumer in any log line."""

import json
import logging

import pytest

from config.log_format import JsonFormatter
from tests.promises.helpers import example_promise, small_network

pytestmark = pytest.mark.django_db

PROMISE_URL = "/api/promises/deliverypromise"
# What the documents' example consumer tells about themselves (tests/promises/helpers.py).
CONSUMER_DATA = (
    "David",
    "van den Boomgaard",
    "david@example.com",
    "Rombout Hogerbeetsstraat",
    "1052 XM",
    "Meneer",
)


@pytest.fixture(autouse=True)
def request_logging(settings):
    settings.LOG_REQUESTS = True


def request_lines(caplog):
    return [record for record in caplog.records if record.name == "doms.requests"]


def test_the_request_id_is_taken_from_the_client_or_generated_and_echoed(api_client):
    given = api_client.get("/api/orders", HTTP_X_REQUEST_ID="shop-4711-a")
    assert given["X-Request-ID"] == "shop-4711-a"
    generated = api_client.get("/api/orders")
    other = api_client.get("/api/orders")
    assert len(generated["X-Request-ID"]) == 32
    assert generated["X-Request-ID"] != other["X-Request-ID"]
    # A value that would break a log line is replaced, not copied.
    for unusable in ("two words", "x" * 129, "line\nbreak"):
        echoed = api_client.get("/api/orders", HTTP_X_REQUEST_ID=unusable)["X-Request-ID"]
        assert echoed != unusable and len(echoed) == 32


def test_one_json_line_per_request_with_route_status_duration_and_order(api_client, caplog):
    small_network()
    caplog.set_level(logging.INFO)
    created = api_client.post(
        PROMISE_URL, example_promise(), format="json", HTTP_X_REQUEST_ID="checkout-1"
    )
    order_id = created.json()["orderRef"]
    api_client.get(f"/api/orders/{order_id}", HTTP_X_REQUEST_ID="read-1")
    api_client.get("/api/nothing-here", HTTP_X_REQUEST_ID="missing-1")

    lines = [json.loads(JsonFormatter().format(record)) for record in request_lines(caplog)]
    assert [line["request_id"] for line in lines] == ["checkout-1", "read-1", "missing-1"]
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("POST", "api/promises/deliverypromise", 201),
        ("GET", "api/orders/<str:orderId>", 200),
        ("GET", "^api/", 404),
    ]
    assert lines[0]["order_id"] == lines[1]["order_id"] == order_id
    assert "order_id" not in lines[2]
    assert all(line["duration_ms"] >= 0 and line["level"] == "INFO" for line in lines)


def test_json_lines_carry_the_request_id_of_their_request(api_client, caplog):
    formatted = []

    class Capture(logging.Handler):
        def emit(self, record):
            formatted.append(json.loads(JsonFormatter().format(record)))

    handler = Capture()
    logging.getLogger("doms.requests").addHandler(handler)
    try:
        api_client.get("/api/orders", HTTP_X_REQUEST_ID="trace-me")
    finally:
        logging.getLogger("doms.requests").removeHandler(handler)
    assert [line["request_id"] for line in formatted] == ["trace-me"]


def test_no_consumer_data_in_any_log_line(api_client, caplog):
    small_network()
    formatted = []

    class Capture(logging.Handler):
        def emit(self, record):
            formatted.append(JsonFormatter().format(record))

    handler = Capture(level=logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    previous_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        responses = [
            api_client.post(PROMISE_URL, example_promise(), format="json"),
            # Refused: not enough stock.
            api_client.post(PROMISE_URL, example_promise([("TSHIRT-W-2468", 999)]), format="json"),
            # Refused by validation, with the consumer still in the body.
            api_client.post(PROMISE_URL, example_promise(orderLineItems=[]), format="json"),
            api_client.post("/api/orders", example_promise(tenantOrderId="R-1"), format="json"),
            api_client.post(
                "/api/orders/search",
                {"query": {"consumer": {"email": {"eq": "david@example.com"}}}},
                format="json",
            ),
        ]
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)
    assert [response.status_code for response in responses] == [201, 400, 400, 201, 400]
    assert formatted, "the requests were logged"
    leaked = [line for line in formatted for datum in CONSUMER_DATA if datum in line]
    assert leaked == []
