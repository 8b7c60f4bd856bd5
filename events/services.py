"""Writes of the eventing app: the outbox, subscriptions and webhook delivery.

Flow: `record_event` inserts an `OutboxEvent` in the caller's transaction and, after commit,
asks Celery to deliver it right away. Delivery fans the event out into one `Delivery` per
matching subscription and POSTs each one. If the broker is down the request still succeeds;
the periodic `deliver_pending_events` task picks up whatever is pending, so nothing is lost.
"""

import hashlib
import hmac
import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

import requests
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from config.errors import InvalidInput, NotFound
from events import conf, payloads
from events.locking import lock_subscriptions_of_event
from events.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    EventName,
    OutboxEvent,
    Subscription,
)

logger = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS_PER_EVENT = 5
SIGNATURE_HEADER = "X-DOMS-Signature"
EVENT_HEADER = "X-DOMS-Event"
EVENT_ID_HEADER = "X-DOMS-Event-Id"
DELIVERY_ID_HEADER = "X-DOMS-Delivery-Id"
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


def record_events(event_name, payloads):
    """`record_event` for many payloads of one event name, in one INSERT.

    An event goes to the subscriptions that exist when it happens, so with none there is
    nothing to write: one indexed SELECT, and `payloads` (may be a lazy iterable) is never
    consumed — busy paths such as the expiry sweep pay nothing for events nobody wants.
    """
    if event_name not in EventName.values:
        raise ValueError(f"Unknown event {event_name!r}")
    if not Subscription.objects.filter(event=event_name).exists():
        return []
    events = OutboxEvent.objects.bulk_create(
        OutboxEvent(event=EventName(event_name), payload=_frozen(payload)) for payload in payloads
    )
    if events and conf.setting("EVENTS_ENQUEUE_AFTER_COMMIT"):
        event_ids = [event.id for event in events]
        transaction.on_commit(lambda: enqueue_event_delivery(*event_ids), robust=True)
    return events


def _frozen(payload):
    return json.loads(json.dumps(payload, cls=JSONEncoder))


def record_order_event(event_name, order):
    """Record an event whose payload is the order as the API renders it (prefetch its line
    items); returns the order, so a service can end with
    `return record_order_event(EventName.X, get_order(order.id))`."""
    record_events(event_name, (payloads.order_payload(item) for item in [order]))
    return order


def record_order_events(event_name, order_ids):
    """One event per order, for bulk changes (the promise expiry sweep). With subscribers:
    four queries whatever the number of orders; without: one."""
    from orders.models import Order
    from orders.selectors import with_line_items

    orders = with_line_items(Order.objects.filter(id__in=list(order_ids)).order_by("id"))
    return record_events(event_name, (payloads.order_payload(order) for order in orders))


def record_stock_events(stocks):
    """INVENTORY_FACILITY_STOCK_CHANGED for each stock (with `reserved`/`available` set, as the
    inventory services leave them); returns the stocks."""
    stocks = list(stocks)
    if stocks:
        record_events(
            EventName.INVENTORY_FACILITY_STOCK_CHANGED,
            (payloads.stock_payload(stock) for stock in stocks),
        )
    return stocks


# Above this many events from one commit, one catch-up run is enqueued instead of a task each.
MAX_TASKS_PER_COMMIT = 20


def enqueue_event_delivery(*event_ids):
    """Best effort: a broker outage must never fail the caller; the periodic task catches up."""
    from events.tasks import deliver_event, deliver_pending_events

    try:
        with deliver_event.app.pool.acquire(block=True, timeout=1) as connection:
            # Fail fast: kombu would otherwise keep reconnecting for seconds inside the request.
            connection.ensure_connection(max_retries=0, timeout=1)
            if len(event_ids) > MAX_TASKS_PER_COMMIT:
                deliver_pending_events.apply_async(connection=connection, retry=False)
            else:
                for event_id in event_ids:
                    deliver_event.apply_async((str(event_id),), connection=connection, retry=False)
    except Exception:  # any broker/transport error
        logger.warning(
            "Could not enqueue delivery of %s event(s); the periodic task will deliver them.",
            len(event_ids),
            exc_info=True,
        )
        return False
    return True


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
        uuid.UUID(str(subscription_id))
        return Subscription.objects.select_for_update().get(pk=subscription_id)
    except (ValueError, Subscription.DoesNotExist):
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


def subscription_matches(subscription, payload):
    for context in subscription.contexts:
        if context["type"] == "FACILITY" and payload.get("facilityRef") not in context["values"]:
            return False
    return True


# --- fan-out --------------------------------------------------------------------------------


def fan_out_event(event_id, *, now=None):
    """Create one pending Delivery per subscription that existed when the event happened.
    Idempotent; concurrent callers skip an event another one is fanning out."""
    now = now or timezone.now()
    with transaction.atomic():
        event = (
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(pk=event_id, fanned_out_at__isnull=True)
            .first()
        )
        if event is None:
            return 0
        subscriptions = Subscription.objects.filter(event=event.event, created__lte=event.created)
        deliveries = [
            Delivery(outbox_event=event, subscription=subscription, next_attempt_at=now)
            for subscription in subscriptions
            if subscription_matches(subscription, event.payload)
        ]
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        OutboxEvent.objects.filter(pk=event.pk).update(fanned_out_at=now)
        return len(deliveries)


def fan_out_pending_events(*, now=None, limit=500):
    pending = OutboxEvent.objects.filter(fanned_out_at__isnull=True).order_by("created")
    count = 0
    for event_id in pending.values_list("id", flat=True)[:limit]:
        count += fan_out_event(event_id, now=now)
    return count


# --- delivery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptOutcome:
    succeeded: bool
    status_code: int | None
    error: str
    duration_ms: int


def sign(secret, body):
    """Value of the X-DOMS-Signature header: `sha256=` + hex HMAC-SHA256 of the raw body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_body(event):
    document = {"event": event.event, "eventId": str(event.id), "payload": event.payload}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def webhook_headers(delivery, body):
    subscription = delivery.subscription
    headers = {header["key"]: header["value"] for header in subscription.headers}
    headers.update(
        {
            "Content-Type": "application/json",
            "User-Agent": "DOMS-Webhooks/1.0",
            EVENT_HEADER: delivery.outbox_event.event,
            EVENT_ID_HEADER: str(delivery.outbox_event_id),
            DELIVERY_ID_HEADER: str(delivery.id),
            SIGNATURE_HEADER: sign(subscription.signing_secret, body),
        }
    )
    return headers


def post_webhook(url, body, headers):
    started = time.monotonic()
    try:
        response = requests.post(
            url,
            data=body,
            headers=headers,
            timeout=conf.delivery_timeout(),
            allow_redirects=False,
        )
    except requests.Timeout:
        error, status_code = f"Timed out after {conf.delivery_timeout():g} s.", None
    except requests.RequestException as exc:
        error, status_code = f"{type(exc).__name__}: {exc}", None
    else:
        status_code = response.status_code
        error = "" if 200 <= status_code < 300 else f"HTTP {status_code}: {response.text[:500]}"
    duration_ms = int((time.monotonic() - started) * 1000)
    return AttemptOutcome(not error, status_code, error, duration_ms)


def claim_delivery(delivery_id, *, now):
    """Take a due delivery for one attempt. A conditional UPDATE, so of several workers racing
    for the same row exactly one wins; the claim is a lease that a crashed worker loses."""
    token = uuid.uuid4()
    claimed = (
        Delivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + conf.claim_lease(), claim_token=token)
    )
    return token if claimed else None


def attempt_delivery(delivery_id, *, now=None):
    """Make one attempt if the delivery is due and nobody else is on it.
    Returns the recorded DeliveryAttempt, or None when there was nothing to do."""
    now = now or timezone.now()
    token = claim_delivery(delivery_id, now=now)
    if token is None:
        return None
    delivery = (
        Delivery.objects.select_related("subscription", "outbox_event")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:  # its subscription was deleted meanwhile
        return None
    body = webhook_body(delivery.outbox_event)
    outcome = post_webhook(
        delivery.subscription.callback_url, body, webhook_headers(delivery, body)
    )
    return _record_attempt(delivery, token, outcome, attempted_at=now)


def _record_attempt(delivery, token, outcome, *, attempted_at):
    number = delivery.attempt_count + 1
    finished_at = attempted_at + timedelta(milliseconds=outcome.duration_ms)
    changes = {
        "attempt_count": number,
        "last_status_code": outcome.status_code,
        "last_error": outcome.error,
        "claimed_until": None,
        "claim_token": None,
        "last_modified": timezone.now(),
    }
    if outcome.succeeded:
        changes.update(status=DeliveryStatus.DELIVERED, delivered_at=finished_at)
    elif number >= int(conf.setting("EVENTS_MAX_ATTEMPTS")):
        changes.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    else:
        changes.update(next_attempt_at=finished_at + conf.retry_delay(number))
    with transaction.atomic():
        attempt = DeliveryAttempt.objects.create(
            delivery=delivery,
            number=number,
            attempted_at=attempted_at,
            duration_ms=outcome.duration_ms,
            status_code=outcome.status_code,
            error=outcome.error,
            succeeded=outcome.succeeded,
        )
        # Only the claim holder settles the delivery; a worker whose lease ran out does not.
        Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(**changes)
    if not outcome.succeeded:
        logger.info("Delivery %s attempt %s failed: %s", delivery.pk, number, outcome.error)
    return attempt


def due_delivery_ids(*, now, limit, outbox_event_id=None):
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    if outbox_event_id is not None:
        due = due.filter(outbox_event_id=outbox_event_id)
    return list(due.order_by("next_attempt_at").values_list("id", flat=True)[:limit])


def deliver_event(event_id, *, now=None):
    """What the after-commit task does: fan the event out and attempt its deliveries now."""
    now = now or timezone.now()
    fan_out_event(event_id, now=now)
    attempts = []
    for delivery_id in due_delivery_ids(now=now, limit=None, outbox_event_id=event_id):
        attempt = attempt_delivery(delivery_id, now=now)
        if attempt is not None:
            attempts.append(attempt)
    return attempts


def deliver_pending(*, now=None, limit=None, time_budget=None):
    """What the periodic task does: fan out anything missed (e.g. the broker was down), then
    attempt due deliveries, oldest first, batch after batch until none is due or the time
    budget is spent. With `now` given the same instant is used throughout (tests drive the
    clock); a delivery that fails is rescheduled into the future, so the loop ends."""
    fixed_now = now
    limit = limit or int(conf.setting("EVENTS_DELIVERY_BATCH_SIZE"))
    time_budget = time_budget or float(conf.setting("EVENTS_DELIVERY_TIME_BUDGET"))
    started = time.monotonic()
    fan_out_pending_events(now=fixed_now)
    attempts = []
    while time.monotonic() - started < time_budget:
        batch = due_delivery_ids(now=fixed_now or timezone.now(), limit=limit)
        if not batch:
            break
        for delivery_id in batch:
            if time.monotonic() - started > time_budget:
                break
            attempt = attempt_delivery(delivery_id, now=fixed_now or timezone.now())
            if attempt is not None:
                attempts.append(attempt)
        if len(batch) < limit:
            break
    return attempts


def retry_deliveries(delivery_ids, *, now=None):
    """The admin's "retry": make the deliveries due again (FAILED ones included) and attempt
    them at once with the same code the tasks use. Delivered ones are left alone."""
    now = now or timezone.now()
    Delivery.objects.filter(pk__in=delivery_ids).exclude(status=DeliveryStatus.DELIVERED).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now, last_modified=now
    )
    attempts = []
    for delivery_id in delivery_ids:
        attempt = attempt_delivery(delivery_id, now=now)
        if attempt is not None:
            attempts.append(attempt)
    return attempts


def prune_old_events(*, now=None):
    """Drop events whose deliveries are all settled and that are older than the retention."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(conf.setting("EVENTS_RETENTION_DAYS")))
    old = OutboxEvent.objects.filter(created__lt=cutoff, fanned_out_at__isnull=False).exclude(
        deliveries__status=DeliveryStatus.PENDING
    )
    deleted, _ = old.delete()
    return deleted
