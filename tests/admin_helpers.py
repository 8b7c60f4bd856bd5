"""Data and logged-in clients for the back-office tests (admin screens and the browser test)."""

import io
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from inventory.models import Stock
from inventory.services.reservations import Allocation, reserve_stock
from orders.models import OrderStatus
from tests.inventory.factories import FacilityFactory
from tests.orders.factories import OrderFactory, OrderLineItemFactory

PASSWORD = "back-office-password"

SOURCING_OPTION = {
    "id": "so-1",
    "runId": "run-1",
    "totalPenalty": 187,
    "nodes": [
        {
            "id": "node-1",
            "type": "MANAGED_FACILITY",
            "tenantFacilityId": "STORE-AMS",
            "lineItems": [{"tenantArticleId": "TSHIRT-W-2468", "quantity": 2}],
        }
    ],
    "transfers": [],
    "ratingResults": [
        {"id": "r1", "name": "geoDistance", "type": "StandardRating", "penalty": 87},
        {"id": "r2", "name": "deliveryTime", "type": "StandardRating", "penalty": 100},
    ],
    "priorityRatingResults": [],
}


def make_staff(username, *, superuser=False, groups=(), permissions=()):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=True, is_superuser=superuser
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    for name in permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def staff_client(username="admin", **kwargs):
    client = Client()
    client.force_login(make_staff(username, **kwargs))
    return client


def role_client(username, group):
    call_command("setup_roles", stdout=io.StringIO())
    return staff_client(username, groups=[group])


def make_order(
    *,
    status=OrderStatus.OPEN,
    tenant_order_id=None,
    lines=(("TSHIRT-W-2468", 2),),
    facility=None,
    collect=False,
    consumer_name="Anna Jansen",
    consumer_email="anna@example.com",
    consumer_id="CONSUMER-1",
    order_date=None,
    valid_for=timedelta(hours=1),
    reserve=True,
    **fields,
):
    """An order with line items; with `facility`, each line reserves stock there (temporarily
    for a promise, permanently otherwise), as the promise and order services would."""
    now = timezone.now()
    promised = status == OrderStatus.PROMISED
    valid_until = now + valid_for if promised else None
    delivery = (
        {"collect": [{"facilityRef": str(facility.id) if facility else "x"}]}
        if collect
        else {"shipping": {"preferredCarriers": ["DHL"]}}
    )
    order = OrderFactory(
        status=status,
        tenant_order_id=tenant_order_id,
        order_date=order_date or now,
        consumer={
            "consumerId": consumer_id,
            "email": consumer_email,
            "addresses": [{"firstName": consumer_name.split()[0], "lastName": "Jansen"}],
        },
        consumer_id=consumer_id,
        consumer_email=consumer_email,
        consumer_name=consumer_name,
        delivery_preferences=delivery,
        promise_valid_until=valid_until,
        promises_options={"validUntil": valid_until.isoformat()} if promised else None,
        **fields,
    )
    allocations = []
    for position, (article, quantity) in enumerate(lines):
        line = OrderLineItemFactory(
            order=order,
            position=position,
            tenant_article_id=article,
            article={"tenantArticleId": article, "title": f"Title of {article}"},
            quantity=quantity,
        )
        if facility is not None and reserve:
            Stock.objects.get_or_create(
                facility=facility, tenant_article_id=article, defaults={"value": 1000}
            )
            allocations.append(Allocation(facility.id, article, quantity, line.id))
    if allocations:
        reserve_stock(allocations, valid_until=valid_until)
    return order


def network():
    return FacilityFactory(name="Amsterdam Damrak", tenant_facility_id="STORE-AMS")
