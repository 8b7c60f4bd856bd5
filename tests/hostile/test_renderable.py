"""Nothing unrenderable is ever stored: whatever POST /api/orders and the delivery promise
accept can be read back, listed, searched, shown in the admin and swept."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from config import clock
from promises.services import release_expired_promises
from tests.admin_helpers import staff_client
from tests.orders.conftest import DOCUMENT_EXAMPLE_ORDER
from tests.promises.helpers import example_promise, small_network

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def wire_datetimes(draw):
    """ISO 8601 date-times over the whole range Python can read, in any UTC offset, with the
    years the application cannot render after conversion well represented."""
    moment = draw(
        st.one_of(
            st.datetimes(
                min_value=datetime.datetime(1, 1, 1), max_value=datetime.datetime(9999, 12, 31)
            ),
            st.sampled_from(
                [datetime.datetime(1, 1, 1), datetime.datetime(9999, 12, 31, 23, 59, 59)]
            ),
            st.datetimes(
                min_value=datetime.datetime(1960, 1, 1), max_value=datetime.datetime(2040, 1, 1)
            ),
        )
    )
    offset = draw(st.integers(min_value=-14 * 60, max_value=14 * 60))
    sign, minutes = ("-" if offset < 0 else "+"), abs(offset)
    zone = draw(st.sampled_from(["Z", "", f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"]))
    return moment.isoformat(timespec="milliseconds") + zone


json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)
custom_attributes = st.dictionaries(st.text(max_size=10), json_values, max_size=4)


def assert_readable_everywhere(api_client, admin, order_id, tenant_order_id):
    assert api_client.get(f"/api/orders/{order_id}").status_code == 200
    listed = api_client.get("/api/orders", {"tenantOrderId": tenant_order_id})
    assert listed.status_code == 200
    assert [order["id"] for order in listed.json()["orders"]] == [order_id]
    found = api_client.post(
        "/api/orders/search",
        {"query": {"tenantOrderId": {"eq": tenant_order_id}}, "sort": [{"orderDate": "DESC"}]},
        format="json",
    )
    assert found.status_code == 200, found.content
    assert [order["id"] for order in found.json()["orders"]] == [order_id]
    assert api_client.post("/api/orders/search", {"query": {}}, format="json").status_code == 200
    changelist = reverse("admin:orders_order_changelist")
    assert admin.get(changelist).status_code == 200
    assert admin.get(changelist, {"status__exact": "OPEN"}).status_code == 200
    assert admin.get(reverse("admin:orders_order_change", args=[order_id])).status_code == 200


@pytest.fixture
def admin(db):
    return staff_client("property-admin", superuser=True)


@PROPERTY
@given(
    order_date=wire_datetimes(),
    attributes=custom_attributes,
    title=st.text(min_size=1, max_size=30),
)
def test_an_accepted_order_renders_everywhere(api_client, admin, order_date, attributes, title):
    tenant_order_id = f"P-{uuid.uuid4()}"
    body = {
        **DOCUMENT_EXAMPLE_ORDER,
        "tenantOrderId": tenant_order_id,
        "orderDate": order_date,
        "customAttributes": attributes,
        "orderLineItems": [{"article": {"tenantArticleId": "A-1", "title": title}, "quantity": 1}],
    }
    response = api_client.post("/api/orders", body, format="json")
    event(f"answered {response.status_code}")
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        assert_readable_everywhere(api_client, admin, response.json()["id"], tenant_order_id)


@PROPERTY
@given(order_date=wire_datetimes(), attributes=custom_attributes)
def test_an_accepted_promise_renders_everywhere_and_is_swept(
    api_client, admin, order_date, attributes
):
    if not _has_network():
        small_network({"TSHIRT-W-2468": 1_000_000})
    tenant_order_id = f"P-{uuid.uuid4()}"
    body = example_promise(
        lines=[("TSHIRT-W-2468", 1)], orderDate=order_date, customAttributes=attributes
    )
    response = api_client.post("/api/promises/deliverypromise", body, format="json")
    event(f"answered {response.status_code}")
    assert response.status_code in (201, 400), response.content
    if response.status_code != 201:
        return
    order_id = response.json()["orderRef"]
    confirm = api_client.post(
        f"/api/orders/{order_id}/actions",
        {
            "name": "CONFIRM_PROMISE",
            "version": response.json()["orderVersion"],
            "tenantOrderId": tenant_order_id,
        },
        format="json",
    )
    assert confirm.status_code == 200, confirm.content
    assert_readable_everywhere(api_client, admin, order_id, tenant_order_id)
    with clock.frozen_at(timezone.now() + datetime.timedelta(days=400)):
        release_expired_promises()
    assert api_client.get(f"/api/orders/{order_id}").status_code == 200


def _has_network():
    from inventory.models import Facility

    return Facility.objects.exists()
