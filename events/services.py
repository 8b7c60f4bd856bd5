"""Writes of the eventing app: recording events in the outbox, and subscriptions.

Flow: `record_event` inserts an `OutboxEvent` in the caller's transaction and, after commit,
asks Celery (from a background thread, events.publishing) to deliver it right away; the
delivery itself (fan-out into one `Delivery` per matching subscription, the POSTs, retries)
is events.delivery. If the broker is down or hung the request neither fails nor waits; the
periodic `deliver_pending_events` task picks up whatever is pending, so nothing is lost.
"""

import json

from django.db import transaction
from rest_framework.utils.encoders import JSONEncoder

from config.errors import InvalidInput, NotFound
from config.identifiers import parse_uuid
from events import conf, payloads, sql
from events.locking import lock_subscriptions_of_event
from events.models import EventName, OutboxEvent, Subscription
from events.publishing import publisher

MAX_SUBSCRIPTIONS_PER_EVENT = 5
# Headers DOMS sets itself; a subscription's custom headers may not replace them.
RESERVED_HEADERS = {"content-type", "content-length", "host", "user-agent", "transfer-encoding"}
RESERVED_HEADER_PREFIX = "x-doms-"
# Events whose payload names one facility (`facilityRef`), so a FACILITY context can filter them.
FACILITY_SCOPED_EVENTS = {EventName.INVENTORY_FACILITY_STOCK_CHANGED}


# --- recording ------------------------------------------------------------------------------


def record_event(event_name, payload):
    """Write an outbox row in the caller's transaction; a rollback discards it with the change.

    `payload` is rendered exactly as the API renders JSON (dates ISO 8601, decimals as numbers)
    and frozen now, so receivers see the entity as it was when the event happened. Returns the
    OutboxEvent, or None when no subscription for the event exists (see `record_events`).
    """
    events = record_events(event_name, [payload])
    return events[0] if events else None


def record_events(event_name, payloads, *, subscribed=None):
    """`record_event` for many payloads of one event name, in one INSERT.

    An event goes to the subscriptions that exist when it happens, so with none there is
    nothing to write: one indexed SELECT, and `payloads` (may be a lazy iterable) is never
    consumed — busy paths such as the expiry sweep pay nothing for events nobody wants.
    A caller that read the subscribed events moments ago in the same request (the checkout)
    passes `subscribed` and saves the SELECT.
    """
    if not _anyone_subscribed(event_name, subscribed):
        return []
    events = OutboxEvent.objects.bulk_create(
        OutboxEvent(event=EventName(event_name), payload=_frozen(payload)) for payload in payloads
    )
    _publish_after_commit([event.id for event in events])
    return events


def _anyone_subscribed(event_name, subscribed):
    if event_name not in EventName.values:
        raise ValueError(f"Unknown event {event_name!r}")
    if subscribed is None:
        return Subscription.objects.filter(event=event_name).exists()
    return subscribed


def _publish_after_commit(event_ids):
    if event_ids and conf.setting("EVENTS_ENQUEUE_AFTER_COMMIT"):
        transaction.on_commit(lambda: publisher.submit(event_ids), robust=True)


def _frozen(payload):
    return json.loads(json.dumps(payload, cls=JSONEncoder))


def record_order_event(event_name, order, *, subscribed=None):
    """Record an event whose payload is the order as the API renders it (prefetch its line
    items); returns the order, so a service can end with
    `return record_order_event(EventName.X, get_order(order.id))`. See `record_events` for
    `subscribed`."""
    record_events(
        event_name, (payloads.order_payload(item) for item in [order]), subscribed=subscribed
    )
    return order


def record_order_events(event_name, order_ids):
    """One event per order, for bulk changes (the promise expiry sweep); returns the events'
    ids. With subscribers, on PostgreSQL, the database renders the payloads from the API's
    wire definition and writes the rows in one statement (events/sql.py); without: one query."""
    if not _anyone_subscribed(event_name, None):
        return []
    event_ids = sql.insert_order_events(event_name, order_ids)
    _publish_after_commit(event_ids)
    return event_ids


def record_stock_event(stock):
    """INVENTORY_FACILITY_STOCK_CHANGED for one stock (with `reserved`/`available` set, as the
    inventory services leave them), rendered as the stocks API renders it. Returns the stock."""
    return record_stock_events([stock])[0]


def record_stock_events(stocks):
    """INVENTORY_FACILITY_STOCK_CHANGED for each stock (with `reserved`/`available` set, as the
    inventory services leave them); returns the stocks."""
    stocks = list(stocks)
    if stocks:
        record_events(EventName.INVENTORY_FACILITY_STOCK_CHANGED, payloads.stock_payloads(stocks))
    return stocks


# --- subscriptions --------------------------------------------------------------------------


def create_subscription(*, name, event, callback_url, headers=None, contexts=None):
    headers = headers or []
    contexts = contexts or []
    _check_headers(headers)
    _check_contexts(event, contexts)
    with transaction.atomic():
        lock_subscriptions_of_event(event)
        if Subscription.objects.filter(event=event).count() >= MAX_SUBSCRIPTIONS_PER_EVENT:
            raise InvalidInput(
                f"At most {MAX_SUBSCRIPTIONS_PER_EVENT} subscriptions per event are possible.",
                f"There are already {MAX_SUBSCRIPTIONS_PER_EVENT} subscriptions for {event}; "
                "delete one before adding another.",
            )
        return Subscription.objects.create(
            name=name, event=event, callback_url=callback_url, headers=headers, contexts=contexts
        )


def delete_subscription(subscription_id):
    """Delete a subscription and its pending deliveries; returns the deleted subscription."""
    with transaction.atomic():
        subscription = _get_subscription_for_update(subscription_id)
        lock_subscriptions_of_event(subscription.event)
        deleted_id = subscription.id
        subscription.delete()
        subscription.id = deleted_id
        return subscription


def _get_subscription_for_update(subscription_id):
    try:
        return Subscription.objects.select_for_update().get(pk=parse_uuid(subscription_id))
    except Subscription.DoesNotExist:
        raise NotFound("Not found.", f"No subscription with id {subscription_id}.") from None


def _check_headers(headers):
    for header in headers:
        key = header["key"].strip().lower()
        if key in RESERVED_HEADERS or key.startswith(RESERVED_HEADER_PREFIX):
            raise InvalidInput(
                f"headers: {header['key']} is set by DOMS on every delivery.",
                f"Custom headers may not replace {', '.join(sorted(RESERVED_HEADERS))} "
                f"or any {RESERVED_HEADER_PREFIX}* header.",
            )


def _check_contexts(event, contexts):
    facility_contexts = [context for context in contexts if context["type"] == "FACILITY"]
    if any(context["type"] == "FACILITY_GROUP" for context in contexts):
        raise InvalidInput(
            "contexts: FACILITY_GROUP is not supported.",
            "DOMS has no facility groups; filter by FACILITY instead.",
        )
    if len(facility_contexts) > 1:
        raise InvalidInput("contexts: a FACILITY context can only appear once.")
    if facility_contexts and event not in FACILITY_SCOPED_EVENTS:
        raise InvalidInput(
            f"contexts: {event} cannot be filtered by facility.",
            "A FACILITY context is supported for "
            f"{', '.join(sorted(FACILITY_SCOPED_EVENTS))} only.",
        )
