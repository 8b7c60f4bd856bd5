"""Reads of the eventing app."""

from config.errors import InvalidInput
from config.identifiers import parse_uuid
from events.models import EventName, Subscription


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
