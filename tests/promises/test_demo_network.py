"""The documents' example order as a promise on the demo network (`seed_demo`)."""

import io
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from inventory.selectors.availability import availability
from orders.models import Order, OrderStatus
from tests.promises.contract import contract_errors
from tests.promises.helpers import example_promise

URL = "/api/promises/deliverypromise"
EXAMPLE = {"TSHIRT-W-2468": 10, "JEANS-B-2605": 3, "SNEAK-W-4891": 1}

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_network(db):
    call_command("seed_demo", stdout=io.StringIO())


def network_available(article, now=None):
    return sum(level.available for level in availability([article], now=now).values())


def test_example_order_is_promised_confirmed_and_keeps_its_stock(api_client, demo_network):
    before = {article: network_available(article) for article in EXAMPLE}

    response = api_client.post(URL, example_promise(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert contract_errors("ResponseForDeliveryPromise", body) == []
    assert body["shipToCustomer"]
    shipped = {}
    for shipment in body["shipToCustomer"]:
        assert shipment["carriers"], shipment
        for item in shipment["lineItems"]:
            shipped[item["tenantArticleId"]] = (
                shipped.get(item["tenantArticleId"], 0) + item["quantity"]
            )
    assert shipped == EXAMPLE
    for article, quantity in EXAMPLE.items():
        assert network_available(article) == before[article] - quantity

    confirm = api_client.post(
        f"/api/orders/{body['orderRef']}/actions",
        {"name": "CONFIRM_PROMISE", "version": body["orderVersion"]},
        format="json",
    )

    assert confirm.status_code == 200, confirm.json()
    assert Order.objects.get(id=body["orderRef"]).status == OrderStatus.OPEN
    # Long after the promise would have expired, the confirmed stock is still taken: a second
    # promise for every sneaker the network had cannot get them.
    later = timezone.now() + timedelta(days=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        second = api_client.post(
            URL, example_promise([("SNEAK-W-4891", before["SNEAK-W-4891"])]), format="json"
        )
    assert second.status_code == 400
    expected = (
        f"SNEAK-W-4891: requested {before['SNEAK-W-4891']}, available {before['SNEAK-W-4891'] - 1}"
    )
    assert expected in second.json()[0]["description"]


def test_an_expired_promise_frees_its_stock_for_new_promises_at_once(api_client, demo_network):
    """Controlled clock: no sweep runs, yet the stock of the expired promise is sold again."""
    start = timezone.now()
    total = network_available("SNEAK-W-4891")
    # Take every sneaker in the network, one promise (valid 10 minutes) per unit.
    for _ in range(total):
        response = api_client.post(
            URL,
            example_promise([("SNEAK-W-4891", 1)], promisesOptions={"validUntil": _iso(start, 10)}),
            format="json",
        )
        assert response.status_code == 201, response.json()
    assert network_available("SNEAK-W-4891") == 0
    refused = api_client.post(URL, example_promise([("SNEAK-W-4891", 1)]), format="json")
    assert refused.status_code == 400

    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=11)):
        assert network_available("SNEAK-W-4891") == total
        sold_again = api_client.post(URL, example_promise([("SNEAK-W-4891", 1)]), format="json")

    assert sold_again.status_code == 201, sold_again.json()
    # The expired promises are still PROMISED (the sweep has not run), yet hold nothing.
    assert Order.objects.filter(status=OrderStatus.PROMISED).count() == total + 1


def _iso(start, minutes):
    from config.api.fields import format_wire_datetime

    return format_wire_datetime(start + timedelta(minutes=minutes))
