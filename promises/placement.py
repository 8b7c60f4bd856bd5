"""Route an order and hold its stock: the one home of it for every order, not only promises.

- `reserve_decision`: reserve a routing decision for the order's lines and count the order at
  its facilities (the step `promises.services.create_delivery_promise` uses too).
- `place_order` (POST /api/orders): route, create the order and reserve in one transaction;
  an order the network cannot serve is still created, as NOT_ROUTED (orders.routing_marks).
- `modify_order` (PATCH), `change_consumer_address` / `replace_consumer_addresses` (the
  deprecated actions), `reroute_order` (REROUTE, the admin button): under the order's row lock,
  release its reservations, apply the change, route the order as it now stands with the same
  engine and configuration as a promise, reserve again and store the new decision beside the
  old ones. A refusal raises, so the transaction rolls back and nothing changed.
- The retry of NOT_ROUTED orders is `promises.routing_retry`.

Locks: the order row first (orders.locking), then its stock rows in id order (reserve_stock),
then the capacity counters (count_facility_orders), as everywhere.
"""

import uuid
from collections import defaultdict
from datetime import UTC, datetime, time

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from config import clock, metrics
from config.api.fields import format_wire_datetime
from config.errors import InvalidInput
from inventory.selectors.articles import known_articles
from inventory.selectors.availability import availability
from inventory.services.capacity import (
    DailyCapacityReached,
    count_facility_orders,
    uncount_facility_orders,
)
from inventory.services.reservations import (
    Allocation,
    InsufficientStock,
    delete_order_reservations,
    reserve_stock,
)
from orders import modification, routing_marks
from orders import services as order_services
from orders.models import OrderStatus, RoutingStatus
from promises.adapter import build_routing_request
from promises.snapshot import checkout_snapshot
from promises.sourcing import option_summary, sourcing_option
from routing import solve
from routing.types import FENCE_CAPACITY

PROMISE_SHORTAGE = "Not enough stock to promise this order."
ORDER_SHORTAGE = "Not enough stock to route this order."
MODIFICATION_SHORTAGE = "Not enough stock for this modification of the order."
_JSON_ENCODER = DjangoJSONEncoder()
# Earlier decisions kept beside the latest one (Order.extra["routingHistory"]).
ROUTING_HISTORY_LENGTH = 20


class NotEnoughStock(InvalidInput):
    """400 naming each short article with the quantity requested and the quantity available."""

    def __init__(self, shortages, summary=PROMISE_SHORTAGE):
        self.shortages = shortages  # [(tenant_article_id, requested, available, reason)]
        super().__init__(
            summary,
            "; ".join(
                f"{article}: requested {requested}, available {available}"
                + (f" ({reason})" if reason else "")
                for article, requested, available, reason in shortages
            ),
        )


# --- routing and reserving, shared by every flow -------------------------------------------


def route(data, now=None, snapshot=None, *, resource_investment=None, operation="order"):
    """Run the engine on a fresh read of availability (the caller's own released reservations
    count as free: it reads in the caller's transaction). `operation` labels the solve-time
    metric."""
    now = now or clock.now()
    routing_request = build_routing_request(
        data,
        now=now,
        snapshot=snapshot or checkout_snapshot(now),
        resource_investment=resource_investment,
    )
    with metrics.routing_solve_timer(operation, routing_request.resource_investment):
        decision = solve(routing_request)
    return routing_request, decision


def _requested_by_article(data):
    requested = defaultdict(int)
    for line in data["orderLineItems"]:
        requested[line["article"]["tenantArticleId"]] += line["quantity"]
    return requested


def refusal_summary(decision, short_articles, default):
    """The cause a refused order is told first: the pickup store that cannot serve, the
    articles the network does not know, else `default` (not enough stock)."""
    if decision.pickup_refusal:
        pickup = decision.pickup_facility
        name = (pickup.tenant_facility_id or pickup.facility_id) if pickup else "?"
        return decision.pickup_refusal.replace("The pickup facility", f"Facility {name}", 1)
    unknown = sorted(set(short_articles) - known_articles(short_articles))
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        return f"Unknown article{plural} {', '.join(unknown)}."
    return default


def refuse_unassignable(data, routing_request, decision, *, summary=PROMISE_SHORTAGE):
    if not decision.not_assignable:
        return
    short_articles = {item.tenant_article_id for item in decision.not_assignable}
    summary = refusal_summary(decision, short_articles, summary)
    reasons = {item.tenant_article_id: item.reason for item in decision.not_assignable}
    requested = _requested_by_article(data)
    available = defaultdict(int)
    for (_, article), quantity in routing_request.availability.items():
        if article in short_articles:
            available[article] += max(quantity, 0)
    raise NotEnoughStock(
        [
            (article, requested[article], available[article], reasons.get(article))
            for article in sorted(short_articles)
        ],
        summary,
    )


def refuse_after_lost_race(data, shortage, *, summary=PROMISE_SHORTAGE):
    """Second lost race for the same stock: report what the network has left now."""
    articles = {item.tenant_article_id for item in shortage.shortages}
    requested = _requested_by_article(data)
    available = defaultdict(int)
    for (_, article), level in availability(articles).items():
        available[article] += max(level.available, 0)
    raise NotEnoughStock(
        [(article, requested[article], available[article], None) for article in sorted(articles)],
        summary,
    )


def rendered_routing_decision(decision, routing_request):
    """The wire SourcingOption, kept with the order so staff can later see why it was placed
    where it was (the back office renders `extra["sourcingOption"]`)."""
    return orjson.loads(
        orjson.dumps(
            sourcing_option(decision, routing_request),
            # Dates and times as DjangoJSONEncoder writes them, like everything else stored.
            default=_JSON_ENCODER.default,
            option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS,
        )
    )


def reserve_decision(decision, routing_request, line_item_ids, *, valid_until, counted_on=()):
    """Reserve what `decision` allocates and count the order at those facilities.

    `line_item_ids` maps the engine's line ids to OrderLineItem ids; `valid_until` None makes
    the reservations permanent; `counted_on` is where a re-routed order was counted before
    (its reservations deleted in this transaction, its counters left for this step). Runs in
    the caller's transaction without a savepoint: InsufficientStock is raised before anything
    is written, DailyCapacityReached after other counters were raised, so that caller must roll
    back (a promise's attempt, a re-route's savepoint). The counters are the last write:
    their row locks are held only until the commit.
    """
    allocations = [
        Allocation(
            facility_id=uuid.UUID(allocation.facility_id),
            tenant_article_id=allocation.tenant_article_id,
            quantity=allocation.quantity,
            order_line_item_id=line_item_ids[allocation.line_id],
        )
        for allocation in decision.allocations
        if allocation.quantity > 0
    ]
    # Under the lock a reservation that expired meanwhile counts as free.
    reservations = reserve_stock(allocations, valid_until=valid_until)
    facilities = {reservation.facility_id for reservation in reservations}
    # The day release and expiry subtract it from: its reservations' day.
    day = reservations[0].created.astimezone(UTC).date() if reservations else None
    enforce_capacity = routing_request.configuration.fence_active(FENCE_CAPACITY)
    if counted_on:
        now_on = {(facility, day) for facility in facilities}
        _move_counts(set(counted_on), now_on, enforce_capacity)
    else:
        count_facility_orders(facilities, day=day, enforce_capacity=enforce_capacity)
    return reservations


def _move_counts(before, after, enforce_capacity):
    """A re-routed order's daily counts, from the (facility, day) counters it was counted on
    to those it now holds stock at: one counter at a time in (facility, day) order, the order
    every other writer takes them in (a promise's one statement, a cancel, the sweep), so two
    transactions never wait on each other's counters crosswise. Unchanged ones are left."""
    for facility, day in sorted(before ^ after, key=lambda key: (str(key[0]), key[1])):
        if (facility, day) in before:
            uncount_facility_orders({(facility, day): 1})
        else:
            count_facility_orders({facility}, day=day, enforce_capacity=enforce_capacity)


def with_estimate(delivery_preferences, decision):
    """`deliveryPreferences.estimatedDeliveryDate` ("estimated delivery or pickup commitment")
    from the decision: the pickup time for click and collect, else the start (00:00 UTC) of
    the latest delivery day the routing estimates."""
    preferences = dict(delivery_preferences or {})
    if decision.collect_target_time is not None:
        moment = decision.collect_target_time
    elif decision.estimated_delivery_date is not None:
        moment = datetime.combine(decision.estimated_delivery_date, time(), tzinfo=UTC)
    else:
        return preferences
    preferences["estimatedDeliveryDate"] = format_wire_datetime(moment)
    return preferences


def routing_change(previous_option, option):
    return {"from": option_summary(previous_option), "to": option_summary(option)}


def _store_decision(order, decision, routing_request):
    """The new decision becomes the order's `sourcingOption`, the one it replaces joins
    `routingHistory`; the order is ROUTED. Returns the change for its updateDetails entry."""
    option = rendered_routing_decision(decision, routing_request)
    extra = dict(order.extra or {})
    previous = extra.get("sourcingOption")
    if previous:
        replaced = {"replaced": format_wire_datetime(clock.now()), "sourcingOption": previous}
        history = [*(extra.get("routingHistory") or []), replaced]
        extra["routingHistory"] = history[-ROUTING_HISTORY_LENGTH:]
    extra["sourcingOption"] = option
    order.extra = extra
    order.delivery_preferences = with_estimate(order.delivery_preferences, decision)
    routing_marks.mark_routed(order)
    return routing_change(previous, option)


def refusal_text(error):
    return f"{error.summary} {error.description}" if error.description else error.summary


# --- plain orders ----------------------------------------------------------------------------


def place_order(data, *, actor):
    """POST /api/orders: the order routed and reserved like a promise (reservations without
    validUntil), in the transaction that creates it. A lost stock or capacity race routes once
    more; when the network cannot serve it, or loses twice, the order is still created, as
    NOT_ROUTED with the reason, and the retry task routes it when stock arrives."""
    now = clock.now()
    snapshot = checkout_snapshot(now)
    status = data.get("status") or OrderStatus.OPEN
    refusal = None
    for attempt in (1, 2):
        try:
            routing_request, decision = route(data, now, snapshot)
            refuse_unassignable(data, routing_request, decision, summary=ORDER_SHORTAGE)
        except InvalidInput as error:  # the network cannot serve it (or not this address)
            refusal = error
            break
        option = rendered_routing_decision(decision, routing_request)
        routed = {
            **data,
            "deliveryPreferences": with_estimate(data.get("deliveryPreferences"), decision),
        }
        try:
            with transaction.atomic():
                order = order_services.create_order(
                    routed,
                    actor=actor,
                    status=status,
                    extra={"sourcingOption": option},
                    routing_status=RoutingStatus.ROUTED,
                    creation_changes={"routing": routing_change(None, option)},
                    anonymize=snapshot.actor_anonymization,
                )
                lines = order.order_line_items.all()
                reserve_decision(
                    decision,
                    routing_request,
                    {str(position): line.id for position, line in enumerate(lines)},
                    valid_until=None,
                )
                return order
        except InsufficientStock as shortage:
            refusal = shortage
            if attempt == 2:
                try:
                    refuse_after_lost_race(data, shortage, summary=ORDER_SHORTAGE)
                except NotEnoughStock as error:
                    refusal = error
        except DailyCapacityReached as full:
            refusal = full
    return order_services.create_order(
        data,
        actor=actor,
        status=status,
        not_routed_reason=refusal_text(refusal),
        anonymize=snapshot.actor_anonymization,
    )


# --- existing orders: re-route under the order's lock -------------------------------------


def route_locked_order(order, *, counted_on=(), summary=MODIFICATION_SHORTAGE):
    """Route the locked order as it now stands and reserve the new allocation (its old
    reservations, counted on `counted_on`, deleted in this transaction); a PROMISED order keeps
    its validUntil. One more routing after a lost race; a refusal raises (the caller's rollback
    restores all). Returns the routing change for the updateDetails entry."""
    lines = [line for line in order.order_line_items.order_by("position") if line.quantity > 0]
    data = {
        "orderLineItems": [
            {
                "article": {**line.article, "tenantArticleId": line.tenant_article_id},
                "quantity": line.quantity,
            }
            for line in lines
        ],
        "consumer": order.consumer,
        "deliveryPreferences": order.delivery_preferences,
    }
    line_item_ids = {str(position): line.id for position, line in enumerate(lines)}
    level = (order.extra or {}).get("resourceInvestment")
    valid_until = order.promise_valid_until if order.status == OrderStatus.PROMISED else None
    for attempt in (1, 2):
        routing_request, decision = route(data, resource_investment=level)
        refuse_unassignable(data, routing_request, decision, summary=summary)
        try:
            with transaction.atomic():
                reserve_decision(
                    decision,
                    routing_request,
                    line_item_ids,
                    valid_until=valid_until,
                    counted_on=counted_on,
                )
        except InsufficientStock as shortage:
            if attempt == 2:
                refuse_after_lost_race(data, shortage, summary=summary)
        except DailyCapacityReached:
            if attempt == 2:
                raise
        else:
            return _store_decision(order, decision, routing_request)
    raise AssertionError("unreachable")  # pragma: no cover


def _modify_locked(order, data, *, actor, action=None, comment=None):
    """Apply the change to the locked order and re-route it. An order that held stock (or was
    routed) is refused when the modified order cannot be served; a NOT_ROUTED order takes the
    change and stays NOT_ROUTED with the new reason."""
    counted_on = delete_order_reservations(order.id)
    changes = modification.change_order_fields(order, data)
    if action:
        changes = {"action": action, **changes}
    if counted_on or order.routing_status == RoutingStatus.ROUTED:
        changes["routing"] = route_locked_order(order, counted_on=counted_on)
    elif order.routing_status == RoutingStatus.NOT_ROUTED:
        try:
            with transaction.atomic():
                changes["routing"] = route_locked_order(order, summary=ORDER_SHORTAGE)
        except InvalidInput as refusal:
            routing_marks.mark_not_routed(order, refusal_text(refusal))
    return modification.save_modification(order, actor=actor, changes=changes, comment=comment)


@transaction.atomic
def modify_order(order_id, data, *, actor):
    """PATCH /api/orders/{id} (a validated OrderForUpdate), re-routed as one change."""
    order = modification.lock_modifiable_order(order_id, data["version"])
    return _modify_locked(order, data, actor=actor, comment=data.get("comment"))


@transaction.atomic
def change_consumer_address(order_id, *, version, actor, consumer_address, address_type):
    """CHANGE_CONSUMER_ADDRESS (deprecated): one address of the consumer, then as a PATCH."""
    order = modification.lock_modifiable_order(order_id, version)
    consumer = modification.consumer_with_changed_address(
        order.consumer, consumer_address, address_type
    )
    return _modify_locked(
        order, {"consumer": consumer}, actor=actor, action="CHANGE_CONSUMER_ADDRESS"
    )


@transaction.atomic
def replace_consumer_addresses(order_id, *, version, actor, consumer_addresses):
    """REPLACE_CONSUMER_ADDRESSES (deprecated): all addresses of the consumer, then as a PATCH."""
    order = modification.lock_modifiable_order(order_id, version)
    consumer = modification.consumer_with_addresses(order.consumer, consumer_addresses)
    return _modify_locked(
        order, {"consumer": consumer}, actor=actor, action="REPLACE_CONSUMER_ADDRESSES"
    )


@transaction.atomic
def reroute_order(order_id, *, version, actor):
    """REROUTE (API action, admin button): route the order again as it stands, e.g. after the
    network changed. Refused, with nothing changed, when it cannot be served."""
    order = modification.lock_modifiable_order(order_id, version)
    counted_on = delete_order_reservations(order.id)
    routing = route_locked_order(order, counted_on=counted_on, summary=ORDER_SHORTAGE)
    return modification.save_modification(
        order, actor=actor, changes={"action": "REROUTE", "routing": routing}
    )
