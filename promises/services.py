"""Writes of the promise lifecycle: configuration, promise creation, confirm, extend, expiry."""

import json
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import TruncDate
from django.utils import timezone

from config.api.fields import format_wire_datetime, parse_wire_datetime
from config.errors import InvalidInput, VersionConflict
from events.models import EventName
from events.services import record_order_event, record_order_events
from inventory.models import Reservation
from inventory.selectors import availability
from inventory.services import (
    Allocation,
    InsufficientStock,
    PromiseExpired,
    count_facility_orders,
    extend_order_reservations,
    make_order_reservations_permanent,
    reserve_stock,
    uncount_facility_orders,
)
from orders.models import Order, OrderStatus
from orders.selectors import get_order
from orders.services import create_order
from promises.durations import parse_promise_duration
from promises.models import IdempotencyKey, PromisesConfiguration, RoutingConfiguration

# Large batches are cheap to hold: only a confirm of an already expired promise ever waits on
# them (and then answers 404); new promises and live confirms never touch these rows.
SWEEP_BATCH_SIZE = 10_000
EXPIRED_REASON = "Promise expired: it was neither confirmed nor extended before its validUntil."


# --- configuration ---------------------------------------------------------------------------


def get_promises_configuration():
    configuration, _ = PromisesConfiguration.objects.get_or_create(id=1)
    return configuration


def promise_duration():
    """How long a new or extended promise holds its stock."""
    return parse_promise_duration(get_promises_configuration().invalid_after_time)


@transaction.atomic
def update_promises_configuration(*, version, invalid_after_time, user=None):
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
def update_routing_configuration(*, version, max_split_count, fences, ratings, user=None):
    """Store which fences and ratings the routing engine applies (the back office edits it).

    `fences` = {name: {"active": bool}}, `ratings` = {name: {"active": bool, "maxPenalty": n}}
    with the engine's names (routing.types); names left out keep the engine's defaults.
    """
    from routing.types import FENCE_NAMES, default_ratings

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


def is_expired_promise(order, now=None):
    """A promise past its validUntil counts as gone for every action, even before the sweep."""
    now = now or timezone.now()
    return (
        order.status in (OrderStatus.PROMISED, OrderStatus.CANCELLED)
        and order.promise_valid_until is not None
        and order.promise_valid_until <= now
    )


def _lock_live_promise(order_id, *, version, now):
    try:
        order_uuid = uuid.UUID(str(order_id))
    except ValueError:
        raise PromiseExpired() from None
    order = Order.objects.select_for_update().filter(id=order_uuid).first()
    if order is None or is_expired_promise(order, now):
        raise PromiseExpired()
    if order.status != OrderStatus.PROMISED:
        raise InvalidInput(
            f"Order {order.id} is {order.status}, not PROMISED.",
            "Only a promised order can be confirmed or extended.",
        )
    if version != order.version:
        raise VersionConflict(version=order.version, request_version=version)
    return order


@transaction.atomic
def confirm_promise(order_id, *, version, tenant_order_id=None, user=None, now=None):
    """PROMISED → OPEN; the reservations become permanent."""
    now = now or timezone.now()
    order = _lock_live_promise(order_id, version=version, now=now)
    # Re-checks under the stock locks that the reservations are still active.
    make_order_reservations_permanent(order.id, now=now)
    if tenant_order_id is not None:
        order.tenant_order_id = tenant_order_id
    order.status = OrderStatus.OPEN
    order.promise_valid_until = None
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
    return record_order_event(EventName.ORDER_CREATED_FROM_PROMISE, get_order(order.id))


@transaction.atomic
def extend_promise(order_id, *, version, user=None, now=None):
    """Give the consumer the configured duration again, counted from now."""
    now = now or timezone.now()
    order = _lock_live_promise(order_id, version=version, now=now)
    valid_until = now + promise_duration()
    extend_order_reservations(order.id, valid_until, now=now)
    order.promise_valid_until = valid_until
    order.promises_options = {"validUntil": _wire_datetime(valid_until)}
    order.version += 1
    order.save()
    return record_order_event(EventName.ORDER_MODIFIED, get_order(order.id))


def _wire_datetime(value):
    return format_wire_datetime(value)


# --- expiry ----------------------------------------------------------------------------------


def release_expired_promises(*, now=None, batch_size=SWEEP_BATCH_SIZE):
    """Cancel every promise past its validUntil and delete its reservations.

    Each batch is its own short transaction; `FOR UPDATE SKIP LOCKED` lets two sweeps (or a sweep
    and a confirm) run at once without waiting on, or double-processing, each other's orders.
    Returns how many promises this call cancelled.
    """
    now = now or timezone.now()
    released = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                count = _release_batch_postgresql(now, batch_size)
            else:
                count = _release_batch_portable(now, batch_size)
        released += count
        if count < batch_size:
            break
    IdempotencyKey.objects.filter(expires_at__lt=now).delete()
    return released


def _status_reason():
    return {"status": OrderStatus.CANCELLED, "reason": EXPIRED_REASON}


def _release_batch_postgresql(now, batch_size):
    """Three statements on primary-key and foreign-key indexes: lock a batch of expired
    promises (skipping rows another sweep or a confirm holds), delete their reservations, cancel
    them."""
    order_table = Order._meta.db_table
    line_table = Order.order_line_items.rel.related_model._meta.db_table
    reservation_table = Reservation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT id FROM {order_table}
            WHERE status = %s AND promise_valid_until < %s
            ORDER BY promise_valid_until
            LIMIT %s
            FOR UPDATE SKIP LOCKED
            """,
            [OrderStatus.PROMISED, now, batch_size],
        )
        order_ids = [row[0] for row in cursor.fetchall()]
        if not order_ids:
            return 0
        cursor.execute(
            f"""
            WITH deleted AS (
                DELETE FROM {reservation_table} AS r
                USING {line_table} AS l
                WHERE r.order_line_item_id = l.id AND l.order_id = ANY(%s::uuid[])
                RETURNING r.facility_id, l.order_id, r.created
            )
            SELECT facility_id, (created AT TIME ZONE 'UTC')::date, COUNT(DISTINCT order_id)
            FROM deleted GROUP BY 1, 2
            """,
            [order_ids],
        )
        expired_orders_by_facility_day = {
            (facility_id, day): orders for facility_id, day, orders in cursor.fetchall()
        }
        cursor.execute(
            f"""
            UPDATE {order_table}
            SET status = %s,
                version = version + 1,
                last_modified = %s,
                status_reasons = COALESCE(status_reasons, '[]'::jsonb) || %s::jsonb
            WHERE id = ANY(%s::uuid[])
            """,
            [OrderStatus.CANCELLED, timezone.now(), json.dumps([_status_reason()]), order_ids],
        )
    record_order_events(EventName.ORDER_CANCELLED_BY_EXPIRY, order_ids)
    uncount_facility_orders(expired_orders_by_facility_day)  # last: short counter locks
    return len(order_ids)


def _release_batch_portable(now, batch_size):
    """The same batch through the ORM, for the embedded SQLite default (one writer at a time)."""
    orders = list(
        Order.objects.select_for_update(skip_locked=True)
        .filter(status=OrderStatus.PROMISED, promise_valid_until__lt=now)
        .order_by("promise_valid_until")[:batch_size]
    )
    if not orders:
        return 0
    order_ids = [order.id for order in orders]
    reservations = Reservation.objects.filter(order_line_item__order_id__in=order_ids)
    expired_orders_by_facility_day = Counter(
        (facility_id, day)
        for facility_id, day, _ in reservations.annotate(day=TruncDate("created", tzinfo=UTC))
        .values_list("facility_id", "day", "order_line_item__order_id")
        .distinct()
    )
    reservations.delete()
    for order in orders:
        Order.objects.filter(id=order.id, status=OrderStatus.PROMISED).update(
            status=OrderStatus.CANCELLED,
            version=F("version") + 1,
            status_reasons=[*(order.status_reasons or []), _status_reason()],
            last_modified=timezone.now(),
        )
    record_order_events(EventName.ORDER_CANCELLED_BY_EXPIRY, order_ids)
    uncount_facility_orders(expired_orders_by_facility_day)
    return len(orders)


# --- delivery promise ------------------------------------------------------------------------

MIN_CLIENT_VALIDITY = timedelta(minutes=1)
MAX_CLIENT_VALIDITY = timedelta(hours=8)


class InsufficientStockForPromise(InvalidInput):
    """400 naming each short article with the quantity requested and the quantity available."""

    def __init__(self, shortages):
        self.shortages = shortages  # [(tenant_article_id, requested, available, reason)]
        super().__init__(
            "Not enough stock to promise this order.",
            "; ".join(
                f"{article}: requested {requested}, available {available}"
                + (f" ({reason})" if reason else "")
                for article, requested, available, reason in shortages
            ),
        )


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
        default = PromisesConfiguration._meta.get_field("invalid_after_time").default
        return now + parse_promise_duration(configured_duration or default)
    valid_until = parse_wire_datetime(options["validUntil"])
    if not now + MIN_CLIENT_VALIDITY <= valid_until <= now + MAX_CLIENT_VALIDITY:
        raise InvalidInput(
            "promisesOptions.validUntil must be between 1 minute and 8 hours from now.",
            f"Received {options['validUntil']}; the server time is {_wire_datetime(now)}.",
        )
    return valid_until


def _requested_by_article(data):
    requested = defaultdict(int)
    for line in data["orderLineItems"]:
        requested[line["article"]["tenantArticleId"]] += line["quantity"]
    return requested


def _route(data, now, snapshot):
    """Run the engine on a fresh read of availability (no locks held)."""
    from promises.adapter import build_routing_request
    from routing import solve

    routing_request = build_routing_request(data, now=now, snapshot=snapshot)
    return routing_request, solve(routing_request)


def _refuse_unassignable(data, routing_request, decision):
    if not decision.not_assignable:
        return
    short_articles = {item.tenant_article_id for item in decision.not_assignable}
    reasons = {item.tenant_article_id: item.reason for item in decision.not_assignable}
    requested = _requested_by_article(data)
    available = defaultdict(int)
    for (_, article), quantity in routing_request.availability.items():
        if article in short_articles:
            available[article] += max(quantity, 0)
    raise InsufficientStockForPromise(
        [
            (article, requested[article], available[article], reasons.get(article))
            for article in sorted(short_articles)
        ]
    )


def _refuse_after_lost_race(data, shortage):
    """Second lost race for the same stock: report what the network has left now."""
    articles = {item.tenant_article_id for item in shortage.shortages}
    requested = _requested_by_article(data)
    available = defaultdict(int)
    for (_, article), level in availability(articles).items():
        available[article] += max(level.available, 0)
    raise InsufficientStockForPromise(
        [(article, requested[article], available[article], None) for article in sorted(articles)]
    )


def _rendered_routing_decision(decision, routing_request):
    """The wire SourcingOption, kept with the order so staff can later see why it was placed
    where it was (the back office renders `extra["sourcingOption"]`)."""
    from promises.sourcing import sourcing_option

    return json.loads(json.dumps(sourcing_option(decision, routing_request), cls=DjangoJSONEncoder))


def create_delivery_promise(data, *, user=None, now=None):
    """Route the cart, reserve its stock and create a PROMISED order, all or nothing.

    Routing runs before any lock is taken. Then one short transaction creates the order and
    reserves the chosen stock (reserve_stock locks the rows in id order and re-checks
    availability under the lock). If another checkout took the stock in between, the cart is
    routed once more on fresh availability; a second loss is a 400.
    """
    from promises.adapter import checkout_snapshot

    clock_given = now is not None
    now = now or timezone.now()
    snapshot = checkout_snapshot(now)
    valid_until = _promise_valid_until(data, now, snapshot.invalid_after_time)
    order_data = {
        **{key: value for key, value in data.items() if key != "additionalInfo"},
        "promisesOptions": {"validUntil": _wire_datetime(valid_until)},
    }
    order_data.pop("status", None)

    for attempt in (1, 2):
        routing_request, decision = _route(data, now, snapshot)
        _refuse_unassignable(data, routing_request, decision)
        routing_decision = {"sourcingOption": _rendered_routing_decision(decision, routing_request)}
        try:
            with transaction.atomic():
                order = create_order(
                    order_data,
                    user=user,
                    status=OrderStatus.PROMISED,
                    promise_valid_until=valid_until,
                    extra=routing_decision,
                )
                lines = list(order.order_line_items.all())
                line_ids = {str(position): line.id for position, line in enumerate(lines)}
                allocations = [
                    Allocation(
                        facility_id=uuid.UUID(allocation.facility_id),
                        tenant_article_id=allocation.tenant_article_id,
                        quantity=allocation.quantity,
                        order_line_item_id=line_ids[allocation.line_id],
                    )
                    for allocation in decision.allocations
                    if allocation.quantity > 0
                ]
                if allocations:
                    # Under the lock a reservation that expired meanwhile counts as free.
                    reserve_stock(
                        allocations, valid_until=valid_until, now=now if clock_given else None
                    )
                record_order_event(
                    EventName.DELIVERY_PROMISE_CREATED,
                    order,
                    subscribed=EventName.DELIVERY_PROMISE_CREATED in snapshot.subscribed_events,
                )
                # Last write of the transaction: its counter rows are locked only until commit.
                count_facility_orders(
                    {allocation.facility_id for allocation in allocations},
                    day=timezone.now().astimezone(UTC).date(),
                )
                return DeliveryPromise(order, decision, routing_request, valid_until)
        except InsufficientStock as shortage:
            if attempt == 2:
                _refuse_after_lost_race(data, shortage)
    raise AssertionError("unreachable")  # pragma: no cover
