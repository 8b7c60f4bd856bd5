"""The dashboard on the admin index: today's promise funnel, open orders, stock-outs, and the
14-day chart, from a handful of aggregate queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from config import admin_dashboard
from inventory.services.reservations import Allocation, reserve_stock
from orders.models import Order, OrderStatus
from promises.sql import EXPIRED_REASON
from tests.admin_helpers import make_order, network, staff_client
from tests.inventory.factories import StockFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")


def promise_created(days_ago=0, status=OrderStatus.PROMISED, **fields):
    order = make_order(status=OrderStatus.PROMISED)
    created = timezone.now() - timedelta(days=days_ago)
    Order.objects.filter(pk=order.pk).update(created=created, status=status, **fields)
    return order


@pytest.fixture
def funnel_data():
    promise_created()  # still waiting
    promise_created(status=OrderStatus.OPEN, promise_valid_until=None)  # confirmed
    promise_created(status=OrderStatus.OPEN, promise_valid_until=None)  # confirmed
    promise_created(
        status=OrderStatus.CANCELLED,
        status_reasons=[{"status": "CANCELLED", "reason": EXPIRED_REASON}],
    )
    promise_created(days_ago=3, status=OrderStatus.OPEN, promise_valid_until=None)
    promise_created(days_ago=20)  # outside the chart
    make_order(status=OrderStatus.OPEN)  # an ordinary order, not a promise
    facility = network()
    StockFactory(facility=facility, tenant_article_id="GONE", value=0)
    StockFactory(facility=facility, tenant_article_id="HELD", value=1)
    reserve_stock([Allocation(facility.id, "HELD", 1)], valid_until=None)
    StockFactory(facility=facility, tenant_article_id="PLENTY", value=9)


def test_figures_for_today_and_the_last_14_days(funnel_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        figures = admin_dashboard.dashboard()

    assert (figures.today.created, figures.today.confirmed, figures.today.expired) == (4, 2, 1)
    assert figures.today.waiting == 1
    assert figures.today.conversion_rate == 0.5
    assert figures.open_orders == 4  # 2 confirmed today, 1 three days ago, 1 ordinary
    assert figures.stock_outs == 2
    assert len(figures.funnel) == 14
    three_days_ago = figures.funnel[-4]
    assert (three_days_ago.created, three_days_ago.confirmed) == (1, 1)
    assert sum(day.created for day in figures.funnel) == 5


def test_index_shows_the_dashboard_and_the_chart(funnel_data, django_assert_max_num_queries):
    client = staff_client("boss", superuser=True)

    with django_assert_max_num_queries(12):
        response = client.get(INDEX)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="figure-created">4<' in html
    assert 'id="figure-confirmed">2<' in html
    assert 'id="figure-expired">1<' in html
    assert 'id="figure-conversion">50 %<' in html
    assert 'id="figure-open-orders">4<' in html
    assert 'id="figure-stock-outs">2<' in html
    assert html.count("<rect ") == 14 * 3
    assert "http://" not in html.split('id="funnel-chart"')[1].split("</svg>")[0].replace(
        "http://www.w3.org", ""
    )


def test_empty_day_has_no_conversion_rate():
    client = staff_client("boss", superuser=True)
    html = client.get(INDEX).content.decode()
    assert 'id="figure-conversion">—<' in html


def test_staff_who_may_not_see_orders_get_no_dashboard():
    client = staff_client("clerk", permissions=["inventory.view_stock"])
    response = client.get(INDEX)
    assert response.status_code == 200
    assert b"doms-dashboard" not in response.content
