"""Webhook delivery, what the Celery tasks run (events.tasks): fan an outbox event out into
one `Delivery` per subscription that existed when it happened, claim due deliveries, POST
them signed, record each attempt and schedule the retries.

Deliveries are claimed with FOR UPDATE SKIP LOCKED and a lease, so any number of workers can
run side by side; a delivery is made at least once.
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

from config import metrics
from config.unreadable import UnreadableValueError
from events import conf
from events.models import Delivery, DeliveryAttempt, DeliveryStatus, OutboxEvent, Subscription

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-DOMS-Signature"
EVENT_HEADER = "X-DOMS-Event"
EVENT_ID_HEADER = "X-DOMS-Event-Id"
DELIVERY_ID_HEADER = "X-DOMS-Delivery-Id"


# --- fan-out --------------------------------------------------------------------------------


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
    for (_, outcome, _), attempt in zip(results, attempts, strict=True):
        metrics.WEBHOOK_DELIVERIES.labels(_outcome_label(outcome, attempt.number)).inc()
    return attempts


def _gives_up(outcome, number):
    """After this failed attempt the delivery is FAILED for good."""
    return outcome.dead or number >= int(conf.setting("EVENTS_MAX_ATTEMPTS"))


def _outcome_label(outcome, number):
    if outcome.succeeded:
        return "delivered"
    return "failed" if _gives_up(outcome, number) else "retry_scheduled"


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
    elif _gives_up(outcome, number):
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
