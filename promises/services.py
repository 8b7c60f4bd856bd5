"""Writes of the promise lifecycle: configuration, promise creation, confirm, extend, expiry."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from config import clock, metrics
from config.api.fields import format_wire_datetime, parse_wire_datetime
from config.errors import InvalidInput, NotFound, PromiseExpired, VersionConflict
from config.models import IdempotencyKey
from events.models import EventName
from events.services import record_order_event, record_order_events
from inventory.services.capacity import DailyCapacityReached, uncount_facility_orders
from inventory.services.reservations import (
    InsufficientStock,
    extend_order_reservations,
    make_order_reservations_permanent,
)
from orders.history import SYSTEM_ACTOR, record_update, update_detail
from orders.locking import lock_order_at_version
from orders.models import Order, OrderStatus, RoutingStatus
from orders.selectors import get_order
from orders.services import create_order
from promises import placement, sourcing_store, sql
from promises.durations import parse_promise_duration
from promises.models import PromisesConfiguration, RoutingConfiguration
from promises.snapshot import checkout_snapshot
from promises.sourcing import sourcing_options
from routing.types import FENCE_NAMES, default_ratings

# Large batches are cheap to hold: only a confirm of an already expired promise ever waits on
# them (and then answers 404); new promises and live confirms never touch these rows.
SWEEP_BATCH_SIZE = 10_000


# --- configuration ---------------------------------------------------------------------------


def get_promises_configuration():
    configuration, _ = PromisesConfiguration.objects.get_or_create(id=1)
    return configuration


def promise_duration():
    """How long a new or extended promise holds its stock."""
    return _configured_duration(get_promises_configuration().invalid_after_time)


def _configured_duration(invalid_after_time):
    """The promise duration of a configured `invalid_after_time` (the configuration row's, or
    the checkout snapshot's copy of it; None: never configured, the model's default)."""
    default = PromisesConfiguration._meta.get_field("invalid_after_time").default
    return parse_promise_duration(invalid_after_time or default)


@transaction.atomic
def update_promises_configuration(*, version, invalid_after_time):
    parse_promise_duration(invalid_after_time)
    get_promises_configuration()  # the row exists before we lock it
    configuration = PromisesConfiguration.objects.select_for_update().get(id=1)
    if version != configuration.version:
        raise VersionConflict(version=configuration.version, request_version=version)
    configuration.invalid_after_time = invalid_after_time
    configuration.version += 1
    configuration.save()
    return configuration


def get_routing_configuration():
    configuration, _ = RoutingConfiguration.objects.get_or_create(id=1)
    return configuration


@transaction.atomic
def update_routing_configuration(*, version, max_split_count, fences, ratings):
    """Store which fences and ratings the routing engine applies (the back office edits it).

    `fences` = {name: {"active": bool}}, `ratings` = {name: {"active": bool, "maxPenalty": n}}
    with the engine's names (routing.types); names left out keep the engine's defaults.
    """
    if isinstance(max_split_count, bool) or not isinstance(max_split_count, int):
        raise InvalidInput("maxSplitCount must be a whole number.")
    if not 1 <= max_split_count <= 10:
        raise InvalidInput("maxSplitCount must be between 1 and 10.")
    for name, fence in (fences or {}).items():
        if name not in FENCE_NAMES:
            raise InvalidInput(f"Unknown fence {name!r}.", f"Known: {', '.join(FENCE_NAMES)}.")
        if not isinstance(fence, dict) or not isinstance(fence.get("active"), bool):
            raise InvalidInput(f"Fence {name!r} needs a boolean 'active'.")
    known_ratings = default_ratings()
    for name, rating in (ratings or {}).items():
        if name not in known_ratings:
            raise InvalidInput(f"Unknown rating {name!r}.", f"Known: {', '.join(known_ratings)}.")
        if not isinstance(rating, dict) or not isinstance(rating.get("active", True), bool):
            raise InvalidInput(f"Rating {name!r} needs a boolean 'active'.")
        penalty = rating.get("maxPenalty", 0)
        if isinstance(penalty, bool) or not isinstance(penalty, (int, float)) or penalty < 0:
            raise InvalidInput(f"Rating {name!r}: maxPenalty must be a number ≥ 0.")
    get_routing_configuration()
    configuration = RoutingConfiguration.objects.select_for_update().get(id=1)
    if version != configuration.version:
        raise VersionConflict(version=configuration.version, request_version=version)
    configuration.max_split_count = max_split_count
    configuration.fences = fences or {}
    configuration.ratings = ratings or {}
    configuration.version += 1
    configuration.save()
    return configuration


# --- order actions on promises ---------------------------------------------------------------


# The statuses CONFIRM_PROMISE and EXTEND_PROMISE act on.
PROMISE_ACTION_STATUSES = (OrderStatus.PROMISED,)


def _lock_live_promise(order_id, *, version):
    """The promise, locked: 404 when it does not exist or has expired (time read after the
    lock), 409 for a stale version, 400 when it is no longer PROMISED."""
    try:
        order = lock_order_at_version(order_id, version)
    except PromiseExpired:
        raise
    except NotFound:
        raise PromiseExpired() from None
    if order.status not in PROMISE_ACTION_STATUSES:
        raise InvalidInput(
            f"Order {order.id} is {order.status}, not PROMISED.",
            "Only a promised order can be confirmed or extended.",
        )
    return order


@transaction.atomic
def confirm_promise(order_id, *, version, actor, tenant_order_id=None):
    """PROMISED → OPEN; the reservations become permanent."""
    order = _lock_live_promise(order_id, version=version)
    # Re-checks under the stock locks that the reservations are still active.
    make_order_reservations_permanent(order.id)
    if tenant_order_id is not None:
        order.tenant_order_id = tenant_order_id
    order.status = OrderStatus.OPEN
    order.promise_valid_until = None
    record_update(order, actor, {"action": "CONFIRM_PROMISE", "status": OrderStatus.OPEN})
    order.version += 1
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        raise InvalidInput(
            f"tenantOrderId {order.tenant_order_id!r} is already used by another order.",
            "Orders with the same tenantOrderId are only allowed if the previous orders are not "
            "in the status OPEN, LOCKED or PROMISED. Cancel the previous orders first.",
        ) from None
    transaction.on_commit(metrics.PROMISES_CONFIRMED.inc)
    return record_order_event(EventName.ORDER_CREATED_FROM_PROMISE, get_order(order.id))


@transaction.atomic
def extend_promise(order_id, *, version, actor):
    """Give the consumer the configured duration again, counted from the moment the stock
    locks are held."""
    order = _lock_live_promise(order_id, version=version)
    valid_until = extend_order_reservations(order.id, promise_duration())
    order.promise_valid_until = valid_until
    order.promises_options = {"validUntil": format_wire_datetime(valid_until)}
    record_update(
        order,
        actor,
        {"action": "EXTEND_PROMISE", "validUntil": order.promises_options["validUntil"]},
    )
    order.version += 1
    order.save()
    transaction.on_commit(metrics.PROMISES_EXTENDED.inc)
    return record_order_event(EventName.ORDER_MODIFIED, get_order(order.id))


# --- expiry ----------------------------------------------------------------------------------


def release_expired_promises(*, batch_size=SWEEP_BATCH_SIZE):
    """Cancel every promise past its validUntil and delete its reservations.

    Each batch is its own short transaction; `FOR UPDATE SKIP LOCKED` lets two sweeps (or a sweep
    and a confirm) run at once without waiting on, or double-processing, each other's orders.
    The one time decision read before its lock: the batch's own SELECT ... FOR UPDATE picks the
    rows by time, and an early time only ever picks fewer of them (they are expired at any
    later moment too). Returns how many promises this call cancelled.
    """
    released = 0
    with metrics.EXPIRY_SWEEP_DURATION.time():
        while True:
            now = clock.now()
            expired = update_detail(
                SYSTEM_ACTOR, {"action": "EXPIRE", "status": OrderStatus.CANCELLED}
            )
            with transaction.atomic():
                batch = sql.release_batch(now, batch_size, expired)
                if batch.order_ids:
                    record_order_events(EventName.ORDER_CANCELLED_BY_EXPIRY, batch.order_ids)
                    uncount_facility_orders(batch.orders_by_facility_day)  # last: short locks
            metrics.EXPIRY_SWEEP_BATCHES.inc()
            metrics.PROMISES_EXPIRED.inc(len(batch.order_ids))
            released += len(batch.order_ids)
            if len(batch.order_ids) < batch_size:
                break
        IdempotencyKey.objects.filter(expires_at__lt=clock.now()).delete()
        sourcing_store.delete_expired(clock.now())
    return released


# --- delivery promise ------------------------------------------------------------------------

MIN_CLIENT_VALIDITY = timedelta(minutes=1)
MAX_CLIENT_VALIDITY = timedelta(hours=8)


@dataclass(frozen=True)
class DeliveryPromise:
    """A created promise: the PROMISED order and the routing that placed its stock."""

    order: Order
    decision: object  # routing.types.RoutingDecision
    routing_request: object  # routing.types.RoutingRequest
    valid_until: datetime


def _promise_valid_until(data, now, configured_duration):
    """The client's `promisesOptions.validUntil` (1 minute to 8 hours ahead), else now plus the
    configured duration (`invalidAfterTime`; None when never configured: the default)."""
    options = data.get("promisesOptions")
    if not options:
        return now + _configured_duration(configured_duration)
    valid_until = parse_wire_datetime(options["validUntil"])
    if not now + MIN_CLIENT_VALIDITY <= valid_until <= now + MAX_CLIENT_VALIDITY:
        raise InvalidInput(
            "promisesOptions.validUntil must be between 1 minute and 8 hours from now.",
            f"Received {options['validUntil']}; the server time is {format_wire_datetime(now)}.",
        )
    return valid_until


def create_delivery_promise(data, *, actor):
    """`_create_delivery_promise`, counted: made (once committed) or refused, by reason."""
    try:
        promise = _create_delivery_promise(data, actor=actor)
    except placement.NotEnoughStock:
        metrics.PROMISES_REFUSED.labels("insufficient_stock").inc()
        raise
    except DailyCapacityReached:
        metrics.PROMISES_REFUSED.labels("daily_capacity_reached").inc()
        raise
    except InvalidInput:
        metrics.PROMISES_REFUSED.labels("invalid_request").inc()
        raise
    transaction.on_commit(metrics.PROMISES_CREATED.inc)
    return promise


def _create_delivery_promise(data, *, actor):
    """Route the cart, reserve its stock and create a PROMISED order, all or nothing.

    Routing runs before any lock is taken. Then one short transaction creates the order,
    reserves the chosen stock (reserve_stock locks the rows in id order and re-checks
    availability under the lock) and counts the order against its facilities' daily capacity
    (a conditional update that refuses a full facility): `placement.reserve_decision`. If
    another checkout took the stock or the capacity in between, the cart is routed once more
    on fresh data; a second loss is a 400. `actor` (the API user) is recorded as its creator.
    """
    now = clock.now()
    snapshot = checkout_snapshot(now)
    valid_until = _promise_valid_until(data, now, snapshot.invalid_after_time)
    order_data = {
        **{key: value for key, value in data.items() if key != "additionalInfo"},
        "promisesOptions": {"validUntil": format_wire_datetime(valid_until)},
    }
    order_data.pop("status", None)
    # Kept for re-routing the order later with the same effort.
    resource_investment = ((data.get("additionalInfo") or {}).get("resourceInvestment") or {}).get(
        "level"
    )

    for attempt in (1, 2):
        routing_request, decision = placement.route(data, now, snapshot, operation="promise")
        placement.refuse_unassignable(data, routing_request, decision)
        option = placement.rendered_routing_decision(decision, routing_request)
        extra = {"sourcingOption": option}
        if resource_investment is not None:
            extra["resourceInvestment"] = resource_investment
        try:
            with transaction.atomic():
                order = create_order(
                    {
                        **order_data,
                        "deliveryPreferences": placement.with_estimate(
                            data.get("deliveryPreferences"), decision
                        ),
                    },
                    actor=actor,
                    status=OrderStatus.PROMISED,
                    promise_valid_until=valid_until,
                    extra=extra,
                    routing_status=RoutingStatus.ROUTED,
                    creation_changes={"routing": placement.routing_change(None, option)},
                    anonymize=snapshot.actor_anonymization,
                )
                record_order_event(
                    EventName.DELIVERY_PROMISE_CREATED,
                    order,
                    subscribed=EventName.DELIVERY_PROMISE_CREATED in snapshot.subscribed_events,
                )
                lines = order.order_line_items.all()
                placement.reserve_decision(
                    decision,
                    routing_request,
                    {str(position): line.id for position, line in enumerate(lines)},
                    valid_until=valid_until,
                )
                return DeliveryPromise(order, decision, routing_request, valid_until)
        except InsufficientStock as shortage:
            if attempt == 2:
                placement.refuse_after_lost_race(data, shortage)
        except DailyCapacityReached:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


# --- sourcing options ------------------------------------------------------------------------


def create_sourcing_options(data):
    """Where an order would be sourced: nothing reserved, nothing written to the database. The
    answer is kept for the promise duration (promises/sourcing_store.py) so the client can read
    it again by its id; each option says until when (`validUntil`)."""
    now = clock.now()
    snapshot = checkout_snapshot(now)
    valid_until = now + _configured_duration(snapshot.invalid_after_time)
    response = sourcing_options(data, now=now, valid_until=valid_until, snapshot=snapshot)
    sourcing_store.keep(response, now, valid_until)
    return response
