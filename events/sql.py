"""The events app's hand-written SQL: one event per order for many orders, the payloads
rendered and the outbox rows written in one PostgreSQL statement, and its portable twin side
by side (tests/events/test_sql.py runs both on the same data).

The PostgreSQL form is an `INSERT … SELECT` over the orders: the payload is the order's wire
document built by the database (orders/sql.py compiles it from the API's definition), so
10,000 orders cost one statement and no Python per order. The few orders whose dates Python
cannot hold are rendered by the portable path (a minimal payload, events.payloads). Table and
column names come from `_meta`.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from events import payloads
from events.models import OutboxEvent
from inventory.sql import UUID_ARRAY_SQL, uuid_array
from orders import sql as orders_sql
from orders.models import Order


def _column(name):
    return OutboxEvent._meta.get_field(name).column


def _insert_statement():
    orders, pk = Order._meta.db_table, Order._meta.pk.column
    # The orders by primary key, one index probe each: a plain `id = ANY(…)` let the planner
    # scan the whole table and compare each row with the whole array.
    chosen = f"unnest({UUID_ARRAY_SQL}) AS chosen (id) JOIN {orders} AS o ON o.{pk} = chosen.id"
    return (
        f"INSERT INTO {OutboxEvent._meta.db_table}"
        f" ({_column('id')}, {_column('event')}, {_column('payload')}, {_column('created')})"
        f" SELECT gen_random_uuid(), %s, {orders_sql.order_document_sql('o')}, %s"
        f" FROM {chosen} WHERE {orders_sql.renderable_sql('o')}"
        f" RETURNING {_column('id')}, {_column('payload')} ->> 'id'"
    )


_STATEMENT = []


def insert_order_events(event_name, order_ids):
    """One outbox row of `event_name` per order, its payload the order as GET /api/orders/{id}
    renders it now; returns the events' ids. The twin for this connection's database."""
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        return insert_order_events_postgresql(event_name, order_ids)
    return insert_order_events_portable(event_name, order_ids)


def insert_order_events_postgresql(event_name, order_ids):
    """One statement for the orders PostgreSQL renders; those it leaves (a date Python cannot
    hold, usually none) go to the portable twin. The rows share one `created`, the moment of
    the change they report."""
    if not _STATEMENT:
        _STATEMENT.append(_insert_statement())
    order_ids = list(order_ids)
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        # JIT-compiling the document's hundred-odd expressions took 0.2 s a batch, more than
        # it saved; off for the rest of this (the sweep's batch) transaction only.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(_STATEMENT[0], [event_name, timezone.now(), uuid_array(order_ids)])
        rows = cursor.fetchall()
    event_ids = [event_id for event_id, _ in rows]
    rendered = {order_id for _, order_id in rows}  # the payload's "id": the order's, as text
    left = [order_id for order_id in order_ids if str(order_id) not in rendered]
    if left:
        event_ids += insert_order_events_portable(event_name, left)
    return event_ids


def insert_order_events_portable(event_name, order_ids):
    """The orders rendered in Python (`events.payloads.order_payloads`), then `bulk_create`."""
    events = OutboxEvent.objects.bulk_create(
        OutboxEvent(event=event_name, payload=payload)
        for payload in payloads.order_payloads(order_ids)
    )
    return [event.id for event in events]
