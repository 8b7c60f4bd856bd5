"""The expiry batch's twins (promises/sql.py) on the same data: same promises cancelled, same
reservations released, same counts returned, same rows left behind."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from inventory.models import Reservation
from orders.models import Order
from promises import sql
from tests.inventory.factories import FacilityFactory
from tests.promises.helpers import promised_order, stocked_article

pytestmark = pytest.mark.django_db

TWINS = [
    pytest.param(
        sql.release_batch_postgresql,
        marks=pytest.mark.skipif(
            connection.vendor != "postgresql", reason="the PostgreSQL twin needs PostgreSQL"
        ),
        id="postgresql",
    ),
    pytest.param(sql.release_batch_portable, id="portable"),
]


def expired_and_live_promises():
    now = timezone.now()
    store, warehouse = FacilityFactory(), FacilityFactory()
    at_store, at_warehouse = stocked_article("A", 9, store), stocked_article("A", 9, warehouse)
    expired = [
        promised_order(at_store, valid_until=now + timedelta(minutes=1), now=now),
        promised_order(at_store, 2, valid_until=now + timedelta(minutes=2), now=now),
        promised_order(at_warehouse, valid_until=now + timedelta(minutes=3), now=now),
    ]
    Order.objects.filter(id=expired[0].id).update(status_reasons=[{"reason": "earlier"}])
    live = promised_order(at_store, valid_until=now + timedelta(hours=1), now=now)
    return now + timedelta(minutes=10), expired, live, (store, warehouse)


EXPIRED_DETAIL = {"created": "2024-01-19T08:45:50.525Z", "changes": {"action": "EXPIRE"}}


def outcome(twin, now, batch_size):
    """What a twin returns and leaves behind, rolled back afterwards."""
    with transaction.atomic():
        batch = twin(now, batch_size, EXPIRED_DETAIL)
        rows = {
            str(order.id): (order.status, order.version, order.status_reasons, order.update_details)
            for order in Order.objects.order_by("id")
        }
        reservations = sorted(str(r.order_line_item.order_id) for r in Reservation.objects.all())
        transaction.set_rollback(True)
    return batch, rows, reservations


@pytest.mark.parametrize("twin", TWINS)
def test_each_twin_releases_the_oldest_expired_promises_of_a_batch(twin):
    now, expired, live, (store, warehouse) = expired_and_live_promises()
    today = timezone.now().date()

    batch, rows, reservations = outcome(twin, now, batch_size=2)

    assert [str(order_id) for order_id in batch.order_ids] == [str(o.id) for o in expired[:2]]
    assert {
        (str(facility), day): n for (facility, day), n in batch.orders_by_facility_day.items()
    } == {(str(store.id), today): 2}
    first, second = (rows[str(order.id)] for order in expired[:2])
    assert first == (
        "CANCELLED",
        2,
        [{"reason": "earlier"}, sql.EXPIRED_STATUS_REASON],
        [EXPIRED_DETAIL],
    )
    assert second == ("CANCELLED", 2, [sql.EXPIRED_STATUS_REASON], [EXPIRED_DETAIL])
    assert rows[str(expired[2].id)][0] == rows[str(live.id)][0] == "PROMISED"
    assert reservations == sorted([str(expired[2].id), str(live.id)])


def test_both_twins_leave_the_same_state():
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL runs both twins")
    now, *_ = expired_and_live_promises()

    postgresql = outcome(sql.release_batch_postgresql, now, batch_size=10)
    portable = outcome(sql.release_batch_portable, now, batch_size=10)

    assert postgresql[1:] == portable[1:]
    assert postgresql[0].order_ids == portable[0].order_ids
    assert postgresql[0].orders_by_facility_day == portable[0].orders_by_facility_day


def test_the_checkout_snapshot_statement_reads_duration_subscribers_and_a_moving_stamp():
    """One statement on both databases: a checkout learns the promise duration, the GDPR actor
    anonymization and which events have subscribers, and any edit of the network moves the
    stamp (so the cache reloads)."""
    from events.models import EventName
    from orders.models import GdprConfiguration
    from promises.models import PromisesConfiguration
    from tests.events.factories import SubscriptionFactory

    facility = FacilityFactory()
    assert sql.network_stamp_and_settings().actor_anonymization is True  # never configured
    PromisesConfiguration.objects.create(id=1, invalid_after_time="PT30M")
    GdprConfiguration.objects.create(id=1, actor_anonymization=False)
    SubscriptionFactory(event=EventName.ORDER_CREATED)
    SubscriptionFactory(event=EventName.ORDER_CREATED)
    SubscriptionFactory(event=EventName.DELIVERY_PROMISE_CREATED)

    settings = sql.network_stamp_and_settings()

    assert settings.invalid_after_time == "PT30M"
    assert settings.actor_anonymization is False
    assert settings.subscribed_events == {
        EventName.ORDER_CREATED,
        EventName.DELIVERY_PROMISE_CREATED,
    }
    facility.name = "renamed"
    facility.version += 1
    facility.save()
    assert sql.network_stamp_and_settings().stamp != settings.stamp
