"""Reads of the eventing app."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min

from config.errors import InvalidInput
from config.identifiers import parse_uuid
from events.models import Delivery, DeliveryStatus, EventName, OutboxEvent, Subscription


def supported_events():
    return [{"event": value, "description": label} for value, label in EventName.choices]


def list_subscriptions(*, start_after_id=None, size=25):
    """A page in creation order, and the total count. `start_after_id` is the last id of the
    previous page."""
    subscriptions = Subscription.objects.order_by("created", "id")
    total = subscriptions.count()
    if start_after_id:
        anchor = _subscription_or_none(start_after_id)
        if anchor is None:
            raise InvalidInput(
                "startAfterId: no subscription with this id.",
                f"{start_after_id} is not the id of an existing subscription.",
            )
        subscriptions = subscriptions.filter(created__gte=anchor.created).exclude(
            created=anchor.created, id__lte=anchor.id
        )
    return list(subscriptions[:size]), total


def _subscription_or_none(subscription_id):
    parsed = parse_uuid(subscription_id)
    if parsed is None:
        return None
    return Subscription.objects.filter(pk=parsed).first()


@dataclass(frozen=True)
class OutboxBacklog:
    events_waiting: int  # recorded, not yet fanned out into deliveries
    deliveries_pending: int  # waiting for a first attempt or a retry
    oldest_undelivered: datetime | None  # when the oldest event either of them holds happened


def outbox_backlog():
    """Both counts from the partial indexes on the waiting rows (they stay small while
    delivery keeps up), whatever the size of the delivered history."""
    waiting = OutboxEvent.objects.filter(fanned_out_at__isnull=True).aggregate(
        count=Count("pk"), oldest=Min("created")
    )
    pending = Delivery.objects.filter(status=DeliveryStatus.PENDING).aggregate(
        count=Count("pk"), oldest=Min("outbox_event__created")
    )
    oldest = [moment for moment in (waiting["oldest"], pending["oldest"]) if moment is not None]
    return OutboxBacklog(waiting["count"], pending["count"], min(oldest, default=None))
