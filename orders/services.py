"""All state changes of orders. Each runs in one transaction; a ServiceError leaves nothing
behind. Functions take validated wire dicts (camelCase keys) as the serializers produce them.
"""

import uuid

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from config.api.fields import parse_wire_datetime
from config.db import insert_instances
from config.errors import InvalidInput, NotFound, ServiceError, VersionConflict
from config.identifiers import parse_uuid
from events.models import EventName
from events.services import record_order_event
from inventory.services.reservations import release_order_reservations
from orders import routing_marks
from orders.history import record_update
from orders.locking import lock_order_at_version
from orders.models import (
    TENANT_ORDER_ID_BLOCKING_STATUSES,
    GdprConfiguration,
    Order,
    OrderLineItem,
    OrderModificationConfiguration,
    OrderStatus,
)
from orders.selectors import get_order, get_order_modification_configuration

# Wire fields kept in Order.extra / OrderLineItem.extra: accepted, stored and returned as sent.
ORDER_EXTRA_FIELDS = ("source", "customServices", "pricing")
LINE_EXTRA_FIELDS = (
    "measurementUnitKey",
    "secondaryMeasurementUnitKey",
    "secondaryQuantity",
    "measurementValidation",
    "scannableCodes",
    "shopPrice",
    "tags",
    "allowedSubstitutes",
)
CANCELLABLE_STATUSES = (OrderStatus.OPEN, OrderStatus.LOCKED, OrderStatus.PROMISED)


def _tenant_order_id_taken(tenant_order_id):
    return InvalidInput(
        f"tenantOrderId {tenant_order_id} is already used by an active order.",
        "Orders with the same tenantOrderId are only allowed if the previous orders are not "
        "OPEN, LOCKED or PROMISED. Cancel the previous order first.",
    )


def consumer_columns(consumer):
    addresses = consumer.get("addresses") or []
    first = addresses[0] if addresses else {}
    name = " ".join(part for part in (first.get("firstName"), first.get("lastName")) if part)
    # Search helpers, cut to their column sizes; the consumer object keeps the full values.
    return {
        "consumer_id": consumer.get("consumerId") or "",
        "consumer_email": (consumer.get("email") or first.get("email") or "")[:320],
        "consumer_name": (name or first.get("companyName") or "")[:512],
    }


def _with_ids(custom_services):
    """Custom services and their nested items get ids, as the Order schema requires."""
    return [
        {
            **service,
            "id": service.get("id") or str(uuid.uuid4()),
            "customServiceItems": _with_ids(service.get("customServiceItems") or []),
        }
        for service in custom_services
    ]


def _as_datetime(value):
    return value if not isinstance(value, str) else parse_wire_datetime(value)


def _order_extra(data):
    extra = {key: data[key] for key in ORDER_EXTRA_FIELDS if key in data}
    if "customServices" in extra:
        extra["customServices"] = _with_ids(extra["customServices"])
    return extra


def _refuse_a_taken_tenant_order_id(tenant_order_id, status):
    if (
        tenant_order_id
        and status in TENANT_ORDER_ID_BLOCKING_STATUSES
        and Order.objects.filter(
            tenant_order_id=tenant_order_id, status__in=TENANT_ORDER_ID_BLOCKING_STATUSES
        ).exists()
    ):
        raise _tenant_order_id_taken(tenant_order_id)


def _insert_order(order, tenant_order_id):
    if not tenant_order_id:
        insert_instances([order])
        return
    try:
        # A savepoint: the partial unique index catches the race the check before cannot.
        with transaction.atomic():
            insert_instances([order])
    except IntegrityError as error:
        if "unique_active_tenant_order_id" in str(error):
            raise _tenant_order_id_taken(tenant_order_id) from None
        raise


def create_order(
    data,
    *,
    actor,
    status=OrderStatus.OPEN,
    promise_valid_until=None,
    extra=None,
    routing_status="",
    not_routed_reason=None,
    creation_changes=None,
    anonymize=None,
):
    """Create an order with its line items from a validated OrderForCreation wire dict.

    `status` other than OPEN (e.g. PROMISED from the promise flow) wins over a status in
    `data`; otherwise `data["status"]` (OPEN or LOCKED) or OPEN applies. `extra` adds to what
    the order keeps beside its wire fields (the routing decision). `routing_status` says
    whether it holds stock; with `not_routed_reason` it is NOT_ROUTED and carries the marks
    (orders.routing_marks). The creation is the first `updateDetails` entry, by `actor`
    (`creation_changes` adds to it, e.g. the routing; `anonymize`: orders.history).

    Its own transaction, or part of the caller's without a savepoint (a checkout would pay two
    more round trips): refusals are raised before anything is written, and a failed write
    fails the caller's transaction with it.
    """
    if status == OrderStatus.OPEN:
        status = data.get("status") or OrderStatus.OPEN
    tenant_order_id = data.get("tenantOrderId")
    _refuse_a_taken_tenant_order_id(tenant_order_id, status)
    consumer = data.get("consumer") or {}
    order = Order(
        tenant_order_id=tenant_order_id,
        status=status,
        order_date=_as_datetime(data["orderDate"]),
        consumer=consumer,
        **consumer_columns(consumer),
        delivery_preferences=data.get("deliveryPreferences") or {},
        custom_attributes=data.get("customAttributes"),
        tags=data.get("tags") or [],
        stickers=data.get("stickers") or [],
        status_reasons=data.get("statusReasons") or [],
        payment_info=data.get("paymentInfo"),
        promises_options=data.get("promisesOptions"),
        extra={**_order_extra(data), **(extra or {})},
        promise_valid_until=promise_valid_until if status == OrderStatus.PROMISED else None,
        routing_status=routing_status,
    )
    if not_routed_reason is not None:
        routing_marks.mark_not_routed(order, not_routed_reason)
    record_update(
        order,
        actor,
        {"action": "CREATE", "status": status, **(creation_changes or {})},
        anonymize=anonymize,
    )
    with transaction.atomic(savepoint=False):
        _insert_order(order, tenant_order_id)
        lines = insert_instances(
            OrderLineItem(
                order=order,
                position=position,
                tenant_article_id=line["article"]["tenantArticleId"],
                article=line["article"],
                quantity=line["quantity"],
                custom_attributes=line.get("customAttributes"),
                extra={key: line[key] for key in LINE_EXTRA_FIELDS if key in line},
            )
            for position, line in enumerate(data["orderLineItems"])
        )
        # Rendered from what was just written, as a re-read would return it (lines by position).
        order._prefetched_objects_cache = {"order_line_items": lines}
        if status == OrderStatus.PROMISED:
            # The promise flow reports DELIVERY_PROMISE_CREATED, and ORDER_CREATED_FROM_PROMISE
            # when it is confirmed: a promise is not yet an order the shop placed.
            return order
        return record_order_event(EventName.ORDER_CREATED, order)


@transaction.atomic
def cancel_order(order_id, *, version, actor, reason=None, force=False):
    """CANCEL / FORCE_CANCEL: the order becomes CANCELLED and its stock is released in the
    same transaction. `reason` is the client's cancelationReasonId."""
    order = lock_order_at_version(order_id, version)
    action = "FORCE_CANCEL" if force else "CANCEL"
    if order.status not in CANCELLABLE_STATUSES:
        raise InvalidInput(
            f"{action} is not possible for an order in status {order.status}.",
            f"Only {', '.join(CANCELLABLE_STATUSES)} orders can be cancelled.",
        )
    release_order_reservations(order.id)
    order.status = OrderStatus.CANCELLED
    order.promise_valid_until = None
    if reason:
        order.cancelation_reason = {"id": reason, "action": "CANCELATION"}
    record_update(order, actor, {"action": action, "status": OrderStatus.CANCELLED})
    order.version = F("version") + 1
    order.save()
    return record_order_event(EventName.ORDER_CANCELLED, get_order(order.id))


def force_cancel_orders(orders, *, actor):
    """BULK_FORCE_CANCEL: each order `{"orderId", "version", "cancelationReasonId"?}` in its own
    transaction (a refusal leaves the others done), a `BulkOrderActionResult` per order."""
    results = []
    for item in orders:
        try:
            cancel_order(
                item["orderId"],
                version=item["version"],
                actor=actor,
                reason=item.get("cancelationReasonId"),
                force=True,
            )
        except ServiceError as error:
            results.append(
                {"orderId": item["orderId"], "status": "FAILED", "summary": error.summary}
            )
        else:
            results.append({"orderId": item["orderId"], "status": "UPDATED"})
    return results


@transaction.atomic
def unlock_order(order_id, *, version, actor, target_time=None):
    """UNLOCK: LOCKED → OPEN. `target_time` (optional) becomes deliveryPreferences.targetTime."""
    order = lock_order_at_version(order_id, version)
    if order.status != OrderStatus.LOCKED:
        raise InvalidInput(
            f"UNLOCK is not possible for an order in status {order.status}.",
            "Only LOCKED orders can be unlocked.",
        )
    order.status = OrderStatus.OPEN
    changes = {"action": "UNLOCK", "status": OrderStatus.OPEN}
    if target_time:
        order.delivery_preferences = {**order.delivery_preferences, "targetTime": target_time}
        changes["targetTime"] = target_time
    record_update(order, actor, changes)
    order.version = F("version") + 1
    order.save()
    return record_order_event(EventName.ORDER_MODIFIED, get_order(order.id))


@transaction.atomic
def update_line_item_custom_attributes(
    order_id, order_line_item_id, *, version, actor, custom_attributes
):
    """UPDATE_CUSTOM_ATTRIBUTES on a line item: replaces them and raises the order's version."""
    order = lock_order_at_version(order_id, version)
    updated = OrderLineItem.objects.filter(order=order, id=parse_uuid(order_line_item_id)).update(
        custom_attributes=custom_attributes, last_modified=timezone.now()
    )
    if not updated:
        raise NotFound(
            "Order line item not found.",
            f"Order {order.id} has no order line item {order_line_item_id}.",
        )
    record_update(
        order,
        actor,
        {
            "action": "UPDATE_CUSTOM_ATTRIBUTES",
            "orderLineItems": [
                {"id": str(order_line_item_id), "customAttributes": custom_attributes}
            ],
        },
    )
    order.version = F("version") + 1
    order.save(update_fields=["version", "update_details", "last_modified"])
    return record_order_event(EventName.ORDER_MODIFIED, get_order(order.id))


@transaction.atomic
def update_order_modification_configuration(*, version, allow_order_line_item_modification):
    get_order_modification_configuration()
    configuration = OrderModificationConfiguration.objects.select_for_update().get(pk=1)
    if configuration.version != version:
        raise VersionConflict(version=configuration.version, request_version=version)
    configuration.allow_order_line_item_modification = allow_order_line_item_modification
    configuration.version += 1
    configuration.save()
    return configuration


@transaction.atomic
def update_gdpr_configuration(*, version, actor_anonymization):
    """The back office's GDPR screen: whether order changes record who made them."""
    if not isinstance(actor_anonymization, bool):
        raise InvalidInput("actorAnonymization must be true or false.")
    GdprConfiguration.objects.get_or_create(pk=1)
    configuration = GdprConfiguration.objects.select_for_update().get(pk=1)
    if configuration.version != version:
        raise VersionConflict(version=configuration.version, request_version=version)
    configuration.actor_anonymization = actor_anonymization
    configuration.version += 1
    configuration.save()
    return configuration
