"""confirm_promise / extend_promise at the service level, with a controlled clock."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config import clock
from config.errors import InvalidInput, NotFound, VersionConflict
from inventory.models import Reservation
from orders.models import Order, OrderStatus
from promises import services
from tests.promises.helpers import available, promised_order, stocked_article

pytestmark = pytest.mark.django_db


def test_confirm_makes_the_order_open_and_the_reservation_permanent():
    now = timezone.now()
    stock = stocked_article(value=2)
    order = promised_order(stock, now=now)

    with clock.frozen_at(now):
        confirmed = services.confirm_promise(order.id, version=1, actor=None, tenant_order_id="R1")

    assert confirmed.status == OrderStatus.OPEN
    assert confirmed.version == 2
    assert confirmed.tenant_order_id == "R1"
    assert confirmed.promise_valid_until is None
    assert Reservation.objects.get(order_line_item__order=order).valid_until is None
    # Still held long after the promise would have expired.
    assert available(stock, now=now + timedelta(days=30)) == 1


def test_confirm_with_a_tenant_order_id_in_use_is_rejected_and_changes_nothing():
    now = timezone.now()
    stock = stocked_article(value=2)
    Order.objects.create(tenant_order_id="R1", status=OrderStatus.OPEN, order_date=now)
    order = promised_order(stock, now=now)

    with pytest.raises(InvalidInput), clock.frozen_at(now):
        services.confirm_promise(order.id, version=1, actor=None, tenant_order_id="R1")

    order.refresh_from_db()
    assert order.status == OrderStatus.PROMISED
    assert Reservation.objects.get(order_line_item__order=order).valid_until is not None


def test_confirm_with_a_stale_version_is_a_conflict():
    stock = stocked_article(value=2)
    order = promised_order(stock)

    with pytest.raises(VersionConflict):
        services.confirm_promise(order.id, version=7, actor=None)


def test_extend_moves_valid_until_to_now_plus_configured_duration():
    now = timezone.now()
    services.update_promises_configuration(version=1, invalid_after_time="PT2H")
    stock = stocked_article(value=2)
    order = promised_order(stock, valid_until=now + timedelta(minutes=10), now=now)
    later = now + timedelta(minutes=9)

    with clock.frozen_at(later):
        extended = services.extend_promise(order.id, version=1, actor=None)

    assert extended.promise_valid_until == later + timedelta(hours=2)
    assert extended.promises_options["validUntil"].startswith(
        (later + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    assert extended.version == 2
    reservation = Reservation.objects.get(order_line_item__order=order)
    assert reservation.valid_until == later + timedelta(hours=2)
    assert available(stock, now=now + timedelta(minutes=30)) == 1


@pytest.mark.parametrize("action", ["confirm", "extend"])
def test_an_action_on_an_expired_promise_is_not_found_even_before_the_sweep(action):
    now = timezone.now()
    stock = stocked_article(value=1)
    order = promised_order(stock, valid_until=now + timedelta(minutes=5), now=now)
    later = now + timedelta(minutes=6)
    function = services.confirm_promise if action == "confirm" else services.extend_promise

    with pytest.raises(NotFound, match="not found or expired"), clock.frozen_at(later):
        function(order.id, version=1, actor=None)

    order.refresh_from_db()
    assert order.status == OrderStatus.PROMISED
    # And after the sweep it is still "not found or expired".
    with clock.frozen_at(later):
        services.release_expired_promises()
    with pytest.raises(NotFound, match="not found or expired"), clock.frozen_at(later):
        function(order.id, version=2, actor=None)


def test_confirming_an_open_order_is_invalid():
    now = timezone.now()
    order = Order.objects.create(status=OrderStatus.OPEN, order_date=now)

    with pytest.raises(InvalidInput, match="not PROMISED"):
        services.confirm_promise(order.id, version=1, actor=None)


@pytest.mark.parametrize("order_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_unknown_order_is_not_found(order_id):
    with pytest.raises(NotFound):
        services.confirm_promise(order_id, version=1, actor=None)
