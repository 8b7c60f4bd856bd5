"""Writes of the eventing app: the outbox, subscriptions and webhook delivery.

Flow: `record_event` inserts an `OutboxEvent` in the caller's transaction and, after commit,
asks Celery (from a background thread, events.publishing) to deliver it right away. Delivery
fans the event out into one `Delivery` per matching subscription and POSTs each one. If the
broker is down or hung the request neither fails nor waits; the periodic
`deliver_pending_events` task picks up whatever is pending, so nothing is lost.
"""

import hashlib
import hmac
import json
import logging
import threading
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
from config.unreadable import UnreadableValueError
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
from events.publishing import publisher

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


def record_events(event_name, payloads, *, subscribed=None):
    """`record_event` for many payloads of one event name, in one INSERT.

    An event goes to the subscriptions that exist when it happens, so with none there is
    nothing to write: one indexed SELECT, and `payloads` (may be a lazy iterable) is never
    consumed — busy paths such as the expiry sweep pay nothing for events nobody wants.
    A caller that read the subscribed events moments ago in the same request (the checkout)
    passes `subscribed` and saves the SELECT.
    """
    if event_name not in EventName.values:
        raise ValueError(f"Unknown event {event_name!r}")
    if subscribed is None:
        subscribed = Subscription.objects.filter(event=event_name).exists()
    if not subscribed:
        return []
    events = OutboxEvent.objects.bulk_create(
        OutboxEvent(event=EventName(event_name), payload=_frozen(payload)) for payload in payloads
    )
    if events and conf.setting("EVENTS_ENQUEUE_AFTER_COMMIT"):
        event_ids = [event.id for event in events]
        transaction.on_commit(lambda: publisher.submit(event_ids), robust=True)
    return events


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
    """One event per order, for bulk changes (the promise expiry sweep). With subscribers:
    four queries whatever the number of orders; without: one."""
    from orders.models import Order
    from orders.selectors import with_line_items

    def order_payloads():
        # A generator function, not a generator expression: the latter would call iter() on the
        # queryset at once and load every order even when nobody subscribed.
        orders = with_line_items(Order.objects.filter(id__in=list(order_ids)).order_by("id"))
        for order in orders:
            # One damaged order must not stop the sweep cancelling the others.
            yield payloads.order_payload_or_minimal(order)

    return record_events(event_name, order_payloads())


def record_stock_event(stock, *, reserved=None):
    """INVENTORY_FACILITY_STOCK_CHANGED for one stock, rendered as the stocks API renders it.
    Give `reserved` (active reservations) unless `stock.reserved`/`stock.available` are set.
    Returns the stock."""
    if reserved is not None:
        stock.reserved, stock.available = reserved, stock.value - reserved
    return record_stock_events([stock])[0]


def record_stock_events(stocks):
    """INVENTORY_FACILITY_STOCK_CHANGED for each stock (with `reserved`/`available` set, as the
    inventory services leave them); returns the stocks."""
    stocks = list(stocks)
    if stocks:
        record_events(EventName.INVENTORY_FACILITY_STOCK_CHANGED, payloads.stock_payloads(stocks))
    return stocks


# Above this many events from one commit, one catch-up run is enqueued instead of a task each.
MAX_TASKS_PER_COMMIT = 20


def enqueue_event_delivery(*event_ids):
    """Best effort, run by the publisher thread: a broker outage must never fail or stall it,
    so it has its own connection with short socket timeouts (a hung broker would otherwise
    hold it for as long as TCP keeps the connection); the periodic task catches up."""
    from events.tasks import deliver_event, deliver_pending_events

    timeout = conf.publish_timeout()
    try:
        with deliver_event.app.connection_for_write(
            transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout}
        ) as connection:
            # Fail fast: kombu would otherwise keep reconnecting for seconds.
            connection.ensure_connection(max_retries=0, timeout=timeout)
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
    facility_ref = payload.get("facilityRef") if isinstance(payload, dict) else None
    for context in subscription.contexts:
        if context["type"] == "FACILITY" and facility_ref not in context["values"]:
            return False
    return True


def _subscribed_before(subscription, event):
    """Whether the subscription existed when the event happened. A timestamp damaged in the
    database cannot tell: the event then goes to the subscription rather than nowhere (and
    the fan-out of the other events goes on)."""
    try:
        return subscription.created <= event.created
    except UnreadableValueError as error:
        logger.error("Event %s fanned out despite an unreadable timestamp: %s", event.pk, error)
        return True


# --- fan-out --------------------------------------------------------------------------------


def fan_out_event(event_id, *, now=None):
    """Create one pending Delivery per subscription that existed when the event happened.
    Idempotent; concurrent callers skip an event another one is fanning out."""
    return _fan_out(OutboxEvent.objects.filter(pk=event_id), now=now, limit=1)


def fan_out_pending_events(*, now=None, limit=500):
    """Fan out up to `limit` waiting events in one transaction; returns how many."""
    return _fan_out(OutboxEvent.objects.order_by("created"), now=now, limit=limit)


def _fan_out(events, *, now, limit):
    now = now or timezone.now()
    with transaction.atomic():
        events = list(
            events.select_for_update(skip_locked=True).filter(fanned_out_at__isnull=True)[:limit]
        )
        if not events:
            return 0
        subscriptions = list(Subscription.objects.filter(event__in={e.event for e in events}))
        deliveries = [
            Delivery(outbox_event=event, subscription=subscription, next_attempt_at=now)
            for event in events
            for subscription in subscriptions
            if subscription.event == event.event
            and _subscribed_before(subscription, event)
            and subscription_matches(subscription, event.payload)
        ]
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        OutboxEvent.objects.filter(pk__in=[event.pk for event in events]).update(fanned_out_at=now)
        return len(events)


# --- delivery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptOutcome:
    succeeded: bool
    status_code: int | None
    error: str
    duration_ms: int
    # The request could not even be built (see `_render_request`): retrying cannot help.
    dead: bool = False


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


_http = threading.local()


def _session():
    # One session per thread: connections to a receiver are kept alive between deliveries.
    if not hasattr(_http, "session"):
        _http.session = requests.Session()
    return _http.session


def post_webhook(url, body, headers):
    started = time.monotonic()
    try:
        response = _session().post(
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


def claim_deliveries(*, now, limit, delivery_ids=None, outbox_event_id=None):
    """Take up to `limit` due deliveries for one attempt each; returns (claim token, rows).

    The rows are locked with FOR UPDATE SKIP LOCKED and leased in the same short transaction,
    so of several workers racing for a delivery exactly one gets it and none waits on another.
    The lease outlasts the attempts of the whole batch; a crashed worker's lease just expires.
    """
    due = (
        Delivery.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("subscription", "outbox_event")
        .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )
    if delivery_ids is not None:
        due = due.filter(pk__in=list(delivery_ids))
    if outbox_event_id is not None:
        due = due.filter(outbox_event_id=outbox_event_id)
    token = uuid.uuid4()
    with transaction.atomic():
        deliveries = list(due.order_by("next_attempt_at", "id")[:limit])
        if deliveries:
            Delivery.objects.filter(pk__in=[delivery.pk for delivery in deliveries]).update(
                claimed_until=now + conf.claim_lease(len(deliveries)), claim_token=token
            )
    return token, deliveries


def attempt_delivery(delivery_id, *, now=None):
    """Make one attempt if the delivery is due and nobody else is on it.
    Returns the recorded DeliveryAttempt, or None when there was nothing to do."""
    now = now or timezone.now()
    token, deliveries = claim_deliveries(now=now, limit=1, delivery_ids=[delivery_id])
    if not deliveries:
        return None
    [attempt] = _attempt_batch(deliveries, token, now_of=lambda: now)
    return attempt


def _attempt_batch(deliveries, token, *, now_of):
    """POST each claimed delivery, then record all outcomes in one transaction (one commit
    per batch, not per delivery). A worker dying before that commit loses only the records;
    the lease expires and the deliveries are sent again — at least once."""
    results = []
    for delivery in deliveries:
        attempted_at = now_of()
        request, outcome = _render_request(delivery)
        if request is not None:
            outcome = post_webhook(delivery.subscription.callback_url, *request)
        results.append((delivery, outcome, attempted_at))
    with transaction.atomic():
        attempts = [
            _settle(delivery, token, outcome, attempted_at=attempted_at)
            for delivery, outcome, attempted_at in results
        ]
        DeliveryAttempt.objects.bulk_create(attempt for attempt in attempts if attempt.delivery_id)
    return attempts


def _render_request(delivery):
    """(body, headers) of the delivery's POST, or (None, dead outcome) when a row damaged in
    the database (payload, headers, timestamps) cannot be rendered into a request: that
    delivery fails for good, with the reason, and the batch goes on with the others."""
    try:
        body = webhook_body(delivery.outbox_event)
        return (body, webhook_headers(delivery, body)), None
    except (UnreadableValueError, ValueError, TypeError, KeyError, RecursionError) as error:
        logger.error("Delivery %s cannot be rendered: %r", delivery.pk, error)
        message = f"Could not render the request: {type(error).__name__}: {error}"
        return None, AttemptOutcome(False, None, message[:2000], 0, dead=True)


def _settle(delivery, token, outcome, *, attempted_at):
    """Update the delivery after an attempt; returns the (unsaved) DeliveryAttempt."""
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
    elif outcome.dead or number >= int(conf.setting("EVENTS_MAX_ATTEMPTS")):
        changes.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    else:
        changes.update(next_attempt_at=finished_at + conf.retry_delay(number))
    if not outcome.succeeded:
        logger.info("Delivery %s attempt %s failed: %s", delivery.pk, number, outcome.error)
    attempt = DeliveryAttempt(
        delivery=delivery,
        number=number,
        attempted_at=attempted_at,
        duration_ms=outcome.duration_ms,
        status_code=outcome.status_code,
        error=outcome.error,
        succeeded=outcome.succeeded,
    )
    # Only the claim holder settles the delivery; a worker whose lease ran out does not (its
    # attempt is still recorded: it happened). The row lock keeps a concurrent subscription
    # delete from orphaning the attempt; a deleted delivery records nothing.
    settled = Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(**changes)
    if not settled and not Delivery.objects.select_for_update().filter(pk=delivery.pk).exists():
        attempt.delivery_id = None
    return attempt


def _deliver_claimed_batches(*, now_of, limit, time_budget=None, fan_out=None, **filters):
    started = time.monotonic()
    batch_size = int(conf.setting("EVENTS_CLAIM_BATCH_SIZE"))
    attempts = []
    while time_budget is None or time.monotonic() - started < time_budget:
        fanned_out = fan_out() if fan_out else 0
        remaining = batch_size if limit is None else min(batch_size, limit - len(attempts))
        token, deliveries = claim_deliveries(now=now_of(), limit=remaining, **filters)
        if deliveries:
            attempts += _attempt_batch(deliveries, token, now_of=now_of)
        if not fanned_out and len(deliveries) < remaining:
            break
        if limit is not None and len(attempts) >= limit:
            break
    return attempts


def deliver_event(event_id, *, now=None):
    """What the after-commit task does: fan the event out and attempt its deliveries now."""
    fan_out_event(event_id, now=now)
    return _deliver_claimed_batches(
        now_of=lambda: now or timezone.now(), limit=None, outbox_event_id=event_id
    )


def deliver_pending(*, now=None, limit=None, time_budget=None):
    """What the periodic task does: fan out anything missed (e.g. the broker was down), then
    attempt due deliveries, oldest first, batch after batch until none is due, `limit`
    attempts were made or the time budget is spent. With `now` given the same instant is used
    throughout (tests drive the clock); a failed delivery is rescheduled into the future, so
    the loop ends."""
    return _deliver_claimed_batches(
        now_of=lambda: now or timezone.now(),
        limit=limit,
        time_budget=time_budget or float(conf.setting("EVENTS_DELIVERY_TIME_BUDGET")),
        fan_out=lambda: fan_out_pending_events(now=now),
    )


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
