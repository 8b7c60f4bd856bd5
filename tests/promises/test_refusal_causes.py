"""A refused promise names its real cause in the summary (issue 14): the pickup store that
cannot serve, an article nobody knows, or not enough stock; the description keeps the detail
per article."""

import pytest

from inventory.models import Reservation
from orders.models import Order
from tests.orders.helpers import assert_api_error
from tests.promises.helpers import example_promise, small_network

pytestmark = pytest.mark.django_db

URL = "/api/promises/deliverypromise"


def test_collect_at_a_facility_without_pickup_names_the_facility_and_the_service(api_client):
    small_network()
    body = example_promise(
        lines=[("TSHIRT-W-2468", 1)],
        deliveryPreferences={"collect": [{"tenantFacilityId": "UTR-DC"}]},
    )

    [error] = assert_api_error(api_client.post(URL, body, format="json"), 400)

    assert error["summary"] == "Facility UTR-DC does not offer PICKUP."
    assert "TSHIRT-W-2468: requested 1" in error["description"]
    assert not Order.objects.exists() and not Reservation.objects.exists()


def test_an_article_nobody_knows_is_named_as_unknown(api_client):
    small_network()
    body = example_promise(lines=[("TSHIRT-W-2468", 1), ("NOPE-123", 2)])

    [error] = assert_api_error(api_client.post(URL, body, format="json"), 400)

    assert error["summary"] == "Unknown article NOPE-123."
    assert "NOPE-123: requested 2, available 0" in error["description"]
    assert not Order.objects.exists()


def test_a_known_article_short_of_stock_is_still_not_enough_stock(api_client):
    small_network()
    body = example_promise(lines=[("TSHIRT-W-2468", 500)])

    [error] = assert_api_error(api_client.post(URL, body, format="json"), 400)

    assert error["summary"] == "Not enough stock to promise this order."
    assert "TSHIRT-W-2468: requested 500" in error["description"]
