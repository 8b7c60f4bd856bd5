"""The orders back office through Django's test client: list, filters, search, order page,
and the order actions (through the services) with their confirmation step and permissions."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from config import clock
from orders.models import Order, OrderStatus
from tests.admin_helpers import SOURCING_OPTION, make_order, network, role_client, staff_client
from tests.conftest import make_token_client
from tests.inventory.factories import FacilityFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:orders_order_changelist")


def change_url(order):
    return reverse("admin:orders_order_change", args=[order.pk])


def action_url(order, action):
    return reverse("admin:orders_order_action", args=[order.pk, action])


def listed_ids(response):
    return {str(order.pk) for order in response.context["cl"].result_list}


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def admin_client_():
    return staff_client("boss", superuser=True)


def test_order_list_shows_the_columns_staff_work_with(admin_client_):
    facility = network()
    make_order(
        tenant_order_id="R-1001",
        status=OrderStatus.PROMISED,
        lines=[("TSHIRT", 2), ("JEANS", 3)],
        facility=facility,
        valid_for=timedelta(hours=2, minutes=30),
    )

    response = admin_client_.get(CHANGELIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert "R-1001" in html
    assert 'class="doms-badge"' in html and "PROMISED" in html
    assert "Anna Jansen" in html and "anna@example.com" in html
    assert '<td class="field-line_count">2</td>' in html
    assert '<td class="field-unit_count">5</td>' in html
    assert "Amsterdam Damrak" in html
    assert "2 h 29 min" in html or "2 h 30 min" in html


def test_order_list_query_count_does_not_grow_with_the_page(
    admin_client_, django_assert_max_num_queries
):
    facility = network()
    make_order(facility=facility)
    with django_assert_max_num_queries(100) as few:
        admin_client_.get(CHANGELIST)
    for number in range(30):
        make_order(tenant_order_id=f"R-{number}", facility=facility, lines=[("A", 1), ("B", 2)])

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client_.get(CHANGELIST)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 31
    # session, user, count, page, line items, reservations+facilities, facility filter choices
    assert len(few.captured_queries) <= 10


def test_filters_status_delivery_method_facility_and_date(admin_client_):
    amsterdam, utrecht = network(), FacilityFactory(name="Utrecht")
    promised = make_order(status=OrderStatus.PROMISED, facility=amsterdam)
    collected = make_order(collect=True, facility=utrecht)
    old = make_order(order_date=timezone.now() - timedelta(days=40), facility=amsterdam)

    def ids(query):
        return listed_ids(admin_client_.get(CHANGELIST, query))

    assert ids({"status__exact": "PROMISED"}) == {str(promised.pk)}
    assert ids({"delivery": "collect"}) == {str(collected.pk)}
    assert ids({"delivery": "ship"}) == {str(promised.pk), str(old.pk)}
    assert ids({"facility": str(utrecht.pk)}) == {str(collected.pk)}
    assert ids({"facility": str(amsterdam.pk)}) == {str(promised.pk), str(old.pk)}
    assert ids({"facility": "not-a-uuid"}) == set()
    today = timezone.now()
    by_day = {"order_date__year": today.year, "order_date__month": today.month}
    by_day["order_date__day"] = today.day
    assert ids(by_day) == {str(promised.pk), str(collected.pk)}  # the date hierarchy


def test_search_by_id_tenant_order_id_email_name_and_consumer_id(admin_client_):
    anna = make_order(tenant_order_id="R-555", consumer_id="C-ANNA")
    bob = make_order(
        tenant_order_id="R-777",
        consumer_name="Bob Smit",
        consumer_email="bob@shop.test",
        consumer_id="C-BOB",
    )

    def search(term):
        response = admin_client_.get(CHANGELIST, {"q": term})
        assert response.status_code == 200
        return listed_ids(response)

    assert search(str(bob.pk)) == {str(bob.pk)}
    assert search("R-555") == {str(anna.pk)}
    assert search("Bob@Shop.test") == {str(bob.pk)}  # the lower-case address matches
    assert search("bob@shop") == set()  # e-mail, ids and tenantOrderId match exactly
    assert search("Smit") == {str(bob.pk)}
    assert search("C-ANNA") == {str(anna.pk)}
    # Not a UUID, not anything: an empty list, never a crash.
    assert search("1234-not-a-uuid") == set()
    assert search(str(uuid.uuid4())) == set()


def test_order_page_shows_wire_fields_lines_reservations_routing_and_history(
    admin_client_, django_assert_max_num_queries
):
    facility = network()
    order = make_order(
        tenant_order_id="R-9",
        status=OrderStatus.PROMISED,
        facility=facility,
        lines=[("TSHIRT-W-2468", 2)],
        extra={"sourcingOption": SOURCING_OPTION},
        update_details=[
            {
                "created": "2026-11-22T08:00:00Z",
                "user": "ops@shop",
                "comment": "customer called",
                "changes": [{"field": "quantity", "from": 3, "to": 2}],
            }
        ],
    )

    with django_assert_max_num_queries(20):
        response = admin_client_.get(change_url(order))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Title of TSHIRT-W-2468" in html  # line item inline
    assert "Amsterdam Damrak" in html  # reservations
    assert "until " in html
    assert "Total penalty:" in html and "187" in html and "geoDistance" in html
    assert "customer called" in html and "ops@shop" in html
    assert "anna@example.com" in html
    # Read-only: no input for the wire fields and no save button.
    assert 'name="tenant_order_id"' not in html
    assert 'name="_save"' not in html
    assert f"{action_url(order, 'extend-promise')}?version={order.version}" in html
    assert action_url(order, "confirm-promise") in html


def test_orders_cannot_be_added_or_deleted_in_the_admin(admin_client_):
    order = make_order()
    assert admin_client_.get(reverse("admin:orders_order_add")).status_code == 403
    delete = reverse("admin:orders_order_delete", args=[order.pk])
    assert admin_client_.post(delete, {"post": "yes"}).status_code == 403
    assert Order.objects.filter(pk=order.pk).exists()


def test_extend_promise_asks_first_then_goes_through_the_service(admin_client_):
    order = make_order(
        status=OrderStatus.PROMISED, facility=network(), valid_for=timedelta(minutes=5)
    )
    before = order.promise_valid_until

    confirmation = admin_client_.get(action_url(order, "extend-promise"), {"version": 1})
    assert confirmation.status_code == 200
    assert b"Yes, extend promise" in confirmation.content
    order.refresh_from_db()
    assert order.promise_valid_until == before  # asking changes nothing

    response = admin_client_.post(action_url(order, "extend-promise"), {"version": 1})

    assert response.status_code == 302 and response.url == change_url(order)
    order.refresh_from_db()
    assert order.version == 2
    assert order.promise_valid_until > before + timedelta(hours=7)  # PT8H from now
    assert any("extended" in text for text in messages_of(response))


def test_a_stale_page_gets_the_version_conflict_and_changes_nothing(admin_client_):
    order = make_order(status=OrderStatus.PROMISED, facility=network())
    admin_client_.post(action_url(order, "extend-promise"), {"version": 1})
    order.refresh_from_db()
    valid_until = order.promise_valid_until

    response = admin_client_.post(action_url(order, "extend-promise"), {"version": 1}, follow=True)

    order.refresh_from_db()
    assert order.version == 2 and order.promise_valid_until == valid_until
    assert any("Version conflict" in text for text in messages_of(response))
    assert b"Version conflict" in response.content


def test_confirm_promise_opens_the_order_and_sets_the_tenant_order_id(admin_client_):
    order = make_order(status=OrderStatus.PROMISED, facility=network())

    admin_client_.post(
        action_url(order, "confirm-promise"), {"version": 1, "tenant_order_id": "SHOP-42"}
    )

    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN
    assert order.tenant_order_id == "SHOP-42"
    assert order.order_line_items.first().reservations.get().valid_until is None


def test_service_refusal_is_shown_as_a_message(admin_client_):
    order = make_order(status=OrderStatus.OPEN)

    response = admin_client_.post(action_url(order, "extend-promise"), {"version": 1}, follow=True)

    order.refresh_from_db()
    assert order.version == 1
    assert any("not PROMISED" in text for text in messages_of(response))


def test_cancel_goes_through_the_order_service(admin_client_):
    pytest.importorskip("orders.services").cancel_order  # noqa: B018
    order = make_order(status=OrderStatus.OPEN, facility=network())

    response = admin_client_.post(action_url(order, "cancel"), {"version": 1}, follow=True)

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert not order.order_line_items.first().reservations.exists()
    assert any("cancelled" in text for text in messages_of(response))


def test_viewer_sees_orders_but_cannot_change_or_act(django_assert_max_num_queries):
    viewer = role_client("viewer", "Order viewers")
    order = make_order(status=OrderStatus.PROMISED, facility=network())

    assert viewer.get(CHANGELIST).status_code == 200
    page = viewer.get(change_url(order))
    assert page.status_code == 200
    assert b"action-extend-promise" not in page.content
    assert viewer.post(change_url(order), {}).status_code == 403
    for action in ("extend-promise", "confirm-promise", "cancel"):
        assert viewer.get(action_url(order, action), {"version": 1}).status_code == 403
        assert viewer.post(action_url(order, action), {"version": 1}).status_code == 403
    order.refresh_from_db()
    assert order.version == 1 and order.status == OrderStatus.PROMISED


def test_operations_may_act_on_orders():
    operations = role_client("ops", "Operations")
    order = make_order(status=OrderStatus.PROMISED, facility=network())

    operations.post(action_url(order, "extend-promise"), {"version": 1})

    order.refresh_from_db()
    assert order.version == 2


def test_unknown_action_and_missing_order_are_handled(admin_client_):
    order = make_order()
    assert admin_client_.get(action_url(order, "explode")).status_code == 403
    missing = reverse("admin:orders_order_action", args=[uuid.uuid4(), "cancel"])
    response = admin_client_.post(missing, {"version": 1})
    assert response.status_code == 302 and response.url == CHANGELIST
    no_version = admin_client_.post(action_url(order, "cancel"), {}, follow=True)
    assert any("version" in text for text in messages_of(no_version))


def test_bulk_extend_asks_first_and_reports_each_order(admin_client_):
    facility = network()
    first = make_order(tenant_order_id="P-1", status=OrderStatus.PROMISED, facility=facility)
    second = make_order(tenant_order_id="P-2", status=OrderStatus.PROMISED, facility=facility)
    opened = make_order(tenant_order_id="O-1", status=OrderStatus.OPEN)
    selection = {
        "action": "extend_selected_promises",
        "_selected_action": [str(first.pk), str(second.pk), str(opened.pk)],
    }

    confirmation = admin_client_.post(CHANGELIST, selection)
    assert confirmation.status_code == 200
    html = confirmation.content.decode()
    assert "Yes, extend promise" in html and f'name="version_{first.pk}" value="1"' in html
    assert Order.objects.get(pk=first.pk).version == 1  # asking changes nothing

    # Someone extends P-2 while this page is open: its confirmed version is now stale.
    admin_client_.post(action_url(second, "extend-promise"), {"version": 1})
    response = admin_client_.post(
        CHANGELIST,
        {
            **selection,
            "post": "yes",
            **{f"version_{order.pk}": 1 for order in (first, second, opened)},
        },
        follow=True,
    )

    texts = messages_of(response)
    assert any("done for P-1" in text for text in texts)
    assert any(text.startswith("P-2: Version conflict") for text in texts)
    assert any(text.startswith("O-1:") and "not PROMISED" in text for text in texts)
    assert [Order.objects.get(pk=order.pk).version for order in (first, second, opened)] == [
        2,
        2,
        1,
    ]


def test_bulk_cancel_goes_through_the_order_service(admin_client_):
    order = make_order(tenant_order_id="C-1", facility=network())
    admin_client_.post(
        CHANGELIST,
        {
            "action": "cancel_selected_orders",
            "_selected_action": [str(order.pk)],
            "post": "yes",
            f"version_{order.pk}": 1,
        },
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert not order.order_line_items.first().reservations.exists()


def test_viewer_is_not_offered_and_cannot_run_bulk_actions():
    viewer = role_client("viewer", "Order viewers")
    order = make_order(status=OrderStatus.PROMISED, facility=network())

    page = viewer.get(CHANGELIST)
    response = viewer.post(
        CHANGELIST,
        {
            "action": "cancel_selected_orders",
            "_selected_action": [str(order.pk)],
            "post": "yes",
            f"version_{order.pk}": 1,
        },
    )

    assert b"cancel_selected_orders" not in page.content
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.PROMISED and order.version == 1


def test_a_promise_made_through_the_api_is_worked_in_the_back_office(api_client, admin_client_):
    from tests.promises.helpers import example_promise, small_network

    small_network()
    body = api_client.post("/api/promises/deliverypromise", example_promise(), format="json").json()
    order = Order.objects.get(pk=body["orderRef"])

    listed_page = admin_client_.get(CHANGELIST, {"status__exact": "PROMISED"}).content.decode()
    assert "Amsterdam Centrum" in listed_page and "7 h 59 min" in listed_page
    assert 'id="figure-created">1<' in admin_client_.get(reverse("admin:index")).content.decode()

    admin_client_.post(action_url(order, "confirm-promise"), {"version": order.version})

    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN
    dashboard = admin_client_.get(reverse("admin:index")).content.decode()
    assert 'id="figure-confirmed">1<' in dashboard and 'id="figure-conversion">100 %<' in dashboard


@pytest.mark.parametrize("action", ["cancel", "confirm-promise", "extend-promise"])
def test_an_expired_promise_is_refused_by_the_admin_as_by_the_api(admin_client_, action):
    order = make_order(status=OrderStatus.PROMISED, facility=network())
    later = order.promise_valid_until + timedelta(seconds=1)

    with clock.frozen_at(later):
        response = admin_client_.post(action_url(order, action), {"version": 1}, follow=True)
        api = make_token_client("shop").post(
            f"/api/orders/{order.id}/actions",
            {"name": "CANCEL", "version": 1},
            format="json",
        )

    order.refresh_from_db()
    assert order.status == OrderStatus.PROMISED and order.version == 1  # left to the sweep
    assert api.status_code == 404
    summary = api.json()[0]["summary"]
    assert summary == "Order not found or expired."
    assert any(summary in text for text in messages_of(response))
