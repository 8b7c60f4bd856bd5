"""Expired promises: stock is free at once, the sweep cancels each exactly once."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from config import clock
from config.models import IdempotencyKey
from inventory.models import Reservation
from orders.models import Order, OrderStatus
from promises import services, tasks
from tests.promises.helpers import available, promised_order, stocked_article


@pytest.mark.django_db
def test_expired_promise_frees_stock_before_the_sweep():
    now = timezone.now()
    stock = stocked_article(value=1)
    promised_order(stock, valid_until=now + timedelta(minutes=5), now=now)
    assert available(stock, now=now) == 0

    later = now + timedelta(minutes=6)

    assert available(stock, now=later) == 1
    # A new promise at that time may take the unit although the sweep has not run.
    promised_order(stock, now=later)
    assert available(stock, now=later) == 0


@pytest.mark.django_db
def test_sweep_cancels_expired_promises_with_a_reason_and_releases_reservations():
    now = timezone.now()
    stock = stocked_article(value=3)
    expired = promised_order(stock, valid_until=now + timedelta(minutes=1), now=now)
    live = promised_order(stock, valid_until=now + timedelta(hours=2), now=now)

    with clock.frozen_at(now + timedelta(minutes=2)):
        released = services.release_expired_promises()

    assert released == 1
    expired.refresh_from_db()
    assert expired.status == OrderStatus.CANCELLED
    assert expired.version == 2
    assert expired.status_reasons[-1]["status"] == "CANCELLED"
    assert "expired" in expired.status_reasons[-1]["reason"]
    assert not Reservation.objects.filter(order_line_item__order=expired).exists()
    live.refresh_from_db()
    assert live.status == OrderStatus.PROMISED
    assert Reservation.objects.filter(order_line_item__order=live).count() == 1
    # Idempotent: a second sweep finds nothing to do.
    with clock.frozen_at(now + timedelta(minutes=2)):
        assert services.release_expired_promises() == 0
    expired.refresh_from_db()
    assert expired.version == 2


@pytest.mark.django_db
def test_sweep_works_in_batches():
    now = timezone.now()
    stock = stocked_article(value=10)
    for _ in range(7):
        promised_order(stock, valid_until=now + timedelta(minutes=1), now=now)

    with clock.frozen_at(now + timedelta(minutes=2)):
        released = services.release_expired_promises(batch_size=3)

    assert released == 7
    assert Order.objects.filter(status=OrderStatus.CANCELLED).count() == 7
    assert not Reservation.objects.exists()


@pytest.mark.django_db
def test_confirmed_orders_are_never_swept():
    now = timezone.now()
    stock = stocked_article(value=2)
    order = promised_order(stock, valid_until=now + timedelta(minutes=5), now=now)
    with clock.frozen_at(now):
        services.confirm_promise(order.id, version=1, actor=None)

    with clock.frozen_at(now + timedelta(days=1)):
        assert services.release_expired_promises() == 0

    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN
    assert available(stock, now=now + timedelta(days=1)) == 1


@pytest.mark.django_db
def test_sweep_deletes_idempotency_keys_past_their_lifetime(django_user_model):
    now = timezone.now()
    user = django_user_model.objects.create(username="shop")
    IdempotencyKey.objects.create(
        user=user, endpoint="e", key="old", request_fingerprint="x", expires_at=now
    )
    IdempotencyKey.objects.create(
        user=user, endpoint="e", key="new", request_fingerprint="x", expires_at=now + timedelta(1)
    )

    with clock.frozen_at(now + timedelta(seconds=1)):
        services.release_expired_promises()

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db
def test_management_command_and_task_do_the_same(capsys):
    past = timezone.now() - timedelta(hours=1)
    stock = stocked_article(value=2)
    promised_order(stock, valid_until=past + timedelta(minutes=1), now=past)
    promised_order(stock, valid_until=past + timedelta(minutes=1), now=past)

    call_command("release_expired_promises")

    assert "Released 2 expired promise(s)." in capsys.readouterr().out
    assert tasks.release_expired_promises() == 0
    assert available(stock) == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_cancel_each_promise_exactly_once():
    now = timezone.now()
    stock = stocked_article(value=100)
    orders = [
        promised_order(stock, valid_until=now + timedelta(minutes=1), now=now) for _ in range(60)
    ]
    later = now + timedelta(minutes=2)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(services.release_expired_promises(batch_size=7))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    with clock.frozen_at(later):  # one clock for both threads
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert sum(results) == len(orders)
    cancelled = Order.objects.filter(status=OrderStatus.CANCELLED)
    assert cancelled.count() == 60
    # Each order was moved exactly once: one version bump, one status reason.
    assert set(cancelled.values_list("version", flat=True)) == {2}
    assert all(len(order.status_reasons) == 1 for order in cancelled)
    assert not Reservation.objects.exists()
    assert available(stock) == 100


@pytest.mark.django_db
def test_sweep_cost_does_not_grow_with_the_number_of_promises(django_assert_max_num_queries):
    now = timezone.now()
    stock = stocked_article(value=50)
    for _ in range(30):
        promised_order(stock, valid_until=now + timedelta(minutes=1), now=now)

    # The GDPR setting (updateDetails of the system actor), lock, (portable: count) and delete
    # reservations, cancel, "anyone subscribed?", uncount, idempotency and sourcing-options
    # cleanup, the transaction's own statements: the same for 3 or 30,000 promises.
    with django_assert_max_num_queries(11), clock.frozen_at(now + timedelta(minutes=2)):
        assert services.release_expired_promises() == 30
