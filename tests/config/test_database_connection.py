"""How the web processes talk to PostgreSQL (config/settings.py): parameters bound on the
server, repeated statements prepared, and still a plan for each execution's values."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from inventory.selectors.availability import availability_and_backorders, stock_levels
from inventory.services.reservations import Allocation, InsufficientStock, reserve_stock
from tests.inventory.factories import StockFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL connection options"),
]


def test_statements_are_prepared_but_planned_for_their_values():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        # A plan generic over the values made the availability and stock-lock queries slower.
        assert cursor.fetchone()[0] == "force_custom_plan"
    assert connection.connection.prepare_threshold == 2
    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True


def test_prepared_checkout_statements_answer_from_the_current_rows():
    stocks = [StockFactory(value=3), StockFactory(value=1)]
    now = timezone.now()
    valid_until = now + timedelta(days=365)
    # Past the prepare threshold: later executions run the prepared statements.
    for _ in range(3):
        levels, _ = availability_and_backorders([stocks[0].tenant_article_id], now=now)
        assert levels[(stocks[0].facility_id, stocks[0].tenant_article_id)].available == 3

    for stock in stocks:
        reserve_stock(
            [Allocation(stock.facility_id, stock.tenant_article_id, 1, None)],
            valid_until=valid_until,
        )
    with pytest.raises(InsufficientStock):  # the second stock's only unit is taken
        reserve_stock(
            [Allocation(stocks[1].facility_id, stocks[1].tenant_article_id, 1, None)],
            valid_until=valid_until,
        )

    levels, _ = availability_and_backorders([stock.tenant_article_id for stock in stocks])
    assert [levels[(s.facility_id, s.tenant_article_id)].available for s in stocks] == [2, 0]
    assert [level.reserved for level in stock_levels(stocks).values()] == [1, 1]
