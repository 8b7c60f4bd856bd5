"""Who changed what (issue 13, point 5): every service that changes an order appends one
updateDetails entry through the same helper, the expiry sweep as the system actor, and the
back office shows the whole history."""

from datetime import timedelta

import pytest

from config import clock
from orders.models import GdprConfiguration, Order
from promises import services
from tests.admin_helpers import staff_client
from tests.orders.helpers import assert_matches_contract
from tests.promises.helpers import example_promise, small_network

pytestmark = pytest.mark.django_db


def act(client, order_id, name, version):
    response = client.post(
        f"/api/orders/{order_id}/actions", {"name": name, "version": version}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_a_promise_keeps_its_whole_history_and_the_order_page_shows_it(
    api_client, django_assert_max_num_queries
):
    GdprConfiguration.objects.create(pk=1, actor_anonymization=False)
    small_network()
    promise = api_client.post("/api/promises/deliverypromise", example_promise(), format="json")
    order_id = promise.json()["orderRef"]

    act(api_client, order_id, "EXTEND_PROMISE", 1)
    act(api_client, order_id, "CONFIRM_PROMISE", 2)
    cancelled = act(api_client, order_id, "CANCEL", 3)

    details = cancelled["updateDetails"]
    assert [(d["changes"]["action"], d["changes"].get("status"), d["user"]) for d in details] == [
        ("CREATE", "PROMISED", "api-user"),
        ("EXTEND_PROMISE", None, "api-user"),
        ("CONFIRM_PROMISE", "OPEN", "api-user"),
        ("CANCEL", "CANCELLED", "api-user"),
    ]
    assert details[0]["changes"]["routing"]["to"]["facilities"] == ["AMS-01"]
    assert details[1]["changes"]["validUntil"]
    assert_matches_contract(cancelled, "Order")
    staff = staff_client("ops", superuser=True)
    with django_assert_max_num_queries(25):
        page = staff.get(f"/admin/orders/order/{order_id}/change/")
    html = page.content.decode()
    for action in ("CREATE", "EXTEND_PROMISE", "CONFIRM_PROMISE", "CANCEL"):
        assert action in html


@pytest.mark.parametrize("anonymized", [True, False])
def test_the_expiry_sweep_records_the_system_actor(api_client, anonymized):
    GdprConfiguration.objects.create(pk=1, actor_anonymization=anonymized)
    small_network()
    promise = api_client.post("/api/promises/deliverypromise", example_promise(), format="json")
    order = Order.objects.get(id=promise.json()["orderRef"])

    with clock.frozen_at(order.promise_valid_until + timedelta(minutes=1)):
        assert services.release_expired_promises() == 1

    expired = Order.objects.get(id=order.id).update_details[-1]
    assert expired["changes"] == {"action": "EXPIRE", "status": "CANCELLED"}
    assert expired.get("user") == (None if anonymized else "system")
