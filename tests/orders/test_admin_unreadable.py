"""An order damaged in the database (a date Python cannot hold) does not take the back office
down: the list answers for every staff member, with a placeholder in the bad cell."""

import pytest
from django.urls import reverse

from orders.models import OrderStatus
from tests.admin_helpers import make_order, staff_client
from tests.unreadable import plant_unreadable_timestamp

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:orders_order_changelist")


@pytest.fixture
def orders():
    damaged = make_order(status=OrderStatus.PROMISED, tenant_order_id="DAMAGED")
    plant_unreadable_timestamp(damaged, "order_date")
    plant_unreadable_timestamp(damaged, "promise_valid_until")
    healthy = [make_order(tenant_order_id=f"HEALTHY-{n}") for n in range(2)]
    return damaged, healthy


@pytest.mark.parametrize(
    "query", ["", "?status__exact=PROMISED", "?status__exact=OPEN", "?q=DAMAGED", "?o=3"]
)
def test_the_order_list_answers_with_a_placeholder_for_the_damaged_order(orders, query):
    damaged, healthy = orders
    client = staff_client("boss", superuser=True)

    response = client.get(CHANGELIST + query)

    assert response.status_code == 200
    page = response.content.decode()
    listed = {order.tenant_order_id for order in response.context["cl"].result_list}
    if query in ("", "?o=3"):
        assert listed == {"DAMAGED", "HEALTHY-0", "HEALTHY-1"}
    if "DAMAGED" in listed:
        assert "unrenderable" in page
    if query == "?status__exact=OPEN":
        assert listed == {"HEALTHY-0", "HEALTHY-1"}


def test_the_damaged_order_page_still_opens(orders):
    damaged, _ = orders
    client = staff_client("boss", superuser=True)

    response = client.get(reverse("admin:orders_order_change", args=[damaged.pk]))

    assert response.status_code == 200
    assert "DAMAGED" in response.content.decode()
