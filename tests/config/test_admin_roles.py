"""`setup_roles`: the three back-office groups, idempotent, each with exactly its rights."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from orders.models import OrderStatus
from tests.admin_helpers import make_order, network, role_client
from tests.inventory.factories import FacilityFactory, StockFactory

pytestmark = pytest.mark.django_db


def run():
    output = io.StringIO()
    call_command("setup_roles", stdout=output)
    return output.getvalue()


def permissions_of(name):
    return {
        f"{permission.content_type.app_label}.{permission.codename}"
        for permission in Group.objects.get(name=name).permissions.select_related("content_type")
    }


def test_creates_the_three_groups_and_is_idempotent():
    first = run()
    snapshot = {name: permissions_of(name) for name in ("Order viewers", "Operations")}
    group = Group.objects.get(name="Order viewers")
    group.permissions.add(
        *Group.objects.get(name="Operations").permissions.filter(codename="perform_order_actions")
    )

    second = run()

    assert "Created group 'Order viewers'" in first and "Updated group 'Order viewers'" in second
    assert (
        Group.objects.filter(name__in=["Order viewers", "Operations", "Inventory managers"]).count()
        == 3
    )
    # A re-run restores exactly the listed permissions (the stray grant is gone).
    assert {name: permissions_of(name) for name in snapshot} == snapshot


def test_each_role_has_what_it_needs_and_no_more():
    run()
    viewers = permissions_of("Order viewers")
    operations = permissions_of("Operations")
    managers = permissions_of("Inventory managers")

    assert {"orders.view_order", "inventory.view_stock", "promises.view_promisesconfiguration"} <= (
        viewers
    )
    assert all(".view_" in permission for permission in viewers)
    assert {"orders.perform_order_actions", "promises.change_promisesconfiguration"} <= operations
    assert "inventory.change_stock" not in operations
    assert {"inventory.change_stock", "inventory.change_facility", "inventory.add_listing"} <= (
        managers
    )
    assert "orders.perform_order_actions" not in managers
    assert "promises.change_promisesconfiguration" not in managers


def test_a_viewer_gets_403_on_every_change():
    viewer = role_client("viewer", "Order viewers")
    order = make_order(status=OrderStatus.PROMISED, facility=network())
    facility = FacilityFactory()
    stock = StockFactory(facility=facility)
    posts = [
        reverse("admin:orders_order_change", args=[order.pk]),
        reverse("admin:orders_order_action", args=[order.pk, "cancel"]),
        reverse("admin:inventory_facility_change", args=[facility.pk]),
        reverse("admin:inventory_facility_add"),
        reverse("admin:inventory_stock_change", args=[stock.pk]),
        reverse("admin:inventory_stock_delete", args=[stock.pk]),
        reverse("admin:promises_promisesconfiguration_changelist"),
        reverse("admin:promises_routingconfiguration_changelist"),
    ]

    assert [viewer.post(url, {"version": 1, "post": "yes"}).status_code for url in posts] == [
        403
    ] * len(posts)
    order.refresh_from_db()
    assert order.status == OrderStatus.PROMISED and order.version == 1


def test_inventory_managers_cannot_act_on_orders_or_promise_duration():
    manager = role_client("manager", "Inventory managers")
    order = make_order(status=OrderStatus.PROMISED, facility=network())

    cancel = reverse("admin:orders_order_action", args=[order.pk, "cancel"])
    duration = reverse("admin:promises_promisesconfiguration_changelist")

    assert manager.post(cancel, {"version": 1}).status_code == 403
    assert manager.post(duration, {"version": 1, "invalid_after_time": "PT1H"}).status_code == 403
    assert manager.get(reverse("admin:inventory_stock_add")).status_code == 200
