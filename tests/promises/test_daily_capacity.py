"""Daily order capacity: promises count against their facilities, cancels and expiry give back."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from config import clock
from inventory.models import FacilityDailyOrders
from orders import services as order_services
from promises import services
from tests.promises.helpers import example_promise, small_network

URL = "/api/promises/deliverypromise"

pytestmark = pytest.mark.django_db


def orders_today(facility):
    row = FacilityDailyOrders.objects.filter(
        facility=facility, day=timezone.now().astimezone(UTC).date()
    ).first()
    return row.orders if row else 0


def one_tshirt():
    return example_promise(lines=[("TSHIRT-W-2468", 1)])


def test_each_promise_counts_once_per_facility_and_cancel_gives_it_back(api_client):
    network = small_network()

    first = api_client.post(URL, example_promise(), format="json")
    second = api_client.post(URL, one_tshirt(), format="json")

    assert first.status_code == second.status_code == 201
    # Three lines at the store are one order there.
    assert orders_today(network["store"]) == 2
    order_services.cancel_order(first.json()["orderRef"], version=1, actor=None)
    assert orders_today(network["store"]) == 1


def test_a_full_store_is_fenced_out_until_a_promise_is_cancelled(api_client):
    network = small_network()
    store = network["store"]
    store.daily_order_capacity = 1
    store.save()

    first = api_client.post(URL, one_tshirt(), format="json")
    second = api_client.post(URL, one_tshirt(), format="json")

    assert first.status_code == 201
    # The store is the only facility with the article: at capacity, nobody can ship it.
    assert second.status_code == 400, second.json()
    order_services.cancel_order(first.json()["orderRef"], version=1, actor=None)
    third = api_client.post(URL, one_tshirt(), format="json")
    assert third.status_code == 201, third.json()


def test_expired_promises_give_their_capacity_back_when_swept(api_client):
    network = small_network()
    valid_until = timezone.now() + timedelta(minutes=2)
    body = {**one_tshirt(), "promisesOptions": {"validUntil": valid_until.isoformat()}}
    assert api_client.post(URL, body, format="json").status_code == 201
    assert api_client.post(URL, one_tshirt(), format="json").status_code == 201
    assert orders_today(network["store"]) == 2

    with clock.frozen_at(valid_until + timedelta(seconds=1)):
        assert services.release_expired_promises() == 1

    assert orders_today(network["store"]) == 1
