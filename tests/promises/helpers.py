"""Small builders for promise tests: a promised order holding reservations, and availability."""

from datetime import timedelta

from django.utils import timezone

from inventory.selectors import availability
from inventory.services import Allocation, reserve_stock
from orders.models import Order, OrderLineItem, OrderStatus
from tests.inventory.factories import FacilityFactory, ListingFactory, StockFactory


def stocked_article(article="TSHIRT-W-2468", value=5, facility=None, **listing):
    facility = facility or FacilityFactory()
    ListingFactory(facility=facility, tenant_article_id=article, **listing)
    return StockFactory(facility=facility, tenant_article_id=article, value=value)


def promised_order(stock, quantity=1, *, valid_until=None, now=None):
    """A PROMISED order reserving `quantity` of `stock` until `valid_until` (default +1 h)."""
    now = now or timezone.now()
    valid_until = valid_until or now + timedelta(hours=1)
    order = Order.objects.create(
        status=OrderStatus.PROMISED,
        order_date=now,
        promise_valid_until=valid_until,
        promises_options={"validUntil": valid_until.isoformat()},
    )
    line = OrderLineItem.objects.create(
        order=order,
        tenant_article_id=stock.tenant_article_id,
        article={"tenantArticleId": stock.tenant_article_id, "title": "Article"},
        quantity=quantity,
    )
    reserve_stock(
        [Allocation(stock.facility_id, stock.tenant_article_id, quantity, line.id)],
        valid_until=valid_until,
        now=now,
    )
    return order


def available(stock, now=None):
    level = availability([stock.tenant_article_id], [stock.facility_id], now=now)
    return level[(stock.facility_id, stock.tenant_article_id)].available
