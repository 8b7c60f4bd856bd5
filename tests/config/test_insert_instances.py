"""config.db.insert_instances: rows read back as the ORM would have written them."""

import pytest
from django.utils import timezone

from config.db import insert_instances
from orders.models import Order, OrderLineItem, OrderStatus

pytestmark = pytest.mark.django_db


def test_inserted_rows_read_back_with_their_json_timestamps_and_defaults():
    before = timezone.now()
    order = Order(
        status=OrderStatus.PROMISED,
        order_date=before,
        consumer={"email": "david@example.com", "addresses": [{"city": "Amsterdam"}]},
        tags=[{"id": "gift", "value": "yes"}],
    )
    lines = [
        OrderLineItem(order=order, position=index, tenant_article_id=article, quantity=index + 1)
        for index, article in enumerate(["TSHIRT-W-2468", "JEANS-B-2605"])
    ]

    insert_instances([order])
    insert_instances(lines)

    stored = Order.objects.get(id=order.id)
    assert stored.consumer == order.consumer
    assert stored.tags == [{"id": "gift", "value": "yes"}]
    assert stored.version == 1 and stored.status == OrderStatus.PROMISED
    assert before <= stored.created == order.created <= timezone.now()
    assert [(line.tenant_article_id, line.quantity) for line in stored.order_line_items.all()] == [
        ("TSHIRT-W-2468", 1),
        ("JEANS-B-2605", 2),
    ]
    assert not order._state.adding  # a later save() updates instead of inserting again
