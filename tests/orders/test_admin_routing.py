"""The back office and routing (issue 13, point 7): the re-route button, the routing history
on the order page, modifying quantities and the shipping address through the PATCH service
with its refusals shown as messages, the NOT_ROUTED badge and filter, the GDPR screen."""

import html
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from inventory.models import Facility, FacilityStatus, Reservation
from orders.models import GdprConfiguration, Order, OrderModificationConfiguration
from tests.admin_helpers import staff_client
from tests.promises.helpers import (
    MUNICH_ADDRESS,
    example_promise,
    munich_warehouse,
    small_network,
    stocked_article,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:orders_order_changelist")


def change_url(order_id):
    return reverse("admin:orders_order_change", args=[order_id])


def modify_url(order_id):
    return reverse("admin:orders_order_modify", args=[order_id])


def messages_of(response):
    """The messages of a redirect, or those a rendered page showed."""
    if response.status_code == 200:
        return [
            html.unescape(message)
            for message in re.findall(r'<li class="[a-z]+">(.*?)</li>', response.content.decode())
        ]
    return [str(message) for message in get_messages(response.wsgi_request)]


def filled(staff, order_id, **changes):
    """What the browser posts: the modification form as rendered, with the user's changes."""
    form = staff.get(modify_url(order_id)).context["form"]
    data = {name: field.initial for name, field in form.fields.items() if name != "version"}
    return {**data, "version": form.initial["version"], "comment": "", **changes}


ADDRESS_KEYS = ("street", "houseNumber", "postalCode", "city", "country")
MUNICH_FIELDS = {f"address_{key}": MUNICH_ADDRESS[key] for key in ADDRESS_KEYS}


def held(order_id):
    return sorted(
        (r.facility.tenant_facility_id, r.quantity)
        for r in Reservation.objects.filter(order_line_item__order_id=order_id)
    )


@pytest.fixture
def staff():
    return staff_client("ops", superuser=True)


@pytest.fixture
def routed_order(api_client):
    """A plain order of 1 × HOT-1 held at the Amsterdam store; the warehouse has 2 more."""
    network = small_network({"HOT-1": 1})
    response = api_client.post("/api/orders", example_promise([("HOT-1", 1)]), format="json")
    stocked_article("HOT-1", 2, facility=network["warehouse"])
    assert held(response.json()["id"]) == [("AMS-01", 1)]
    return response.json()


def test_the_re_route_button_moves_the_order_and_the_page_shows_old_and_new(
    staff, routed_order, django_assert_max_num_queries
):
    order_id = routed_order["id"]
    Facility.objects.filter(tenant_facility_id="AMS-01").update(
        status=FacilityStatus.OFFLINE, version=9
    )
    action = reverse("admin:orders_order_action", args=[order_id, "reroute"])
    assert b"Re-route order" in staff.get(change_url(order_id)).content
    assert b"Yes, re-route order" in staff.get(action, {"version": 1}).content

    response = staff.post(action, {"version": 1})

    assert response.status_code == 302
    assert any("re-routed" in text for text in messages_of(response))
    assert held(order_id) == [("UTR-DC", 1)]
    with django_assert_max_num_queries(25):
        page = staff.get(change_url(order_id))
    text = page.content.decode()
    history = text[text.lower().index("routing history") :]
    assert history.index("AMS-01") < history.index("UTR-DC") < history.index("current")
    assert "REROUTE" in text  # the updateDetails entry


def test_staff_change_a_quantity_through_the_patch_service(
    staff, routed_order, django_assert_max_num_queries
):
    OrderModificationConfiguration.objects.create(pk=1, allow_order_line_item_modification=True)
    order_id = routed_order["id"]
    line_id = routed_order["orderLineItems"][0]["id"]
    with django_assert_max_num_queries(15):
        form = staff.get(modify_url(order_id))
    assert form.status_code == 200
    assert f'name="quantity_{line_id}"' in form.content.decode()

    refused = staff.post(
        modify_url(order_id), filled(staff, order_id, **{f"quantity_{line_id}": 9})
    )

    assert refused.status_code == 200  # the form again, with what was typed
    assert any(
        "Not enough stock for this modification" in text and "requested 9, available 3" in text
        for text in messages_of(refused)
    )
    assert 'value="9"' in refused.content.decode()
    assert held(order_id) == [("AMS-01", 1)] and Order.objects.get(id=order_id).version == 1

    done = staff.post(
        modify_url(order_id),
        filled(staff, order_id, **{f"quantity_{line_id}": 3, "comment": "phoned"}),
    )

    assert done.status_code == 302 and done.url == change_url(order_id)
    assert held(order_id) == [("AMS-01", 1), ("UTR-DC", 2)]
    order = Order.objects.get(id=order_id)
    assert order.version == 2 and order.update_details[-1]["comment"] == "phoned"


def test_staff_move_the_shipping_address_and_the_order_follows(staff, api_client):
    small_network({"HOT-1": 3})
    munich_warehouse({"HOT-1": 3})
    order_id = api_client.post(
        "/api/orders", example_promise([("HOT-1", 1)]), format="json"
    ).json()["id"]
    GdprConfiguration.objects.create(pk=1, actor_anonymization=False)
    response = staff.post(modify_url(order_id), filled(staff, order_id, **MUNICH_FIELDS))

    assert response.status_code == 302, messages_of(response)
    assert held(order_id) == [("MUC-01", 1)]
    order = Order.objects.get(id=order_id)
    assert order.consumer["addresses"][0]["city"] == "München"
    assert order.update_details[-1]["user"] == "ops"  # the staff member, anonymisation off
    assert order.update_details[-1]["changes"]["routing"]["to"]["facilities"] == ["MUC-01"]


def test_an_address_the_network_cannot_reach_is_refused_with_a_message(staff, routed_order):
    order_id = routed_order["id"]
    response = staff.post(modify_url(order_id), filled(staff, order_id, **MUNICH_FIELDS))

    assert response.status_code == 200
    assert any("HOT-1" in text for text in messages_of(response))
    assert Order.objects.get(id=order_id).consumer == routed_order["consumer"]


def test_a_bad_country_is_refused_as_the_api_refuses_it(staff, routed_order):
    order_id = routed_order["id"]
    response = staff.post(modify_url(order_id), filled(staff, order_id, address_country="Germany"))
    assert response.status_code == 200
    # Worded as the API words it (the admin capitalises the first letter).
    assert "onsumer.addresses.0.country: Expected an ISO 3166-1 alpha-2 code" in " ".join(
        messages_of(response)
    )


def test_modifying_needs_the_change_permission(routed_order):
    viewer = staff_client("viewer", permissions=["orders.view_order"])
    assert viewer.get(modify_url(routed_order["id"])).status_code == 403
    assert b"action-modify" not in viewer.get(change_url(routed_order["id"])).content


def test_not_routed_orders_have_a_badge_and_a_filter(staff, api_client):
    small_network({"HOT-1": 1})
    routed = api_client.post("/api/orders", example_promise([("HOT-1", 1)]), format="json")
    waiting = api_client.post("/api/orders", example_promise([("HOT-1", 1)]), format="json")

    page = staff.get(CHANGELIST)
    assert page.content.decode().count(">not routed</span>") == 1
    listed = staff.get(CHANGELIST, {"routing": "not-routed"}).context["cl"].result_list
    assert [str(order.pk) for order in listed] == [waiting.json()["id"]]
    Order.objects.filter(id=waiting.json()["id"]).update(routing_flagged_at="2025-01-01T00:00Z")
    overdue = staff.get(CHANGELIST, {"routing": "overdue"})
    assert [str(order.pk) for order in overdue.context["cl"].result_list] == [waiting.json()["id"]]
    assert "not routed: overdue" in overdue.content.decode()
    routed_only = staff.get(CHANGELIST, {"routing": "routed"}).context["cl"].result_list
    assert [str(order.pk) for order in routed_only] == [routed.json()["id"]]


def test_the_gdpr_screen_switches_actor_anonymization_through_its_versioned_service(staff):
    listing = staff.get(reverse("admin:orders_gdprconfiguration_changelist"))
    assert listing.status_code == 200
    url = reverse("admin:orders_gdprconfiguration_change", args=[1])

    response = staff.post(url, {"seen_version": 1})  # the box unticked: anonymization off

    assert response.status_code == 302
    configuration = GdprConfiguration.objects.get()
    assert (configuration.actor_anonymization, configuration.version) == (False, 2)
    stale = staff.post(url, {"seen_version": 1, "actor_anonymization": "on"})
    assert stale.status_code == 200 and b"Version conflict" in stale.content
    assert GdprConfiguration.objects.get().actor_anonymization is False
