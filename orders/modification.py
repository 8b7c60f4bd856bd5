"""The order side of a modification (PATCH /api/orders/{id} and the deprecated consumer
actions): lock, apply the changed fields and lines, record who changed what, save, event.

Re-routing is not here: `promises.placement.modify_order` runs these steps under the order's
lock and routes the modified order between applying and saving (orders never import
promises). Each function runs inside the caller's transaction, after `lock_modifiable_order`.
"""

from django.db.models import F, Max

from config.api.fields import parse_wire_datetime
from config.errors import InvalidInput
from events.models import EventName
from events.services import record_order_event
from orders.history import record_update
from orders.locking import lock_order_at_version
from orders.models import OrderLineItem, OrderStatus
from orders.selectors import get_order, get_order_modification_configuration
from orders.services import consumer_columns

MODIFIABLE_STATUSES = (OrderStatus.OPEN, OrderStatus.LOCKED, OrderStatus.PROMISED)
# The address the consumer receives the goods at, when an address names no type.
DEFAULT_ADDRESS_TYPE = "POSTAL_ADDRESS"


def lock_modifiable_order(order_id, version):
    """The order, locked (404, then 409 for a stale version), and modifiable (400)."""
    order = lock_order_at_version(order_id, version)
    if order.status not in MODIFIABLE_STATUSES:
        raise InvalidInput(
            f"An order in status {order.status} cannot be modified.",
            f"Only {', '.join(MODIFIABLE_STATUSES)} orders can be modified.",
        )
    return order


def _apply_preferred_handling_time(delivery_preferences, value):
    """The documents: shipping orders keep it as desiredDeliveryTime, click-and-collect
    orders as the collect provisioningTime."""
    preferences = dict(delivery_preferences or {})
    if preferences.get("collect"):
        preferences["collect"] = [
            {**collect, "provisioningTime": value} for collect in preferences["collect"]
        ]
    else:
        preferences["shipping"] = {
            **(preferences.get("shipping") or {}),
            "desiredDeliveryTime": value,
        }
    return preferences


def change_order_fields(order, data):
    """Apply a validated OrderForUpdate (minus version and comment) to the locked order: its
    fields on the instance (saved by `save_modification`), its lines in the database.
    Returns the `changes` of the updateDetails entry, in the request's own words."""
    changes = {}
    if "customAttributes" in data:
        order.custom_attributes = data["customAttributes"]
        changes["customAttributes"] = data["customAttributes"]
    if "preferredHandlingTime" in data:
        value = data["preferredHandlingTime"]
        order.preferred_handling_time = parse_wire_datetime(value)
        order.delivery_preferences = _apply_preferred_handling_time(
            order.delivery_preferences, value
        )
        changes["preferredHandlingTime"] = value
    if "consumer" in data:
        order.consumer = data["consumer"]
        for field, value in consumer_columns(order.consumer).items():
            setattr(order, field, value)
        changes["consumer"] = data["consumer"]
    if data.get("orderLineItems"):
        _replace_lines(order, data["orderLineItems"])
        changes["orderLineItems"] = data["orderLineItems"]
    return changes


def _replace_lines(order, requested):
    """The reference: "All order lines must be included, only the included lines will remain
    after the update." A line is kept by `id` (its quantity may change; an `article` sent with
    it must be the same article), added by `article` as at creation, removed by leaving it out.
    The order-modification configuration gates any actual change."""
    lines = {str(line.id): line for line in order.order_line_items.order_by("position")}
    kept, added = {}, []
    for index, change in enumerate(requested):
        line_id = change.get("id")
        if line_id is None:
            added.append(change)
            continue
        line = lines.get(line_id)
        if line is None:
            raise InvalidInput(
                f"orderLineItems[{index}]: no line item {line_id} in this order.",
                "Order line items are addressed by the id the order returned; add a new line "
                "by sending its article without an id.",
            )
        if line_id in kept:
            raise InvalidInput(f"orderLineItems: line item {line_id} is listed twice.")
        article = change.get("article")
        if article and article["tenantArticleId"] != line.tenant_article_id:
            raise InvalidInput(
                f"orderLineItems[{index}]: line item {line_id} is article "
                f"{line.tenant_article_id}, not {article['tenantArticleId']}.",
                "Remove the line (leave it out) and add the other article as a new line.",
            )
        kept[line_id] = change
    if not any(change["quantity"] > 0 for change in [*kept.values(), *added]):
        raise InvalidInput("An order must have at least one order line item with a quantity > 0.")
    removed = [line for line_id, line in lines.items() if line_id not in kept]
    changed = {
        line_id: change
        for line_id, change in kept.items()
        if change["quantity"] != lines[line_id].quantity
        or (change.get("article") and change["article"] != lines[line_id].article)
    }
    if not (removed or added or changed):
        return
    if not get_order_modification_configuration().allow_order_line_item_modification:
        raise InvalidInput(
            "Order line items cannot be modified.",
            "The order modification configuration does not allow order line item "
            "modification (allowOrderLineItemModification is false).",
        )
    if removed:
        OrderLineItem.objects.filter(id__in=[line.id for line in removed]).delete()
    for line_id, change in changed.items():
        line = lines[line_id]
        line.quantity = change["quantity"]
        line.article = change.get("article") or line.article
        line.save(update_fields=["quantity", "article", "last_modified"])
    if added:
        last = order.order_line_items.aggregate(last=Max("position"))["last"]
        start = -1 if last is None else last
        OrderLineItem.objects.bulk_create(
            OrderLineItem(
                order=order,
                position=start + offset,
                tenant_article_id=change["article"]["tenantArticleId"],
                article=change["article"],
                quantity=change["quantity"],
            )
            for offset, change in enumerate(added, start=1)
        )


def save_modification(order, *, actor, changes, comment=None):
    """Record the change (`updateDetails`, by `actor`), raise the version, save, and write
    ORDER_MODIFIED with the order as it now is. Returns the re-read order."""
    record_update(order, actor, changes, comment=comment)
    order.version = F("version") + 1
    order.save()
    return record_order_event(EventName.ORDER_MODIFIED, get_order(order.id))


# --- the deprecated consumer actions ---------------------------------------------------------


def _address_type(address):
    return address.get("addressType") or DEFAULT_ADDRESS_TYPE


def consumer_with_changed_address(consumer, address, address_type):
    """CHANGE_CONSUMER_ADDRESS: the consumer with its `address_type` addresses replaced by
    `address` (added when it had none). An address without a type is a POSTAL_ADDRESS."""
    if address.get("addressType", address_type) != address_type:
        raise InvalidInput(
            "consumerAddress.addressType differs from addressType.",
            f"The action changes the {address_type} address; the address sent is of type "
            f"{address['addressType']}.",
        )
    address = {**address, "addressType": address_type}
    addresses = list((consumer or {}).get("addresses") or [])
    positions = [i for i, kept in enumerate(addresses) if _address_type(kept) == address_type]
    if positions:
        addresses[positions[0]] = address
        addresses = [kept for i, kept in enumerate(addresses) if i not in positions[1:]]
    else:
        addresses.append(address)
    return {**(consumer or {}), "addresses": addresses}


def consumer_with_addresses(consumer, addresses):
    """REPLACE_CONSUMER_ADDRESSES: the consumer with exactly these addresses."""
    return {**(consumer or {}), "addresses": list(addresses)}
