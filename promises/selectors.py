"""Reads of the promise lifecycle."""

from django.utils import timezone

from inventory.services import PromiseExpired
from orders.models import Order, OrderStatus


def raise_if_expired_promise(order_id, *, now=None):
    """Any action on a promise past its validUntil is a 404 "not found or expired", whether or
    not the sweep has cancelled it yet."""
    now = now or timezone.now()
    expired = Order.objects.filter(
        id=order_id,
        status__in=(OrderStatus.PROMISED, OrderStatus.CANCELLED),
        promise_valid_until__lte=now,
    ).exists()
    if expired:
        raise PromiseExpired()
